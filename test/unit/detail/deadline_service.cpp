// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Deadlines (DESIGN rules 2 and 10): err() that never depends on who looked, saturating
// timeouts, executor-first arms on executors and execution contexts, and the deadline service:
// one heap per execution context, work held only while something waits, nothing left behind.
#include <asioctx/after_func.hpp>
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include "../test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using sclock = asioctx::clock;
using asioctx::error;
using asioctx::error_code;

namespace {
const error_code deadline_cause = make_error_code(boost::system::errc::timed_out);

bool passed(sclock::time_point t) {
  asioctx_test::sleep_past(t);
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_deadline)

BOOST_AUTO_TEST_CASE(deadline_that_passed_before_a_cancel_wins_unobserved) {
  // The child's deadline passes while nobody looks (no timer, no waiter, no err()); then its
  // parent is cancelled. The deadline came first: it wins, as it would had anyone looked.
  for (bool look : {false, true}) {
    auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
    auto d = sclock::now() + 5ms;
    auto [child, cancel_child] = asioctx::with_deadline_cause(parent, d, deadline_cause);
    auto [grandchild, cancel_grandchild] = asioctx::with_cancel(child);
    BOOST_TEST_REQUIRE(passed(d));  // reads the clock only
    if (look) BOOST_TEST((grandchild.err() == error::deadline_exceeded));
    cancel_parent();
    BOOST_TEST((parent.err() == error::canceled));
    BOOST_TEST((child.err() == error::deadline_exceeded));
    BOOST_TEST((grandchild.err() == error::deadline_exceeded));
    BOOST_TEST(asioctx::cause(child) == deadline_cause);
    BOOST_TEST(asioctx::cause(grandchild) == deadline_cause);
  }
}

BOOST_AUTO_TEST_CASE(cancel_before_the_deadline_wins_whoever_looks_later) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [child, cancel_child] = asioctx::with_timeout(parent, 50ms);
  cancel_parent();
  // The cancel came first unless a loaded machine let the deadline pass before it (it then wins).
  const bool cancel_came_first = sclock::now() < *child.deadline();
  BOOST_TEST_REQUIRE(passed(*child.deadline()));
  if (cancel_came_first) BOOST_TEST((child.err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(inherited_deadline_decides_a_direct_cancel_too) {
  // A context whose inherited deadline passed unobserved, cancelled directly: deadline_exceeded,
  // with the owner's cause; the owner reports the same.
  auto [owner, cancel_owner] = asioctx::with_timeout_cause(asioctx::background(), 5ms, deadline_cause);
  auto [child, cancel_child] = asioctx::with_cancel(owner);
  BOOST_TEST_REQUIRE(passed(*owner.deadline()));
  cancel_child();
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(child) == deadline_cause);
  BOOST_TEST((owner.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(timeouts_saturate) {
  net::io_context io;
  // now + t past time_point::max(): no deadline.
  for (auto t : {sclock::duration::max(), sclock::duration::max() - 1s,
                 sclock::duration::max() - sclock::duration(1)}) {
    auto [a, ca] = asioctx::with_timeout(asioctx::background(), t);
    BOOST_TEST(!a.done());
    BOOST_TEST(!a.deadline().has_value());  // no deadline, never an overflow
    auto [b, cb] = asioctx::with_timeout_cause(asioctx::background(), t, deadline_cause);
    BOOST_TEST(!b.done());
    BOOST_TEST(!b.deadline().has_value());
    auto [c, cc] = asioctx::with_timeout(io, asioctx::background(), t);
    BOOST_TEST(!c.done());
    BOOST_TEST(!c.deadline().has_value());
  }
  auto [m, cm] = asioctx::with_deadline(asioctx::background(), sclock::time_point::max());
  BOOST_TEST(!m.deadline().has_value());
  auto [n, cn] = asioctx::with_timeout(asioctx::background(), sclock::duration::min());
  BOOST_TEST((n.err() == error::deadline_exceeded));  // born expired, no underflow
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  io.run_for(10s);
  BOOST_TEST(io.stopped());  // nothing was armed
}

BOOST_AUTO_TEST_CASE(timeouts_of_any_duration_saturate) {
  // 300 years does not fit in clock::duration (nanoseconds): no deadline in practice, never one
  // in the past.
  net::io_context io;
  const auto years = std::chrono::hours(24 * 365 * 300);
  auto check = [](const asioctx::context& c) {
    BOOST_TEST(!c.done());
    BOOST_TEST((!c.deadline() || *c.deadline() > sclock::now() + std::chrono::hours(24 * 365 * 200)));
  };
  check(asioctx::with_timeout(asioctx::background(), years).ctx);
  check(asioctx::with_timeout_cause(asioctx::background(), years, deadline_cause).ctx);
  check(asioctx::with_timeout(io, asioctx::background(), years).ctx);
  check(asioctx::with_timeout(io.get_executor(), asioctx::background(), years).ctx);
  check(asioctx::with_timeout(asioctx::background(), std::chrono::duration<double>(1e30)).ctx);
  // Other units still mean what they say.
  auto [m, cm] = asioctx::with_timeout(asioctx::background(), std::chrono::minutes(2));
  BOOST_TEST_REQUIRE(m.deadline().has_value());
  BOOST_TEST((*m.deadline() > sclock::now() + 1min));
  auto [p, cp] = asioctx::with_timeout(asioctx::background(), -std::chrono::hours(24 * 365 * 300));
  BOOST_TEST((p.err() == error::deadline_exceeded));  // far in the past: born expired
}

BOOST_AUTO_TEST_CASE(std_tie_reassigns_as_go_does) {
  asioctx::context ctx;
  asioctx::cancel_func cancel;
  std::tie(ctx, cancel) = asioctx::with_cancel(ctx);  // ctx, cancel = context.WithCancel(ctx)
  asioctx::context first = ctx;
  std::tie(ctx, cancel) = asioctx::with_timeout(ctx, 1h);
  BOOST_TEST(ctx.deadline().has_value());
  cancel();
  BOOST_TEST((ctx.err() == error::canceled));
  BOOST_TEST(!first.done());  // the parent is another context
  auto d = asioctx::with_cancel(first);
  std::tie(ctx, cancel) = d;  // an lvalue too
  cancel();
  BOOST_TEST(d.ctx.done());
}

BOOST_AUTO_TEST_CASE(executor_first_forms_take_execution_contexts) {
  net::io_context io;
  auto [a, ca] = asioctx::with_timeout(io, asioctx::background(), 5ms);
  auto [b, cb] = asioctx::with_deadline(io, asioctx::background(), sclock::now() + 5ms);
  asioctx_test::watched<int> ran{0};
  asioctx::after_func(a, io, [&] { ++ran; });
  io.run_for(10s);  // the arms are the only work: run returns once both fired
  BOOST_TEST(io.stopped());
  BOOST_TEST((a.err() == error::deadline_exceeded));
  BOOST_TEST((b.err() == error::deadline_exceeded));
  BOOST_TEST(ran.load() == 1);

  net::thread_pool pool(1);
  auto [c, cc] = asioctx::with_timeout(pool, asioctx::background(), 5ms);
  asioctx::after_func(c, pool, [&] { ++ran; });
  BOOST_TEST(asioctx_test::wait_until([&] { return ran.load() == 2; }));
  pool.join();
}

BOOST_AUTO_TEST_CASE(run_returns_once_nothing_waits_on_a_live_deadline) {
  // A request's operations all finished, its deadline context still referenced and live: the
  // deadline no longer holds run().
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
  net::steady_timer t1(io, 1ms), t2(io, 2ms);
  int done = 0;
  t1.async_wait(asioctx::bind(ctx, [&](error_code) { ++done; }));
  t2.async_wait(asioctx::bind(ctx, [&, &ctx = ctx](error_code ec) {
    ++done;
    // One more, bound from inside a handler, as a request does step by step.
    net::post(io, asioctx::bind(ctx, [&] { ++done; }));
    BOOST_TEST(!ec);
  }));
  BOOST_TEST(asioctx_test::deadline_armed(ctx));
  io.run_for(30s);
  BOOST_TEST(io.stopped());  // returned because no work was left, not because time ran out
  BOOST_TEST(done == 3);
  BOOST_TEST(!ctx.done());
  BOOST_TEST(!asioctx_test::deadline_armed(ctx));
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);

  // An executor-first arm holds run() until the context is cancelled.
  io.restart();
  auto [held, cancel_held] = asioctx::with_timeout(io, asioctx::background(), 1h);
  BOOST_TEST(io.poll() >= 0u);
  BOOST_TEST(!io.stopped());
  cancel_held();
  io.run_for(30s);
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_CASE(a_tracked_executor_does_not_hold_run) {
  // The operation completes, the context is cancelled and released: nothing of it, and nothing
  // of the deadline service, holds the tracked executor's work.
  net::io_context io;
  net::steady_timer t(io, 1ms);
  bool ran = false;
  {
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
    auto tracked = net::prefer(io.get_executor(), net::execution::outstanding_work.tracked);
    t.async_wait(asioctx::bind(ctx, net::bind_executor(tracked, [&](error_code) { ran = true; })));
    BOOST_TEST_REQUIRE(asioctx_test::run_until(io, [&] { return ran; }));
    cancel();
  }
  io.restart();
  io.run_for(5s);
  BOOST_TEST(io.stopped());  // ran out of work, not out of time
}

BOOST_AUTO_TEST_CASE(a_deadline_reaches_every_execution_context) {
  // One deadline, an operation bound on io1 first, then one on io2: io2's operation gets
  // deadline_exceeded whatever io1 does.
  enum { never_run, polled_once, destroyed, completed_first };
  for (int mode : {never_run, polled_once, destroyed, completed_first}) {
    BOOST_TEST_CONTEXT("mode " << mode) {
      auto io1 = std::make_unique<net::io_context>();
      net::io_context io2;
      auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 100ms);
      auto t1 = std::make_unique<net::steady_timer>(*io1, mode == completed_first ? 0ms : 1h);
      bool done1 = false;
      t1->async_wait(asioctx::bind(ctx, [&](error_code) { done1 = true; }));
      if (mode == polled_once) io1->poll();
      if (mode == completed_first) BOOST_TEST_REQUIRE(asioctx_test::run_until(*io1, [&] { return done1; }));
      if (mode == destroyed) {
        t1.reset();
        io1.reset();
      }
      net::steady_timer t2(io2, 1h);
      std::optional<error_code> ec2;
      t2.async_wait(asioctx::bind(ctx, [&](error_code ec) { ec2 = ec; }));
      BOOST_TEST(asioctx_test::run_until(io2, [&] { return ec2.has_value(); }));
      BOOST_TEST((ec2 == error_code(error::deadline_exceeded)));
      t1.reset();
    }
  }
}

BOOST_AUTO_TEST_CASE(a_deadline_holds_only_the_execution_contexts_that_wait_on_it) {
  // io1's operation finished; io2's still waits: io1's run() is not held by io2's wait.
  net::io_context io1, io2;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
  net::steady_timer t1(io1, 1ms), t2(io2, 1h);
  bool done1 = false;
  t1.async_wait(asioctx::bind(ctx, [&](error_code) { done1 = true; }));
  t2.async_wait(asioctx::bind(ctx, [](error_code) {}));
  io1.run_for(5s);
  BOOST_TEST(done1);
  BOOST_TEST(io1.stopped());
  cancel();
  io2.run_for(5s);
  BOOST_TEST(io2.stopped());
}

BOOST_AUTO_TEST_CASE(one_deadline_on_many_execution_contexts_racing) {
  // Operations bound to one deadline from four io_contexts, each run by its own thread, while the
  // deadline fires or a cancel races it: each gets the context's error once, and nothing is left
  // armed anywhere (TSan: the arms are made, armed and fired from every thread).
  constexpr int n = 4;
  std::vector<std::unique_ptr<net::io_context>> ios;
  std::vector<std::optional<net::executor_work_guard<net::io_context::executor_type>>> guards(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    ios.push_back(std::make_unique<net::io_context>(1));
    guards[i].emplace(ios[i]->get_executor());
  }
  for (int i = 0; i < n; ++i) threads.emplace_back([io = ios[i].get()] { io->run(); });
  for (int round = 0; round < 50; ++round) {
    auto [ctx, cancel] =
        asioctx::with_timeout(asioctx::background(), std::chrono::microseconds(200 * (round % 5)));
    asioctx_test::watched<int> done{0};
    std::atomic<int> wrong{0};
    for (int i = 0; i < n; ++i) {
      net::post(*ios[i], [&, &ctx = ctx, io = ios[i].get()] {
        auto t = std::make_shared<net::steady_timer>(*io, 1h);
        t->async_wait(asioctx::bind(ctx, [&, t](error_code ec) {
          if (ec != error::deadline_exceeded && ec != error::canceled) ++wrong;
          ++done;
        }));
      });
    }
    if (round % 2 == 1) cancel();
    BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return done.load() == n; }));
    BOOST_TEST(wrong.load() == 0);
  }
  for (auto& g : guards) g.reset();
  for (auto& t : threads) t.join();
  for (auto& io : ios) BOOST_TEST(asioctx_test::armed_deadlines(*io) == 0u);
}

BOOST_AUTO_TEST_CASE(many_deadlines_armed_and_cancelled_leave_nothing) {
  auto before = asioctx_test::heap_in_use();
  net::io_context io;
  std::thread([&] {
    {
      std::vector<asioctx::derived<asioctx::cancel_func>> live;
      live.reserve(100000);
      for (int i = 0; i < 100000; ++i)
        live.push_back(
            asioctx::with_timeout(io, asioctx::background(), std::chrono::seconds(3600 + i % 977)));
      BOOST_TEST(asioctx_test::armed_deadlines(io) == 100000u);
      for (auto& d : live) d.cancel();
      BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
    }
    for (int i = 0; i < 100000; ++i) asioctx::with_timeout(io, asioctx::background(), 1h).cancel();
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  }).join();  // a thread of its own: its pool of freed blocks goes with it
  io.run_for(30s);
  BOOST_TEST(io.stopped());  // no work left behind
  if (auto after = asioctx_test::heap_in_use())
    BOOST_TEST(*after < *before + 256 * 1024, "heap grew by " << (*after - *before) << " bytes");
}

BOOST_AUTO_TEST_CASE(every_due_deadline_fires_in_one_wake_up) {
  net::io_context io;
  std::vector<asioctx::derived<asioctx::cancel_func>> ds;
  std::atomic<int> fired{0};
  auto at = sclock::now() + 50ms;
  for (int i = 0; i < 1000; ++i) {
    ds.push_back(asioctx::with_deadline(asioctx::background(), at + std::chrono::microseconds(i % 3)));
    asioctx::after_func(ds.back().ctx, io, [&] { ++fired; });
  }
  // All armed, unless a loaded machine let the deadlines pass while registering.
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1000u, at));
  io.run_for(30s);
  BOOST_TEST(io.stopped());
  BOOST_TEST(fired.load() == 1000);
  for (auto& d : ds) BOOST_TEST((d.ctx.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(an_earlier_deadline_moves_the_timer) {
  net::io_context io;
  auto [late, cancel_late] = asioctx::with_timeout(io, asioctx::background(), 1h);
  auto [soon, cancel_soon] = asioctx::with_timeout(io, asioctx::background(), 5ms);
  error_code got;
  asioctx::async_wait(soon, net::bind_executor(io, [&, &cancel_late = cancel_late](error_code ec) {
                        got = ec;
                        cancel_late();
                      }));
  io.run_for(30s);
  BOOST_TEST(io.stopped());
  BOOST_TEST((got == error::deadline_exceeded));
  BOOST_TEST((late.err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(emits_are_batched_per_executor) {
  // Cancelling 1,000 operations on one executor dispatches one batch of emits: the handlers run
  // are the batch and the 1,000 completions.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::vector<std::unique_ptr<net::steady_timer>> timers;
  int canceled = 0;
  for (int i = 0; i < 1000; ++i) {
    timers.push_back(std::make_unique<net::steady_timer>(io, 1h));
    timers.back()->async_wait(asioctx::bind(ctx, [&](error_code ec) { canceled += ec == error::canceled; }));
  }
  BOOST_TEST(io.poll() == 0u);
  cancel();
  BOOST_TEST(io.poll() == 1001u);
  BOOST_TEST(canceled == 1000);
}

BOOST_AUTO_TEST_CASE(arm_racing_cancel_leaves_nothing_armed) {
  // A cancel that lands while a bound operation arms the context's deadline must not leave the
  // deadline armed (it would hold run() for an hour).
  net::io_context io;
  auto guard = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  asioctx_test::watched<int> completions{0};
  for (int i = 0; i < 2000; ++i) {
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
    auto timer = std::make_shared<net::steady_timer>(io, 1h);
    std::thread canceller([c = cancel] { c(); });
    timer->async_wait(asioctx::bind(ctx, [timer, &completions](error_code) { ++completions; }));
    canceller.join();
  }
  BOOST_TEST(asioctx_test::wait_until([&] { return completions.load() == 2000; }));
  asioctx_test::watched<bool> drained{false};  // what the completions left for the io thread has run
  net::post(io, [&] { drained = true; });
  BOOST_TEST(asioctx_test::wait_until([&] { return drained.load(); }));
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  guard.reset();
  runner.join();  // returns: nothing holds the io_context
}

BOOST_AUTO_TEST_CASE(throwing_initiation_leaks_nothing) {
  net::io_context io;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  {
    auto [ctx, cancel] = asioctx::with_timeout(parent, 1h);
    auto throwing = [](auto handler) {
      auto moved = std::move(handler);  // takes the handler, then fails
      throw std::runtime_error("initiation failed");
    };
    auto early = [](auto) { throw std::runtime_error("refused"); };  // never takes it
    auto token = asioctx::bind(ctx, net::bind_executor(io, [](error_code) {}));
    BOOST_CHECK_THROW((net::async_initiate<decltype(token), void(error_code)>(throwing, token)),
                      std::runtime_error);
    BOOST_CHECK_THROW((net::async_initiate<decltype(token), void(error_code)>(early, token)),
                      std::runtime_error);
    const auto token2 = asioctx::bind(ctx, net::bind_executor(io, [](error_code) {}));
    BOOST_CHECK_THROW((net::async_initiate<const decltype(token2)&, void(error_code)>(throwing, token2)),
                      std::runtime_error);
    BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
  }
  // Nothing kept the child alive: it unlinked from its parent when its handles went.
  BOOST_TEST(asioctx_test::child_count(parent) == 0u);
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
