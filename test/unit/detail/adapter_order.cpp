// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// bind() in every position among Asio's adapters (DESIGN rule 7): each adapter inside and outside
// bind, with a plain callback and with use_awaitable, on a 4-thread io_context whose operation
// runs on a strand. The handler runs exactly once, on the strand; the emit runs on the strand;
// the result is the context's error; live and already-done contexts; cancels from other threads.
#include <asioctx/bind.hpp>

#include "../test_util.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/consign.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prepend.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#include <boost/asio/bind_immediate_executor.hpp>
#endif
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;
using strand_t = net::strand<net::io_context::executor_type>;

namespace {

// An operation on a strand that completes only when cancelled, recording where each emit ran.
struct probe {
  strand_t strand;
  asioctx_test::watched<int> started{0};
  std::atomic<int> emits{0}, emits_off_strand{0}, no_slot{0};  // Boost.Test asserts on this thread only

  explicit probe(net::io_context& io) : strand(net::make_strand(io)) {}

  template <class Handler, class Executor>
  struct state {
    std::optional<Handler> handler;
    net::executor_work_guard<Executor> work;
    template <class H>
    state(H&& h, const Executor& ex) : handler(std::forward<H>(h)), work(ex) {}
    void complete(error_code ec) {
      if (!handler) return;
      auto ex = work.get_executor();
      net::post(ex, [h = std::move(*handler), ec]() mutable { std::move(h)(ec); });
      handler.reset();
      work.reset();
    }
  };

  struct initiation {
    probe* self;
    using executor_type = strand_t;
    executor_type get_executor() const noexcept { return self->strand; }
    template <class Handler>
    void operator()(Handler&& handler) const {
      using handler_type = std::decay_t<Handler>;
      auto slot = net::get_associated_cancellation_slot(handler);
      auto ex = net::get_associated_executor(handler, self->strand);
      auto st = std::make_shared<state<handler_type, decltype(ex)>>(std::forward<Handler>(handler), ex);
      ++self->started;
      if (!slot.is_connected()) {
        ++self->no_slot;
        return;
      }
      slot.assign([st, p = self](net::cancellation_type) {
        ++p->emits;
        if (!p->strand.running_in_this_thread()) ++p->emits_off_strand;
        st->complete(net::error::operation_aborted);
      });
    }
  };

  template <class Token>
  auto async_wait(Token&& token) {
    return net::async_initiate<Token, void(error_code)>(initiation{this}, token);
  }
};

// Where and how often the handler ran, and with what.
struct outcome {
  asioctx_test::watched<int> calls{0};
  std::atomic<int> off_strand{0};
  error_code ec;                 // written once, by the single call
  error_code redirect;           // redirect_error's target
  net::cancellation_signal sig;  // bind_cancellation_slot's; never emitted
};

// A plain callback for every shape the adapters give the result.
struct recorder {
  outcome* out;
  const strand_t* strand;
  void record(error_code ec) const {
    out->ec = ec;
    if (!strand->running_in_this_thread()) ++out->off_strand;
    ++out->calls;
  }
  void operator()(error_code ec) const { record(ec); }
  void operator()(std::tuple<error_code> t) const { record(std::get<0>(t)); }
  void operator()() const { record(out->redirect); }  // redirect_error took the error
};

// A 4-thread io_context.
struct pool {
  net::io_context io{4};
  net::executor_work_guard<net::io_context::executor_type> guard{io.get_executor()};
  std::vector<std::thread> threads;
  pool() {
    for (int i = 0; i < 4; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~pool() {
    guard.reset();
    for (auto& t : threads) t.join();
  }
};

template <class T>
struct tagged_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = tagged_allocator<U>;
  };
  tagged_allocator() = default;
  template <class U>
  tagged_allocator(const tagged_allocator<U>&) noexcept {}
};

// Runs one shape: start(ctx, probe, outcome) starts the operation; the context is cancelled from
// this (non-io) thread once the operation is pending, or before it starts, or concurrently.
enum class when { pending, before, racing };

template <class Start>
void check(const char* shape, Start start, when w) {
  BOOST_TEST_CONTEXT(shape << (w == when::pending ? " live" : w == when::before ? " done" : " racing")) {
    pool p;
    probe pr(p.io);
    outcome out;
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    if (w == when::before) cancel();
    std::thread canceller;
    if (w == when::racing) canceller = std::thread([c = cancel] { c(); });
    net::post(pr.strand, [&, c = ctx] { start(c, pr, out); });
    if (w == when::pending) {
      BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return pr.started.load() == 1; }));
      cancel();
    }
    if (canceller.joinable()) canceller.join();
    BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return out.calls.load() >= 1; }));
    // Nothing more arrives: the posted work is all done once the strand has drained twice.
    for (int i = 0; i < 2; ++i) {
      asioctx_test::watched<bool> drained{false};
      net::post(pr.strand, [&] { drained = true; });
      BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return drained.load(); }));
    }
    BOOST_TEST(out.calls.load() == 1);
    BOOST_TEST(out.off_strand.load() == 0);
    BOOST_TEST(pr.emits_off_strand.load() == 0);
    BOOST_TEST(pr.no_slot.load() == 0);
    BOOST_TEST((out.ec == error::canceled));
    // Exactly one emit for a pending operation; none or one when the cancel raced its start.
    if (w == when::pending) BOOST_TEST(pr.emits.load() == 1);
    BOOST_TEST(pr.emits.load() <= 1);
  }
}

