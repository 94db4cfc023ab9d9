// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// bind(ctx, token): Semantics 7-10 of DESIGN.md.
#include <asioctx/bind.hpp>

#include "test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {

// An allocator with an identity, to see it arrive unchanged.
template <class T>
struct tagged_allocator {
  using value_type = T;
  int tag;
  explicit tagged_allocator(int t) noexcept : tag(t) {}
  template <class U>
  tagged_allocator(const tagged_allocator<U>& o) noexcept : tag(o.tag) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <class U>
  bool operator==(const tagged_allocator<U>& o) const noexcept {
    return tag == o.tag;
  }
  template <class U>
  bool operator!=(const tagged_allocator<U>& o) const noexcept {
    return tag != o.tag;
  }
};

struct result {
  int calls = 0;
  error_code ec;
  void operator()(const error_code& e) {
    ++calls;
    ec = e;
  }
};

// A handler that records into shared state (handlers are moved around).
auto recorder(std::shared_ptr<result> r) {
  return [r](error_code ec) { (*r)(ec); };
}

// An operation that completes from inside its cancellation handler, inline.
struct inline_op {
  net::io_context::executor_type ex;
  using executor_type = net::io_context::executor_type;
  executor_type get_executor() const noexcept { return ex; }
  template <class Handler>
  void operator()(Handler&& h) const {
    auto slot = net::get_associated_cancellation_slot(h);
    auto holder = std::make_shared<std::optional<std::decay_t<Handler>>>(std::forward<Handler>(h));
    slot.assign([holder](net::cancellation_type) {
      auto handler = std::move(**holder);
      holder->reset();
      std::move(handler)(net::error::operation_aborted);  // inline, inside the emit
    });
  }
};

using strand_t = net::strand<net::io_context::executor_type>;

// An operation whose I/O executor is `io_ex` and which completes, as Asio's do, on its handler's
// associated executor; its cancellation handler counts each emit, and those that did not run where
// `here` says they should (here(ex), ex the handler's executor), then posts the completion there.
template <class Ex, class Here>
struct probe_op {
  Ex io_ex;
  Here here;
  std::atomic<int>* emits;
  std::atomic<int>* emits_elsewhere;
  using executor_type = Ex;
  executor_type get_executor() const noexcept { return io_ex; }
  template <class Handler>
  void operator()(Handler&& h) const {
    auto slot = net::get_associated_cancellation_slot(h);
    auto ex = net::get_associated_executor(h, io_ex);
    auto held = std::make_shared<std::optional<std::decay_t<Handler>>>(std::forward<Handler>(h));
    slot.assign([held, ex, at = here, e = emits, w = emits_elsewhere](net::cancellation_type) {
      ++*e;
      if (!at(ex)) ++*w;
      net::post(ex, [held] {
        auto handler = std::move(**held);
        held->reset();
        std::move(handler)(net::error::operation_aborted);
      });
    });
  }
};
template <class Ex, class Here>
probe_op(Ex, Here, std::atomic<int>*, std::atomic<int>*) -> probe_op<Ex, Here>;

// The emit runs on the strand the operation completes on.
inline auto on_the_strand() {
  return [](const auto& ex) { return ex.running_in_this_thread(); };
}
// The emit runs on io (an any_io_executor cannot say whether it runs in this thread).
inline auto on(net::io_context& io) {
  return [i = &io](const auto&) { return i->get_executor().running_in_this_thread(); };
}

// A handler whose get_executor() returns a reference to its own member.
struct handler_with_executor_ref {
  using executor_type = strand_t;
  strand_t ex_;
  std::atomic<int>* calls;
  std::atomic<int>* off_strand;
  const executor_type& get_executor() const noexcept { return ex_; }
  void operator()(error_code ec) const {
    if (!ex_.running_in_this_thread() || ec != error::canceled) ++*off_strand;
    ++*calls;
  }
};

// An operation on io whose cancellation handler counts each emit and, on the first, runs `first`
// (user code inside the emit), then posts the completion, operation_aborted, to io.
struct reentrant_op {
  net::io_context* io;
  std::function<void()> first;
  std::atomic<int>* emits;
  using executor_type = net::io_context::executor_type;
  executor_type get_executor() const noexcept { return io->get_executor(); }
  template <class Handler>
  void operator()(Handler&& h) const {
    auto slot = net::get_associated_cancellation_slot(h);
    auto held = std::make_shared<std::optional<std::decay_t<Handler>>>(std::forward<Handler>(h));
    slot.assign([held, i = io, f = first, e = emits](net::cancellation_type) {
      if (++*e > 1) return;
      f();
      net::post(*i, [held] {
        auto handler = std::move(**held);
        held->reset();
        std::move(handler)(net::error::operation_aborted);
      });
    });
  }
};

// Runs io on a thread of its own until done() holds (it must read only watched values). An emit
// that waits for itself never returns: the test program then ends with a message rather than
// hang, since io cannot be destroyed under its running thread.
template <class Pred>
void run_on_a_thread_until(net::io_context& io, Pred done) {
  auto guard = net::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  if (!asioctx_test::wait_until(done)) {
    std::fprintf(stderr, "test_bind: io's thread hangs in an emit\n");
    std::_Exit(EXIT_FAILURE);
  }
  guard.reset();
  runner.join();
}

