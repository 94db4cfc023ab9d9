// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The test/unit/detail/adapters.cpp rig: an operation on a 4-thread io_context that completes
// only when cancelled (or by itself), a callback that records any shape of result, and check(),
// which runs one shape every way and asserts where and with what its handler ran.
#ifndef ASIOCTX_TEST_UNIT_DETAIL_ADAPTER_PROBE_HPP
#define ASIOCTX_TEST_UNIT_DETAIL_ADAPTER_PROBE_HPP

#include <asioctx/bind.hpp>

#include "../test_util.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace adapter_probe {

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;
using strand_t = net::strand<net::io_context::executor_type>;

// An operation that completes only when cancelled (or at once, with success, when told to),
// recording where each emit ran. It completes on the strand, or, when the shape binds one with
// bind_executor, on the io_context's executor, so that only the adapter says "strand".
struct probe {
  strand_t strand;
  net::io_context::executor_type plain;
  bool own_strand = true;
  bool succeed = false;
  asioctx_test::watched<int> started{0};
  std::atomic<int> emits{0}, emits_off_strand{0}, no_slot{0};  // Boost.Test asserts on this thread only

  explicit probe(net::io_context& io) : strand(net::make_strand(io)), plain(io.get_executor()) {}

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
    using executor_type = net::any_io_executor;
    executor_type get_executor() const noexcept {
      return self->own_strand ? executor_type(self->strand) : executor_type(self->plain);
    }
    template <class Handler>
    void operator()(Handler&& handler) const {
      using handler_type = std::decay_t<Handler>;
      auto slot = net::get_associated_cancellation_slot(handler);
      auto ex = net::get_associated_executor(handler, get_executor());
      auto st = std::make_shared<state<handler_type, decltype(ex)>>(std::forward<Handler>(handler), ex);
      ++self->started;
      if (!slot.is_connected()) ++self->no_slot;
      if (self->succeed) return st->complete(error_code());
      if (!slot.is_connected()) return;
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
  error_code ec;                                             // written once, by the single call
  int values = 0;                                            // the ints append and prepend added
  error_code redirect = make_error_code(net::error::fault);  // redirect_error's target: written?
  net::cancellation_signal sig;                              // bind_cancellation_slot's; never emitted
};

// A plain callback for every shape the adapters give the result: the first error_code among its
// arguments (or inside a tuple), else redirect_error's target; the sum of the ints.
struct recorder {
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
  void find(std::optional<error_code>& ec, const error_code& e) const {
    if (!ec) ec = e;
  }
  void find(std::optional<error_code>&, int v) const { out->values += v; }
  template <class... T>
  void find(std::optional<error_code>& ec, const std::tuple<T...>& t) const {
    std::apply([&](const auto&... x) { (find(ec, x), ...); }, t);
  }
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

// How the operation ends: its context cancelled from this (non-io) thread once the operation is
// pending, or before it starts, or concurrently; its deadline passed (pending or not); or it
// completes by itself, its context live.
enum class when { pending, before, racing, deadline, never };
constexpr const char* when_names[] = {" live", " done", " racing", " deadline", " not cancelled"};

// What the shape is expected to do beyond the error: whose strand, which values.
struct expect {
  bool own_strand = true;
  int values = 0;
};

template <class Start>
void check(const std::string& shape, Start start, when w, expect e) {
  BOOST_TEST_CONTEXT(shape << when_names[static_cast<int>(w)]) {
    pool p;
    probe pr(p.io);
    pr.own_strand = e.own_strand;
    pr.succeed = w == when::never;
    outcome out;
    auto [ctx, cancel] = w == when::deadline ? asioctx::with_timeout(asioctx::background(), 20ms)
                                             : asioctx::with_cancel(asioctx::background());
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
    BOOST_TEST(out.values == e.values);
    if (w == when::never) {
      BOOST_TEST(!out.ec);
      BOOST_TEST(pr.emits.load() == 0);
    } else if (w == when::deadline) {
      BOOST_TEST((out.ec == error::deadline_exceeded));
    } else {
      BOOST_TEST((out.ec == error::canceled));
    }
    // Exactly one emit for a pending operation; none or one when the cancel raced its start.
    if (w == when::pending) BOOST_TEST(pr.emits.load() == 1);
    BOOST_TEST(pr.emits.load() <= 1);
  }
}

template <class Start>
void check_all(const std::string& shape, Start start, int races, expect e = {}) {
  check(shape, start, when::pending, e);
  check(shape, start, when::before, e);
  for (int i = 0; i < races; ++i) check(shape, start, when::racing, e);
  check(shape, start, when::deadline, e);
  check(shape, start, when::never, e);
}

}  // namespace adapter_probe

#endif  // ASIOCTX_TEST_UNIT_DETAIL_ADAPTER_PROBE_HPP