template <class Start>
void check_all(const char* shape, Start start, int races = 20) {
  check(shape, start, when::pending);
  check(shape, start, when::before);
  for (int i = 0; i < races; ++i) check(shape, start, when::racing);
}

// A plain callback for whatever shape two adapters give the result: the first error_code among
// its arguments (or inside a tuple), else redirect_error's target.
struct any_recorder {
  outcome* out;
  const strand_t* strand;
  template <class... A>
  void operator()(A&&... a) const {
    std::optional<error_code> ec;
    (find(ec, a), ...);
    out->ec = ec ? *ec : out->redirect;
    if (!strand->running_in_this_thread()) ++out->off_strand;
    ++out->calls;
  }
  static void find(std::optional<error_code>& ec, const error_code& e) {
    if (!ec) ec = e;
  }
  template <class... T>
  static void find(std::optional<error_code>& ec, const std::tuple<T...>& t) {
    std::apply([&](const auto&... x) { (find(ec, x), ...); }, t);
  }
  template <class T>
  static void find(std::optional<error_code>&, const T&) {}
};

// Each of Asio's adapters, as a function of the token it wraps.
inline auto every_adapter(probe& pr, outcome& out) {
  return std::make_tuple([&pr](auto t) { return net::bind_executor(pr.strand, std::move(t)); },
                         [](auto t) { return net::as_tuple(std::move(t)); },
                         [&out](auto t) { return net::redirect_error(std::move(t), out.redirect); },
                         [&out](auto t) { return net::bind_cancellation_slot(out.sig.slot(), std::move(t)); },
                         [](auto t) { return net::bind_allocator(tagged_allocator<void>(), std::move(t)); },
                         [](auto t) { return net::append(std::move(t), 1); },
                         [](auto t) { return net::prepend(std::move(t), 2); },
                         [](auto t) { return net::consign(std::move(t), std::make_shared<int>(3)); }
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
                         ,
                         [&pr](auto t) { return net::bind_immediate_executor(pr.strand, std::move(t)); }
#endif
  );
}
constexpr const char* adapter_names[] = {
    "bind_executor", "as_tuple", "redirect_error", "bind_cancellation_slot", "bind_allocator",
    "append",        "prepend",  "consign",        "bind_immediate_executor"};
constexpr std::size_t adapter_count =
    std::tuple_size_v<decltype(every_adapter(std::declval<probe&>(), std::declval<outcome&>()))>;