// One reentrant_op on io, bound to a context of its own with a token that has its own slot.
struct own_slot_case {
  net::io_context io;
  asioctx::derived<asioctx::cancel_func> made = asioctx::with_cancel(asioctx::background());
  net::cancellation_signal outer;
  std::atomic<int> emits{0};
  asioctx_test::watched<int> calls{0};
  error_code got;

  void start(std::function<void()> first) {
    auto token = asioctx::bind(
        made.ctx, net::bind_cancellation_slot(outer.slot(), net::bind_executor(io, [this](error_code ec) {
                                                got = ec;
                                                ++calls;
                                              })));
    net::async_initiate<decltype(token), void(error_code)>(reentrant_op{&io, std::move(first), &emits},
                                                           token);
  }
  void run() {
    run_on_a_thread_until(io, [this] { return calls.load() == 1; });
  }
};

// An I/O object whose executor lives inside it (its operations' candidate is a reference to it).
struct io_object_with_executor {
  net::io_context::executor_type ex;
};
// Its operation completes inline, inside the initiating function, as one does through an inline
// immediate executor.
struct completes_inline {
  io_object_with_executor* self;
  using executor_type = net::io_context::executor_type;
  const executor_type& get_executor() const noexcept { return self->ex; }
  template <class Handler>
  void operator()(Handler&& h) const {
    std::forward<Handler>(h)(error_code());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(test_bind)

BOOST_AUTO_TEST_CASE(emit_runs_on_the_handlers_strand_not_the_io_executors) {
  // The operation's I/O executor is one strand, its handler is bound to another: the operation
  // completes on the handler's, so the emit must run there, whichever way round bind is written.
  net::io_context io(2);
  auto guard = net::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { io.run(); });
  strand_t io_strand = net::make_strand(io), handler_strand = net::make_strand(io);
  std::atomic<int> emits{0}, elsewhere{0}, off{0};
  asioctx_test::watched<int> calls{0};
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto h = [&](error_code ec) {
    if (!handler_strand.running_in_this_thread() || ec != error::canceled) ++off;
    ++calls;
  };
  asioctx_test::watched<bool> started{false};
  net::post(handler_strand, [&, c = ctx] {
    probe_op op{io_strand, on_the_strand(), &emits, &elsewhere};
    auto inside = asioctx::bind(c, net::bind_executor(handler_strand, h));
    net::async_initiate<decltype(inside), void(error_code)>(op, inside);
    auto outside = net::bind_executor(handler_strand, asioctx::bind(c, h));
    net::async_initiate<decltype(outside), void(error_code)>(op, outside);
    started = true;
  });
  BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return started.load(); }));
  std::thread([c = cancel] { c(); }).join();
  BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return calls.load() == 2; }));
  BOOST_TEST(emits.load() == 2);
  BOOST_TEST(elsewhere.load() == 0);
  BOOST_TEST(off.load() == 0);
  guard.reset();
  for (auto& t : threads) t.join();
}

