// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Teardown in every order (DESIGN rule 10): an io_context destroyed while deadlines are armed and
// waits, after_funcs and bound operations are pending, then the contexts cancelled or released;
// and the other orders. Pending handlers are destroyed with their io_context, as Asio destroys
// its own; nothing touches the io_context afterwards (ASan and TSan runs check the memory).
#include <asioctx/after_func.hpp>
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include "../test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {

// Something a handler owns, to see when the handler is destroyed.
struct tracked {
  std::shared_ptr<int> token = std::make_shared<int>(0);
  std::weak_ptr<int> watch() const { return token; }
};

enum class then { cancel, release, cancel_from_thread };

// Builds everything that can be pending on one io_context under ctx (on a strand of it if
// OnStrand: a strand's copies reach into its io_context when destroyed), destroys the
// io_context, then ends the context as `how` says. Returns how many handlers ran (must be none).
template <bool OnStrand = false>
int destroy_io_first(then how, bool deadline) {
  std::optional<asioctx::derived<asioctx::cancel_func>> dc;
  auto ran = std::make_shared<int>(0);
  std::weak_ptr<int> wait_handler, after_fn, bound_handler;
  {
    net::io_context io;
    dc = deadline ? asioctx::with_timeout(asioctx::background(), 1h)
                  : asioctx::with_cancel(asioctx::background());
    auto& ctx = dc->ctx;
    auto [child, cancel_child] = asioctx::with_cancel(ctx);  // released with this scope
    auto [armed, cancel_armed] = asioctx::with_timeout(io, ctx, 30min);
    tracked a, b, c;
    wait_handler = a.watch();
    after_fn = b.watch();
    bound_handler = c.watch();
    auto ex = [&] {
      if constexpr (OnStrand)
        return net::make_strand(io);
      else
        return io.get_executor();
    }();
    asioctx::async_wait(child, net::bind_executor(ex, [ran, t = a.token](error_code) { ++*ran; }));
    asioctx::after_func(ctx, ex, [ran, t = b.token] { ++*ran; });
    net::steady_timer timer(ex, 1h);
    timer.async_wait(asioctx::bind(ctx, [ran, t = c.token](error_code) { ++*ran; }));
    io.poll();
    if (deadline) BOOST_TEST(asioctx_test::armed_deadlines(io) == 2u);
    BOOST_TEST(asioctx_test::waiter_count(ctx) == 2u);  // the after_func and the bound wait
  }                                                     // the io_context (and the timer) go first
  // Every pending handler was destroyed with its io_context, none was run.
  BOOST_TEST(wait_handler.expired());
  BOOST_TEST(after_fn.expired());
  BOOST_TEST(bound_handler.expired());
  BOOST_TEST(asioctx_test::waiter_count(dc->ctx) == 0u);
  switch (how) {
    case then::cancel:
      dc->cancel();
      break;
    case then::cancel_from_thread:
      std::thread([c = dc->cancel] { c(); }).join();
      break;
    case then::release:
      break;
  }
  BOOST_TEST((dc->ctx.err() == (how == then::release ? error_code() : make_error_code(error::canceled))));
  dc.reset();
  return *ran;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_teardown)

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_then_cancel) {
  BOOST_TEST(destroy_io_first(then::cancel, false) == 0);
  BOOST_TEST(destroy_io_first(then::cancel, true) == 0);
  BOOST_TEST(destroy_io_first(then::cancel_from_thread, true) == 0);
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_then_release) {
  BOOST_TEST(destroy_io_first(then::release, false) == 0);
  BOOST_TEST(destroy_io_first(then::release, true) == 0);
}

// Which executors a context may keep a copy of once its operations are done.
static_assert(asioctx::detail::survives_its_context<net::io_context::executor_type>::value);
static_assert(!asioctx::detail::survives_its_context<net::strand<net::io_context::executor_type>>::value);
static_assert(
    !asioctx::detail::survives_its_context<decltype(net::prefer(
        std::declval<net::io_context::executor_type>(), net::execution::outstanding_work.tracked))>::value);
static_assert(!asioctx::detail::survives_its_context<net::any_io_executor>::value);

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_with_everything_on_a_strand) {
  // The context must keep no strand copy beyond its operations (ASan: ~strand_impl after the
  // strand service is gone), nor may an after_func registration.
  BOOST_TEST(destroy_io_first<true>(then::cancel, false) == 0);
  BOOST_TEST(destroy_io_first<true>(then::cancel_from_thread, true) == 0);
  BOOST_TEST(destroy_io_first<true>(then::release, false) == 0);
  BOOST_TEST(destroy_io_first<true>(then::release, true) == 0);
}