// outer(inner(bind(ctx, h))), for one ordered pair of distinct adapters.
template <std::size_t Outer, std::size_t Inner>
void check_two_deep() {
  if constexpr (Outer != Inner) {
    std::string shape = std::string(adapter_names[Outer]) + "(" + adapter_names[Inner] + "(bind))";
    check_all(
        shape.c_str(),
        [](const asioctx::context& ctx, probe& pr, outcome& out) {
          auto adapters = every_adapter(pr, out);
          pr.async_wait(std::get<Outer>(adapters)(
              std::get<Inner>(adapters)(asioctx::bind(ctx, any_recorder{&out, &pr.strand}))));
        },
        2);
  }
}

template <std::size_t... I>
void check_every_pair(std::index_sequence<I...>) {
  (check_two_deep<I / adapter_count, I % adapter_count>(), ...);
}

#define CALLBACK_SHAPE(name, ...)                                            \
  check_all(name, [](const asioctx::context& ctx, probe& pr, outcome& out) { \
    [[maybe_unused]] recorder rec{&out, &pr.strand};                         \
    __VA_ARGS__;                                                             \
  })

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
// The body is a coroutine returning the operation's error; a thrown system_error is its code.
#define AWAIT_SHAPE(name, ...)                                                               \
  check_all(name, [](const asioctx::context& ctx, probe& pr, outcome& out) {                 \
    net::co_spawn(                                                                           \
        pr.strand,                                                                           \
        [ctx, &pr, &out]() -> net::awaitable<error_code> {                                   \
          (void)out;                                                                         \
          try {                                                                              \
            __VA_ARGS__                                                                      \
          } catch (const boost::system::system_error& e) {                                   \
            co_return e.code();                                                              \
          }                                                                                  \
        },                                                                                   \
        [rec = recorder{&out, &pr.strand}](std::exception_ptr, error_code ec) { rec(ec); }); \
  })
#endif

}  // namespace

BOOST_AUTO_TEST_SUITE(test_adapters)

BOOST_AUTO_TEST_CASE(plain_callback_every_adapter_both_sides) {
  CALLBACK_SHAPE("bare", pr.async_wait(asioctx::bind(ctx, rec)));
  CALLBACK_SHAPE("bind_executor inside",
                 pr.async_wait(asioctx::bind(ctx, net::bind_executor(pr.strand, rec))));
  CALLBACK_SHAPE("bind_executor outside",
                 pr.async_wait(net::bind_executor(pr.strand, asioctx::bind(ctx, rec))));
  CALLBACK_SHAPE("as_tuple inside", pr.async_wait(asioctx::bind(ctx, net::as_tuple(rec))));
  CALLBACK_SHAPE("as_tuple outside", pr.async_wait(net::as_tuple(asioctx::bind(ctx, rec))));
  CALLBACK_SHAPE("redirect_error inside",
                 pr.async_wait(asioctx::bind(ctx, net::redirect_error(rec, out.redirect))));
  CALLBACK_SHAPE("redirect_error outside",
                 pr.async_wait(net::redirect_error(asioctx::bind(ctx, rec), out.redirect)));
  CALLBACK_SHAPE("bind_cancellation_slot inside",
                 pr.async_wait(asioctx::bind(ctx, net::bind_cancellation_slot(out.sig.slot(), rec))));
  CALLBACK_SHAPE("bind_cancellation_slot outside",
                 pr.async_wait(net::bind_cancellation_slot(out.sig.slot(), asioctx::bind(ctx, rec))));
  CALLBACK_SHAPE("bind_allocator inside",
                 pr.async_wait(asioctx::bind(ctx, net::bind_allocator(tagged_allocator<void>(), rec))));
  CALLBACK_SHAPE("bind_allocator outside",
                 pr.async_wait(net::bind_allocator(tagged_allocator<void>(), asioctx::bind(ctx, rec))));
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
  CALLBACK_SHAPE("bind_immediate_executor inside",
                 pr.async_wait(asioctx::bind(ctx, net::bind_immediate_executor(pr.strand, rec))));
  CALLBACK_SHAPE("bind_immediate_executor outside",
                 pr.async_wait(net::bind_immediate_executor(pr.strand, asioctx::bind(ctx, rec))));
#endif
  CALLBACK_SHAPE("deferred inside", pr.async_wait(asioctx::bind(ctx, net::deferred))(rec));
  CALLBACK_SHAPE("deferred outside", pr.async_wait(net::deferred)(asioctx::bind(ctx, rec)));
  CALLBACK_SHAPE("const token", {
    const auto token = asioctx::bind(ctx, rec);
    pr.async_wait(token);
  });
  CALLBACK_SHAPE("const token outside", {
    const auto token = net::as_tuple(asioctx::bind(ctx, rec));
    pr.async_wait(token);
  });
}