BOOST_AUTO_TEST_CASE(each_io_context_gets_the_emits_of_its_own_operations) {
  // One context's operations on two io_contexts, each through the io_context's executor and an
  // any_io_executor over it: the operations of one io_context are emitted into there, together,
  // and none of the other's.
  net::io_context a(1), b(1);
  std::atomic<int> emits{0}, elsewhere{0};
  int done_a = 0, done_b = 0;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto start = [&, &c = ctx](auto ex, net::io_context& io, int& done) {
    probe_op op{ex, on(io), &emits, &elsewhere};
    auto token = asioctx::bind(c, [&done](error_code ec) { done += ec == error::canceled; });
    net::async_initiate<decltype(token), void(error_code)>(op, token);
  };
  start(a.get_executor(), a, done_a);
  start(net::any_io_executor(b.get_executor()), b, done_b);
  start(net::any_io_executor(a.get_executor()), a, done_a);
  start(b.get_executor(), b, done_b);
  cancel();
  BOOST_TEST(a.run() == 3);  // one batch, then the two completions
  BOOST_TEST(done_a == 2);
  BOOST_TEST(done_b == 0);
  BOOST_TEST(emits.load() == 2);
  BOOST_TEST(b.run() == 3);
  BOOST_TEST(done_b == 2);
  BOOST_TEST(emits.load() == 4);
  BOOST_TEST(elsewhere.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_blocking_never_executor_is_never_emitted_into_inline) {
  // One context's operations on one io_context, the first through its executor, the second
  // through the same executor with blocking.never: cancelled from a handler running there, the
  // first one's emit may run inside cancel(), the second one's must not.
  net::io_context io(1);
  std::atomic<int> emits{0}, elsewhere{0};
  int done = 0, emitted_inside_cancel = -1;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::post(io, [&, &c = ctx, &cancel_ctx = cancel] {
    auto plain = io.get_executor();
    auto never = net::prefer(io.get_executor(), net::execution::blocking.never);
    static_assert(std::is_same_v<decltype(plain), decltype(never)>);
    probe_op op{plain, on(io), &emits, &elsewhere};
    auto h = [&done](error_code ec) { done += ec == error::canceled; };
    auto first = asioctx::bind(c, h);
    net::async_initiate<decltype(first), void(error_code)>(op, first);
    auto second = asioctx::bind(c, net::bind_executor(never, h));
    net::async_initiate<decltype(second), void(error_code)>(op, second);
    cancel_ctx();
    emitted_inside_cancel = emits.load();
  });
  io.run();
  BOOST_TEST(emitted_inside_cancel == 1);
  BOOST_TEST(emits.load() == 2);
  BOOST_TEST(elsewhere.load() == 0);
  BOOST_TEST(done == 2);
}

BOOST_AUTO_TEST_CASE(handler_returning_its_executor_by_reference) {
  // The executor the emit goes to is copied before the handler moves into the operation.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  std::atomic<int> calls{0}, off{0};
  timer.async_wait(asioctx::bind(ctx, handler_with_executor_ref{net::make_strand(io), &calls, &off}));
  io.poll();
  cancel();
  BOOST_TEST(asioctx_test::run_until(io, [&] { return calls.load() == 1; }));
  BOOST_TEST(off.load() == 0);
  // Already done: the early completion goes through a copy too.
  timer.async_wait(asioctx::bind(ctx, handler_with_executor_ref{net::make_strand(io), &calls, &off}));
  BOOST_TEST(asioctx_test::run_until(io, [&] { return calls.load() == 2; }));
  BOOST_TEST(off.load() == 0);
}

BOOST_AUTO_TEST_CASE(operations_on_many_strands_each_emit_on_their_own) {
  // More executors than a context looks through for a slot: each operation still goes into the
  // slot of its own strand.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  constexpr int strands = 20;
  std::atomic<int> emits{0}, elsewhere{0}, calls{0}, off{0};
  std::vector<strand_t> ss;
  for (int i = 0; i < strands; ++i) ss.push_back(net::make_strand(io));
  for (int i = 0; i < strands; ++i) {
    auto& strand = ss[i];
    auto token = asioctx::bind(ctx, net::bind_executor(strand, [&](error_code ec) {
                                 if (!strand.running_in_this_thread() || ec != error::canceled) ++off;
                                 ++calls;
                               }));
    net::async_initiate<decltype(token), void(error_code)>(
        probe_op{strand, on_the_strand(), &emits, &elsewhere}, token);
  }
  cancel();
  BOOST_TEST(asioctx_test::run_until(io, [&] { return calls.load() == strands; }));
  BOOST_TEST(emits.load() == strands);
  BOOST_TEST(elsewhere.load() == 0);
  BOOST_TEST(off.load() == 0);
}

BOOST_AUTO_TEST_CASE(cancel_aborts_pending_operation_with_context_error) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(ctx, recorder(r)));
  io.poll();
  BOOST_TEST(r->calls == 0);
  cancel();
  io.run_for(10s);
  BOOST_TEST(r->calls == 1);
  BOOST_TEST((r->ec == error::canceled));
}

BOOST_AUTO_TEST_CASE(cancel_from_another_thread) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(ctx, recorder(r)));
  std::thread canceller([cancel = cancel] { cancel(); });
  io.run_for(10s);  // returns once the aborted wait completed: nothing else is pending
  canceller.join();
  BOOST_TEST(r->calls == 1);
  BOOST_TEST((r->ec == error::canceled));
}

BOOST_AUTO_TEST_CASE(deadline_arms_one_timer_for_many_operations) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);  // no executor given
  std::vector<std::unique_ptr<net::steady_timer>> timers;
  auto r = std::make_shared<result>();
  for (int i = 0; i < 1000; ++i) {
    timers.push_back(std::make_unique<net::steady_timer>(io, 1h));
    timers.back()->async_wait(asioctx::bind(ctx, recorder(r)));
  }
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
  io.run_for(10s);
  BOOST_TEST(r->calls == 1000);
  BOOST_TEST((r->ec == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(inherited_deadline_arms_the_ancestors_timer) {
  net::io_context io;
  auto [outer, cancel_outer] = asioctx::with_timeout(asioctx::background(), 50ms);
  auto [inner, cancel_inner] = asioctx::with_cancel(outer);
  net::steady_timer timer(io, 1h);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(inner, recorder(r)));
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *outer.deadline()));
  io.run_for(10s);
  BOOST_TEST((r->ec == error::deadline_exceeded));
}