BOOST_AUTO_TEST_CASE(after_func_on_a_strand_outlives_its_io_context) {
  // The stop_func outlives the io_context; stopping and dropping it touch nothing of it.
  for (bool stop_first : {false, true}) {
    asioctx::stop_func stop;
    asioctx::cancel_func cancel;
    {
      net::io_context io;
      auto [ctx, c] = asioctx::with_cancel(asioctx::background());
      cancel = c;
      stop = asioctx::after_func(ctx, net::make_strand(io), [] {});
      if (stop_first) BOOST_TEST(stop());
    }
    BOOST_TEST(!stop());
    cancel();
    stop = {};
  }
  // A never-done context keeps nothing of f or its executor either.
  asioctx::stop_func never;
  {
    net::io_context io;
    never = asioctx::after_func(asioctx::background(), net::make_strand(io), [] {});
  }
  BOOST_TEST(never());
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_while_another_thread_cancels) {
  // The cancel's claim races the shutdown: whichever wins, the wait ends once, its handler is
  // destroyed while the io_context's services exist, and no list is edited by the loser.
  for (int i = 0; i < 2000; ++i) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    std::atomic<bool> go{false};
    std::thread canceller;
    {
      net::io_context io;
      auto strand = net::make_strand(io);
      asioctx::async_wait(ctx, net::bind_executor(strand, [](error_code) {}));
      asioctx::after_func(ctx, strand, [] {});
      canceller = std::thread([&go, c = cancel, spin = i % 64] {
        while (!go.load()) {
        }
        for (int k = 0; k < spin; ++k) std::this_thread::yield();  // spread where the cancel lands
        c();
      });
      go = true;
    }  // ~io_context races the cancel
    canceller.join();
    BOOST_TEST_REQUIRE(asioctx_test::waiter_count(ctx) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(context_released_before_io_context) {
  // The handles go first; the pending operations keep their nodes until the io_context goes.
  auto ran = std::make_shared<int>(0);
  {
    net::io_context io;
    net::steady_timer timer(io, 1h);
    {
      auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
      timer.async_wait(asioctx::bind(ctx, [ran](error_code) { ++*ran; }));
      asioctx::async_wait(ctx, net::bind_executor(io, [ran](error_code) { ++*ran; }));
      asioctx::after_func(ctx, io, [ran] { ++*ran; });
    }
    io.poll();
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
  }
  BOOST_TEST(*ran == 0);
}

BOOST_AUTO_TEST_CASE(cancel_then_io_context_destroyed_before_running) {
  // The context is done while nothing runs the io_context: the handlers queued for it are
  // destroyed with it, never run.
  auto ran = std::make_shared<int>(0);
  tracked t;
  auto watch = t.watch();
  {
    net::io_context io;
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    net::steady_timer timer(io, 1h);
    timer.async_wait(asioctx::bind(ctx, [ran, k = t.token](error_code) { ++*ran; }));
    asioctx::async_wait(ctx, net::bind_executor(io, [ran](error_code) { ++*ran; }));
    asioctx::after_func(ctx, io, [ran] { ++*ran; });
    t.token.reset();
    cancel();
  }
  BOOST_TEST(*ran == 0);
  BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_CASE(wait_on_a_strand_of_a_destroyed_io_context) {
  asioctx::cancel_func cancel;
  tracked t;
  auto watch = t.watch();
  {
    net::io_context io;
    auto [ctx, c] = asioctx::with_cancel(asioctx::background());
    cancel = c;
    asioctx::async_wait(ctx, net::bind_executor(net::make_strand(io), [k = t.token](error_code) {}));
    t.token.reset();
    BOOST_TEST(!watch.expired());
  }
  BOOST_TEST(watch.expired());
  cancel();
}

BOOST_AUTO_TEST_CASE(after_func_stop_after_shutdown_prevents_nothing) {
  asioctx::stop_func stop;
  asioctx::cancel_func cancel;
  {
    net::io_context io;
    auto [ctx, c] = asioctx::with_cancel(asioctx::background());
    cancel = c;
    stop = asioctx::after_func(ctx, io, [] {});
  }
  BOOST_TEST(!stop());  // dropped with its io_context: nothing left to prevent
  cancel();
}

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
BOOST_AUTO_TEST_CASE(coroutine_waiting_on_a_context_destroyed_with_its_io_context) {
  // co_await async_wait(ctx, use_awaitable) pending when the io_context goes: the coroutine's
  // frame is destroyed with it; cancelling afterwards touches nothing.
  auto frame_alive = std::make_shared<bool>(false);
  std::weak_ptr<bool> watch = frame_alive;
  asioctx::cancel_func cancel;
  {
    net::io_context io;
    auto [ctx, c] = asioctx::with_timeout(asioctx::background(), 1h);
    cancel = c;
    net::co_spawn(
        io,
        [ctx = ctx, alive = std::move(frame_alive)]() -> net::awaitable<void> {
          *alive = true;
          co_await asioctx::async_wait(ctx, net::use_awaitable);
        },
        net::detached);
    io.poll();
    BOOST_TEST(!watch.expired());
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
  }
  BOOST_TEST(watch.expired());
  cancel();
}
#endif

BOOST_AUTO_TEST_SUITE_END()