BOOST_AUTO_TEST_CASE(two_adapters_outside_bind_every_pair_both_orders) {
  // Boost 1.81's adapters hide the operation's executor from bind: each pair must be peeled
  // down to the bound token, whatever the order.
  check_every_pair(std::make_index_sequence<adapter_count * adapter_count>());
}

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
BOOST_AUTO_TEST_CASE(use_awaitable_every_adapter_both_sides) {
  using net::use_awaitable;
  AWAIT_SHAPE("bare", co_await pr.async_wait(asioctx::bind(ctx, use_awaitable)); co_return error_code(););
  AWAIT_SHAPE("bind_executor inside",
              co_await pr.async_wait(asioctx::bind(ctx, net::bind_executor(pr.strand, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_executor outside",
              co_await pr.async_wait(net::bind_executor(pr.strand, asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("as_tuple inside",
              auto [ec] = co_await pr.async_wait(asioctx::bind(ctx, net::as_tuple(use_awaitable)));
              co_return ec;);
  AWAIT_SHAPE("as_tuple outside",
              auto [ec] = co_await pr.async_wait(net::as_tuple(asioctx::bind(ctx, use_awaitable)));
              co_return ec;);
  AWAIT_SHAPE("redirect_error inside", error_code ec;
              co_await pr.async_wait(asioctx::bind(ctx, net::redirect_error(use_awaitable, ec)));
              co_return ec;);
  AWAIT_SHAPE("redirect_error outside", error_code ec;
              co_await pr.async_wait(net::redirect_error(asioctx::bind(ctx, use_awaitable), ec));
              co_return ec;);
  AWAIT_SHAPE(
      "bind_cancellation_slot inside",
      co_await pr.async_wait(asioctx::bind(ctx, net::bind_cancellation_slot(out.sig.slot(), use_awaitable)));
      co_return error_code(););
  AWAIT_SHAPE("bind_cancellation_slot outside", co_await pr.async_wait(net::bind_cancellation_slot(
                                                    out.sig.slot(), asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_allocator inside",
              co_await pr.async_wait(
                  asioctx::bind(ctx, net::bind_allocator(tagged_allocator<void>(), use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_allocator outside", co_await pr.async_wait(net::bind_allocator(
                                            tagged_allocator<void>(), asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
  AWAIT_SHAPE(
      "bind_immediate_executor inside",
      co_await pr.async_wait(asioctx::bind(ctx, net::bind_immediate_executor(pr.strand, use_awaitable)));
      co_return error_code(););
  AWAIT_SHAPE("bind_immediate_executor outside", co_await pr.async_wait(net::bind_immediate_executor(
                                                     pr.strand, asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
#endif
  AWAIT_SHAPE("deferred inside", co_await pr.async_wait(asioctx::bind(ctx, net::deferred))(use_awaitable);
              co_return error_code(););
  AWAIT_SHAPE("deferred outside", co_await pr.async_wait(net::deferred)(asioctx::bind(ctx, use_awaitable));
              co_return error_code(););
}
#endif

BOOST_AUTO_TEST_SUITE_END()