// Defect 1, third consequence: with an adapter outside bind, the lazy deadline was armed on
// system_context. The operation's own io_context must get it, whichever adapter wraps bind.
BOOST_AUTO_TEST_CASE(deadline_armed_on_the_operations_context_with_an_adapter_outside) {
  const auto check = [](const char* shape, auto start) {
    BOOST_TEST_CONTEXT(shape) {
      net::io_context io;
      auto strand = net::make_strand(io);
      auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);  // no executor given
      net::steady_timer timer(strand, 1h);
      auto r = std::make_shared<result>();
      bool on_strand = false;
      start(timer, ctx, [r, &on_strand, &strand](error_code ec) {
        on_strand = strand.running_in_this_thread();
        (*r)(ec);
      });
      BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
      io.run_for(10s);
      BOOST_TEST(r->calls == 1);
      BOOST_TEST((r->ec == error::deadline_exceeded));
      BOOST_TEST(on_strand);
    }
  };
  check("bind_executor", [&](net::steady_timer& t, const asioctx::context& c, auto h) {
    t.async_wait(net::bind_executor(t.get_executor(), asioctx::bind(c, h)));
  });
  check("as_tuple", [](net::steady_timer& t, const asioctx::context& c, auto h) {
    t.async_wait(net::as_tuple(asioctx::bind(c, [h](std::tuple<error_code> e) { h(std::get<0>(e)); })));
  });
  check("bind_allocator", [](net::steady_timer& t, const asioctx::context& c, auto h) {
    t.async_wait(net::bind_allocator(tagged_allocator<void>(7), asioctx::bind(c, h)));
  });
  net::cancellation_signal never;
  check("bind_cancellation_slot", [&never](net::steady_timer& t, const asioctx::context& c, auto h) {
    t.async_wait(net::bind_cancellation_slot(never.slot(), asioctx::bind(c, h)));
  });
  check("deferred", [](net::steady_timer& t, const asioctx::context& c, auto h) {
    t.async_wait(net::deferred)(asioctx::bind(c, h));
  });
}

BOOST_AUTO_TEST_CASE(already_done_completes_promptly_without_starting) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  cancel();
  net::steady_timer timer(io, 1h);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(ctx, recorder(r)));
  BOOST_TEST(r->calls == 0);         // never inside the initiating function
  BOOST_TEST(timer.cancel() == 0u);  // the wait was never started
  io.run_for(10s);
  BOOST_TEST(r->calls == 1);
  BOOST_TEST((r->ec == error::canceled));
}

namespace {

// An operation that waits an hour, or until its cancellation slot is emitted, then completes
// through finish(handler, aborted); `started` says whether it was initiated.
template <class Finish>
struct hour_long_op {
  net::io_context& io;
  bool* started;
  Finish finish;
  using executor_type = net::io_context::executor_type;
  executor_type get_executor() const noexcept { return io.get_executor(); }
  template <class Handler>
  void operator()(Handler h) const {
    *started = true;
    auto timer = std::make_shared<net::steady_timer>(io, 1h);
    auto slot = net::get_associated_cancellation_slot(h);
    if (slot.is_connected()) slot.assign([timer](net::cancellation_type) { timer->cancel(); });
    timer->async_wait(
        [timer, h = std::move(h), f = finish](error_code ec) mutable { f(std::move(h), !!ec); });
  }
};

template <class Signature, class Finish, class Token>
auto async_hour_long(net::io_context& io, bool* started, Finish finish, Token&& token) {
  return net::async_initiate<Token, Signature>(hour_long_op<Finish>{io, started, finish}, token);
}

}  // namespace

BOOST_AUTO_TEST_CASE(expired_deadline_never_observed_before) {
  // The deadline passes while nothing waits and nobody looks; an operation bound afterwards
  // completes with deadline_exceeded, its other arguments value-initialised, without being
  // started; one whose signature has no error_code is started and cancelled.
  net::io_context io;
  auto [late, cancel_late] = asioctx::with_timeout(asioctx::background(), 5ms);
  asioctx_test::sleep_past(*late.deadline());
  bool started = false;
  std::optional<std::tuple<error_code, std::size_t>> r;
  async_hour_long<void(error_code, std::size_t)>(
      io, &started,
      [](auto h, bool aborted) {
        std::move(h)(aborted ? error_code(net::error::operation_aborted) : error_code(), aborted ? 7u : 42u);
      },
      asioctx::bind(late, [&](error_code ec, std::size_t n) { r.emplace(ec, n); }));
  BOOST_TEST(!r.has_value());  // never inside the initiating function
  std::optional<int> plain;
  bool plain_started = false;  // void(int): no error_code to complete early with
  async_hour_long<void(int)>(
      io, &plain_started, [](auto h, bool aborted) { std::move(h)(aborted ? -1 : 1); },
      asioctx::bind(late, [&](int v) { plain = v; }));
  BOOST_TEST(asioctx_test::run_until(io, [&] { return r.has_value() && plain.has_value(); }));
  BOOST_TEST(!started);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((std::get<0>(*r) == error::deadline_exceeded));
  BOOST_TEST(std::get<1>(*r) == 0u);
  BOOST_TEST(plain_started);
  BOOST_TEST((plain == -1));  // the emit reached it
}

BOOST_AUTO_TEST_CASE(other_results_pass_through) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1ms);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(ctx, recorder(r)));
  io.run_for(10s);
  BOOST_TEST(r->calls == 1);
  BOOST_TEST(!r->ec);
  cancel();  // nothing pending any more
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);

  // operation_aborted for another reason stays operation_aborted.
  auto [ctx2, cancel2] = asioctx::with_cancel(asioctx::background());
  net::steady_timer t2(io, 1h);
  auto r2 = std::make_shared<result>();
  t2.async_wait(asioctx::bind(ctx2, recorder(r2)));
  t2.cancel();
  io.restart();
  io.run_for(10s);
  BOOST_TEST((r2->ec == net::error::operation_aborted));
}

BOOST_AUTO_TEST_CASE(completed_operations_unregister_at_once) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::size_t ran = 0;
  for (int batch = 0; batch < 100; ++batch) {
    for (int i = 0; i < 10000; ++i) net::post(io, asioctx::bind(ctx, [&ran] { ++ran; }));
    BOOST_TEST_REQUIRE(asioctx_test::waiter_count(ctx) == 10000u);
    io.restart();
    io.run();
    BOOST_TEST_REQUIRE(asioctx_test::waiter_count(ctx) == 0u);
  }
  BOOST_TEST(ran == 1000000u);
}

BOOST_AUTO_TEST_CASE(use_future_token) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  auto f = timer.async_wait(asioctx::bind(ctx, net::use_future));
  std::thread runner([&] { io.run_for(10s); });
  cancel();
  runner.join();
  BOOST_REQUIRE((f.wait_for(0s) == std::future_status::ready));
  try {
    f.get();
    BOOST_FAIL("expected an exception");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == error::canceled));
  }
}

BOOST_AUTO_TEST_CASE(deferred_and_as_tuple_tokens) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 10ms);
  net::steady_timer timer(io, 1h);
  auto op = timer.async_wait(asioctx::bind(ctx, net::deferred));
  auto r = std::make_shared<result>();
  std::move(op)(recorder(r));  // started only now
  net::steady_timer t2(io, 1h);
  std::optional<std::tuple<error_code>> tup;
  t2.async_wait(net::as_tuple(asioctx::bind(ctx, [&](std::tuple<error_code> t) { tup = t; })));
  net::steady_timer t3(io, 1h);
  std::optional<std::tuple<error_code>> tup2;
  t3.async_wait(asioctx::bind(ctx, net::as_tuple([&](std::tuple<error_code> t) { tup2 = t; })));
  io.run_for(10s);
  BOOST_TEST((r->ec == error::deadline_exceeded));
  BOOST_REQUIRE(tup.has_value());
  BOOST_TEST((std::get<0>(*tup) == error::deadline_exceeded));
  BOOST_REQUIRE(tup2.has_value());
  BOOST_TEST((std::get<0>(*tup2) == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(detached_token) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  timer.async_wait(asioctx::bind(ctx, net::detached));
  cancel();
  // run() only returns once the wait completed: proof the detached operation was cancelled.
  io.run_for(10s);
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_CASE(yield_context_token) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 10ms);
  error_code got;
  net::spawn(
      io,
      [&, ctx = ctx](net::yield_context yield) {
        net::steady_timer timer(yield.get_executor(), 1h);
        error_code ec;
        timer.async_wait(asioctx::bind(ctx, yield[ec]));
        got = ec;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run_for(10s);
  BOOST_TEST((got == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(strand_executor_is_preserved_and_emits_there) {
  net::thread_pool pool(2);
  auto strand = net::make_strand(pool);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  asioctx_test::watched<int> done{0};
  std::atomic<bool> on_strand{true};
  std::vector<std::unique_ptr<net::steady_timer>> timers;
  for (int i = 0; i < 50; ++i) timers.push_back(std::make_unique<net::steady_timer>(pool, 1h));
  // Start the waits on the strand, as Asio requires of operations cancelled from elsewhere.
  asioctx_test::watched<bool> started{false};
  net::post(strand, [&, &ctx = ctx] {
    for (auto& t : timers)
      t->async_wait(asioctx::bind(ctx, net::bind_executor(strand, [&](error_code ec) {
                                    if (!strand.running_in_this_thread() || ec != error::canceled)
                                      on_strand = false;
                                    ++done;
                                  })));
    started = true;
  });
  BOOST_TEST(asioctx_test::wait_until([&] { return started.load(); }));
  cancel();
  BOOST_TEST(asioctx_test::wait_until([&] { return done.load() == 50; }));
  BOOST_TEST(on_strand.load());
  pool.join();
}

BOOST_AUTO_TEST_CASE(associations_are_forwarded) {
  net::io_context io;
  auto strand = net::make_strand(io);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::cancellation_signal outer;
  tagged_allocator<void> alloc(42);
  bool checked = false;
  auto handler = net::bind_cancellation_slot(
      outer.slot(), net::bind_allocator(alloc, net::bind_executor(strand, [](error_code) {})));
  auto token = asioctx::bind(ctx, std::move(handler));
  net::async_initiate<decltype(token), void(error_code)>(
      [&](auto h) {
        BOOST_TEST((net::get_associated_executor(h) == strand));
        BOOST_TEST((net::get_associated_allocator(h) == alloc));
        auto slot = net::get_associated_cancellation_slot(h);
        BOOST_TEST(slot.is_connected());
        BOOST_TEST(!(slot == outer.slot()));  // the operation gets its own slot
        checked = true;
        net::post(strand, [h = std::move(h)]() mutable { std::move(h)(error_code()); });
      },
      token);
  io.run();
  BOOST_TEST(checked);
}

// A handler with no allocator of its own reports the pool's (asioctx/detail/op_pool.hpp): Asio
// allocates the bound operation from this thread's free lists, the block of each completed wait
// reused by the next (on a fresh thread: its cache holds nothing of other tests). One that names
// an allocator keeps it, std::allocator included. Under AddressSanitizer the blocks come from the
// heap instead.
BOOST_AUTO_TEST_CASE(operations_without_an_allocator_come_from_the_pool) {
  auto plain = [](error_code) {};
  static_assert(std::is_same_v<net::associated_allocator_t<asioctx::detail::bound_handler<decltype(plain)>>,
                               asioctx::detail::op_allocator<void>>);
  using named = decltype(net::bind_allocator(std::allocator<void>(), plain));
  static_assert(std::is_same_v<net::associated_allocator_t<asioctx::detail::bound_handler<named>>,
                               std::allocator<void>>);
  std::thread([] {
    net::io_context io(1);
    auto made = asioctx::with_cancel(asioctx::background());  // not a structured binding: captured
    const asioctx::context& ctx = made.ctx;
    net::steady_timer t(io, net::steady_timer::time_point::min());
    int ok = 0;
    auto wait_once = [&] {
      t.async_wait(asioctx::bind(ctx, [&ok](error_code ec) { ok += !ec; }));
      io.restart();
      io.run();
    };
    wait_once();  // warms this thread's free list
    const unsigned long long before = asioctx::detail::op_pool_reuses();
    for (int i = 0; i < 10; ++i) wait_once();
    BOOST_TEST(ok == 11);
#if !defined(ASIOCTX_DETAIL_HEAP_OPERATIONS)
    BOOST_TEST(asioctx::detail::op_pool_reuses() >= before + 10);
#else
    BOOST_TEST(asioctx::detail::op_pool_reuses() == before);
#endif
  }).join();
}

BOOST_AUTO_TEST_CASE(existing_slot_keeps_working) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::cancellation_signal outer;
  net::steady_timer timer(io, 1h);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(ctx, net::bind_cancellation_slot(outer.slot(), recorder(r))));
  io.poll();
  outer.emit(net::cancellation_type::terminal);  // the token's own source cancels too
  io.run_for(10s);
  BOOST_TEST(r->calls == 1);
  BOOST_TEST((r->ec == net::error::operation_aborted));  // not the context's doing
  BOOST_TEST(!ctx.done());
  BOOST_TEST(!outer.slot().has_handler());  // the proxy was disarmed on completion

  // And the context still cancels an operation whose token has a slot.
  net::steady_timer t2(io, 1h);
  auto r2 = std::make_shared<result>();
  t2.async_wait(asioctx::bind(ctx, net::bind_cancellation_slot(outer.slot(), recorder(r2))));
  cancel();
  io.restart();
  io.run_for(10s);
  BOOST_TEST((r2->ec == error::canceled));
}

BOOST_AUTO_TEST_CASE(cancellation_type_is_passed) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::optional<net::cancellation_type> seen;
  std::function<void(error_code)> keep;
  auto token = asioctx::bind(ctx, net::bind_executor(io, [](error_code) {}), net::cancellation_type::partial);
  net::async_initiate<decltype(token), void(error_code)>(
      [&](auto h) {
        auto slot = net::get_associated_cancellation_slot(h);
        slot.assign([&](net::cancellation_type t) { seen = t; });
        keep = [h = std::make_shared<decltype(h)>(std::move(h))](error_code ec) mutable {
          std::move (*h)(ec);
        };
      },
      token);
  cancel();
  io.run_for(1s);
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST((*seen == net::cancellation_type::partial));
  keep(error_code());
}

BOOST_AUTO_TEST_CASE(operation_completing_inside_its_cancellation_handler) {
  // Some operations complete from inside their cancellation handler, while the context's emit
  // is still on the stack: the completion is delivered once, translated, and nothing is touched
  // after it (ASan checks the memory).
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto r = std::make_shared<result>();
  for (int i = 0; i < 100; ++i) {
    auto token = asioctx::bind(ctx, recorder(r));
    net::async_initiate<decltype(token), void(error_code)>(inline_op{io.get_executor()}, token);
  }
  cancel();
  io.run_for(10s);
  BOOST_TEST(r->calls == 100);
  BOOST_TEST((r->ec == error::canceled), r->ec.message());
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(operation_completing_inside_the_tokens_own_emit) {
  // The same, from the token's own slot: the emitter on the stack frees each operation once,
  // whether the context is live, or done with its batch not yet run, or done and run.
  for (int phase = 0; phase < 3; ++phase) {
    BOOST_TEST_CONTEXT("phase " << phase) {
      net::io_context io;
      auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
      auto r = std::make_shared<result>();
      std::vector<net::cancellation_signal> outer(50);
      for (auto& s : outer) {
        auto token = asioctx::bind(ctx, net::bind_cancellation_slot(s.slot(), recorder(r)));
        net::async_initiate<decltype(token), void(error_code)>(inline_op{io.get_executor()}, token);
      }
      if (phase > 0) cancel();   // the batch is handed to io, not run yet
      if (phase > 1) io.poll();  // run: the context's emits complete them all
      for (auto& s : outer) s.emit(net::cancellation_type::terminal);
      io.restart();
      io.run_for(10s);
      BOOST_TEST(r->calls == 50);
      // Translated only where the context's emit reached the operation first.
      BOOST_TEST(((phase == 2 ? r->ec == error::canceled : r->ec == net::error::operation_aborted)),
                 r->ec.message());
      BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(handler_on_another_thread_waits_out_the_emit) {
  // The batch emits on io's thread; the operation's cancellation handler hands the completion to
  // another thread and returns only later. The handler there waits until the emit has returned
  // (the batch's last touch of the operation), then gets the context's error, once.
  net::io_context io, other;
  auto guard = net::make_work_guard(other);
  std::thread runner([&] { other.run(); });
  asioctx_test::watched<int> entered{0}, ran{0};
  std::atomic<bool> ran_inside_emit{false};
  error_code got;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto init = [&](auto handler) {
    auto slot = net::get_associated_cancellation_slot(handler);
    auto held = std::make_shared<std::optional<decltype(handler)>>(std::move(handler));
    slot.assign([&, held](net::cancellation_type) {
      net::post(other, [&, held] {
        ++entered;
        auto h = std::move(**held);
        held->reset();
        std::move(h)(net::error::operation_aborted);
      });
      BOOST_TEST(asioctx_test::wait_until([&] { return entered.load() == 1; }));
      // The handler has been entered on the other thread: it must not get past the emit.
      ran_inside_emit = asioctx_test::wait_until([&] { return ran.load() == 1; }, 50ms);
    });
  };
  auto token = asioctx::bind(ctx, net::bind_executor(io, [&](error_code ec) {
                               got = ec;
                               ++ran;
                             }));
  net::async_initiate<decltype(token), void(error_code)>(init, token);
  cancel();
  io.run_for(10s);
  BOOST_TEST(asioctx_test::wait_until([&] { return ran.load() == 1; }));
  guard.reset();
  runner.join();
  BOOST_TEST(!ran_inside_emit.load());
  BOOST_TEST(ran.load() == 1);
  BOOST_TEST((got == error::canceled), got.message());
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(io_object_destroyed_by_a_completion_inside_its_initiation) {
  // The operation completes before its initiating function returns, and its handler destroys the
  // I/O object: bind must not read the I/O object's executor after initiation (ASan checks the
  // memory; the same holds for a completion on another thread racing the registration).
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  int calls = 0;
  auto* object = new io_object_with_executor{io.get_executor()};
  auto token = asioctx::bind(ctx, [&calls, object](error_code) {
    ++calls;
    delete object;
  });
  net::async_initiate<decltype(token), void(error_code)>(completes_inline{object}, token);
  BOOST_TEST(calls == 1);
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(io_context_rebuilt_where_a_destroyed_one_was) {
  // A long-lived context keeps an idle batch for an io_context's executor. That io_context is
  // destroyed and another built at the same address: an operation bound there is cancelled on
  // it, not left in the first one's batch, whose execution context has shut down.
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  alignas(net::io_context) unsigned char storage[sizeof(net::io_context)];
  auto* first = new (storage) net::io_context;
  {
    net::steady_timer t(*first, net::steady_timer::time_point::min());
    t.async_wait(asioctx::bind(ctx, [](error_code) {}));
    first->run();
  }
  first->~io_context();
  auto* second = new (storage) net::io_context;
  int calls = 0;
  error_code got;
  {
    net::steady_timer t(*second, 10s);
    t.async_wait(asioctx::bind(ctx, [&](error_code ec) {
      got = ec;
      ++calls;
    }));
    cancel();
    second->run_for(5s);
  }
  second->~io_context();
  BOOST_TEST(calls == 1);
  BOOST_TEST((got == error::canceled), got.message());
}

BOOST_AUTO_TEST_CASE(context_cancelled_inside_the_tokens_own_emit) {
  // The token's own emit reaches the operation's cancellation handler, which cancels the context
  // (user code may): the context's batch runs inline on io's thread while that emit is still on
  // the stack. The context's emit follows the token's once it has returned.
  own_slot_case t;
  t.start([c = t.made.cancel] { c(); });
  net::post(t.io, [&t] { t.outer.emit(net::cancellation_type::terminal); });
  t.run();
  BOOST_TEST(t.calls.load() == 1);
  BOOST_TEST(t.emits.load() == 2);  // the token's, then the context's
  BOOST_TEST((t.got == error::canceled), t.got.message());
  BOOST_TEST(asioctx_test::waiter_count(t.made.ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(tokens_own_emit_from_inside_the_contexts_emit) {
  // The reverse: the context's emit reaches the cancellation handler, which emits the token's own
  // signal. That emit follows the context's once it has returned, with its own type.
  own_slot_case t;
  t.start([&t] { t.outer.emit(net::cancellation_type::partial); });
  t.made.cancel();
  t.run();
  BOOST_TEST(t.calls.load() == 1);
  BOOST_TEST(t.emits.load() == 2);  // the context's, then the token's
  BOOST_TEST((t.got == error::canceled), t.got.message());
  BOOST_TEST(asioctx_test::waiter_count(t.made.ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(operation_completing_inside_an_emit_nested_in_its_own) {
  // x's cancellation handler emits y's token's signal, and y's cancellation handler completes x
  // inline: x completes inside y's emit, which runs inside x's own. x's emitter, lower on the
  // stack, settles it; nothing waits for itself.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto [other, cancel_other] = asioctx::with_cancel(asioctx::background());  // y's, live throughout
  net::cancellation_signal y_outer;
  asioctx_test::watched<int> x_calls{0}, y_calls{0};
  error_code x_got, y_got;
  std::function<void()> complete_x;
  auto x_init = [&](auto handler) {
    auto slot = net::get_associated_cancellation_slot(handler);
    auto held = std::make_shared<std::optional<decltype(handler)>>(std::move(handler));
    complete_x = [held] {
      auto h = std::move(**held);
      held->reset();
      std::move(h)(net::error::operation_aborted);
    };
    slot.assign([&](net::cancellation_type) { y_outer.emit(net::cancellation_type::terminal); });
  };
  auto y_init = [&](auto handler) {
    auto slot = net::get_associated_cancellation_slot(handler);
    auto held = std::make_shared<std::optional<decltype(handler)>>(std::move(handler));
    slot.assign([&, held](net::cancellation_type) {
      complete_x();  // inline, inside y's emit, inside x's
      net::post(io, [held] {
        auto h = std::move(**held);
        held->reset();
        std::move(h)(net::error::operation_aborted);
      });
    });
  };
  auto x_token = asioctx::bind(ctx, net::bind_executor(io, [&](error_code ec) {
                                 x_got = ec;
                                 ++x_calls;
                               }));
  auto y_token = asioctx::bind(
      other, net::bind_cancellation_slot(y_outer.slot(), net::bind_executor(io, [&](error_code ec) {
                                           y_got = ec;
                                           ++y_calls;
                                         })));
  net::async_initiate<decltype(x_token), void(error_code)>(x_init, x_token);
  net::async_initiate<decltype(y_token), void(error_code)>(y_init, y_token);
  cancel();
  run_on_a_thread_until(io, [&] { return x_calls.load() == 1 && y_calls.load() == 1; });
  BOOST_TEST((x_got == error::canceled), x_got.message());
  BOOST_TEST((y_got == net::error::operation_aborted), y_got.message());
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
  BOOST_TEST(asioctx_test::waiter_count(other) == 0u);
}

BOOST_AUTO_TEST_CASE(channel_receive_reports_the_contexts_error) {
  // Asio's channels report their slot's cancellation as channel_cancelled: translated too.
  net::io_context io;
  net::experimental::channel<void(error_code, int)> ch(io, 1);
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 5ms);
  std::optional<error_code> got;
  ch.async_receive(asioctx::bind(ctx, [&](error_code ec, int) { got = ec; }));
  io.run_for(10s);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST((*got == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(operation_finishing_first_races_cancel) {
  // Operations that complete just as their context is cancelled from another thread complete
  // exactly once, with success or with canceled.
  net::io_context io;
  auto guard = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  asioctx_test::watched<int> completions{0};
  std::atomic<int> ok{0}, canceled{0}, wrong{0};
  constexpr int rounds = 2000;
  for (int i = 0; i < rounds; ++i) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    auto timer = std::make_shared<net::steady_timer>(io, std::chrono::microseconds(i % 50));
    net::post(io, [timer, ctx = ctx, &completions, &ok, &canceled, &wrong] {
      timer->async_wait(asioctx::bind(ctx, [timer, &completions, &ok, &canceled, &wrong](error_code ec) {
        ++completions;
        if (!ec)
          ++ok;
        else if (ec == error::canceled)
          ++canceled;
        else
          ++wrong;
      }));
    });
    cancel();
  }
  BOOST_TEST(asioctx_test::wait_until([&] { return completions.load() == rounds; }));
  guard.reset();
  runner.join();
  BOOST_TEST(completions.load() == rounds);
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(ok.load() + canceled.load() == rounds);
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_before_bound_contexts) {
  std::optional<asioctx::context> keep;
  asioctx::cancel_func keep_cancel;
  auto r = std::make_shared<result>();
  {
    net::io_context io;
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
    keep = ctx;
    keep_cancel = cancel;
    net::steady_timer timer(io, 1h);
    timer.async_wait(asioctx::bind(ctx, recorder(r)));
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
    BOOST_TEST(asioctx_test::waiter_count(ctx) == 1u);
  }
  // The pending handler was destroyed with the io_context and unregistered itself.
  BOOST_TEST(asioctx_test::waiter_count(*keep) == 0u);
  keep_cancel();
  BOOST_TEST(r->calls == 0);
  BOOST_TEST((keep->err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(background_binding_is_transparent) {
  net::io_context io;
  net::steady_timer timer(io, 1ms);
  auto r = std::make_shared<result>();
  timer.async_wait(asioctx::bind(asioctx::background(), recorder(r)));
  timer.async_wait(asioctx::bind(asioctx::without_cancel(asioctx::todo()), recorder(r)));
  io.run_for(10s);
  BOOST_TEST(r->calls == 2);
  BOOST_TEST(!r->ec);
}

BOOST_AUTO_TEST_SUITE_END()
