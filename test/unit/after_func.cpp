// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// after_func: Semantics 5 of DESIGN.md.
#include <asioctx/after_func.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using asioctx::error;

BOOST_AUTO_TEST_SUITE(test_after_func)

BOOST_AUTO_TEST_CASE(runs_after_cancel_on_the_executor) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  int calls = 0;
  std::thread::id ran_on;
  auto stop = asioctx::after_func(ctx, io.get_executor(), [&, &ctx = ctx] {
    ++calls;
    ran_on = std::this_thread::get_id();
    BOOST_TEST(ctx.done());
  });
  io.poll();
  BOOST_TEST(calls == 0);
  cancel();
  BOOST_TEST(calls == 0);  // posted, never run inline by cancel()
  io.restart();
  std::thread runner([&] { io.run(); });
  runner.join();
  BOOST_TEST(calls == 1);
  BOOST_TEST((ran_on != std::this_thread::get_id()));
  BOOST_TEST(!stop());  // too late
}

BOOST_AUTO_TEST_CASE(runs_after_parent_cancel) {
  boost::asio::io_context io;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [ctx, cancel] = asioctx::with_cancel(parent);
  int calls = 0;
  asioctx::after_func(ctx, io.get_executor(), [&] { ++calls; });
  cancel_parent();
  io.run();
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(runs_after_timeout_and_arms_the_timer) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);  // no executor yet
  int calls = 0;
  asioctx::after_func(ctx, io.get_executor(), [&, &ctx = ctx] {
    ++calls;
    BOOST_TEST((ctx.err() == error::deadline_exceeded));
  });
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
  io.run_for(10s);  // returns once the timer fired and f ran
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(runs_at_once_when_already_done) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  cancel();
  int calls = 0;
  auto stop = asioctx::after_func(ctx, io.get_executor(), [&] { ++calls; });
  BOOST_TEST(calls == 0);  // posted, not called inline
  BOOST_TEST(!stop());
  io.run();
  BOOST_TEST(calls == 1);

  // Expired but never observed: also at once.
  auto [expired, cancel_expired] = asioctx::with_timeout(asioctx::background(), -1ms);
  asioctx::after_func(expired, io.get_executor(), [&] { ++calls; });
  io.restart();
  io.run();
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(stop_prevents_the_call) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  int calls = 0;
  auto stop = asioctx::after_func(ctx, io.get_executor(), [&] { ++calls; });
  BOOST_TEST(stop());
  BOOST_TEST(!stop());  // only the first stop prevented it
  cancel();
  io.run();
  BOOST_TEST(calls == 0);
  // The stopped registration is gone from the node.
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(stop_on_never_done_context) {
  boost::asio::io_context io;
  int calls = 0;
  auto stop = asioctx::after_func(asioctx::background(), io.get_executor(), [&] { ++calls; });
  BOOST_TEST(stop());
  BOOST_TEST(!stop());
  auto stop2 =
      asioctx::after_func(asioctx::without_cancel(asioctx::todo()), io.get_executor(), [&] { ++calls; });
  io.run();
  BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(many_registrations_each_run_once) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::vector<int> calls(100, 0);
  std::vector<asioctx::stop_func> stops;
  for (int i = 0; i < 100; ++i)
    stops.push_back(asioctx::after_func(ctx, io.get_executor(), [&calls, i] { ++calls[i]; }));
  int stopped = 0;
  for (int i = 0; i < 100; i += 10) stopped += stops[i]() ? 1 : 0;
  cancel();
  cancel();
  io.run();
  for (int i = 0; i < 100; ++i) BOOST_TEST(calls[i] == (i % 10 == 0 ? 0 : 1));
  BOOST_TEST(stopped == 10);
}

BOOST_AUTO_TEST_CASE(stop_racing_cancel_runs_at_most_once) {
  // Either stop() returns true and f never runs, or it returns false and f runs exactly once.
  boost::asio::thread_pool pool(2);
  for (int round = 0; round < 500; ++round) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    asioctx_test::watched<int> calls{0};
    auto stop = asioctx::after_func(ctx, pool.get_executor(), [&calls] { ++calls; });
    std::atomic<bool> stopped{false};
    std::thread t([&, stop] { stopped = stop(); });
    cancel();
    t.join();
    if (stopped) {
      // f was never posted: give the pool a chance to show otherwise.
      asioctx_test::watched<bool> flushed{false};
      boost::asio::post(pool, [&] { flushed = true; });
      BOOST_TEST(asioctx_test::wait_until([&] { return flushed.load(); }));
      BOOST_TEST(calls.load() == 0);
    } else {
      BOOST_TEST(asioctx_test::wait_until([&] { return calls.load() == 1; }));
    }
  }
  pool.join();
}

BOOST_AUTO_TEST_CASE(runs_on_the_given_strand) {
  boost::asio::thread_pool pool(2);
  auto strand = boost::asio::make_strand(pool);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  asioctx_test::watched<int> on_strand{0};
  for (int i = 0; i < 10; ++i)
    asioctx::after_func(ctx, strand, [&] { on_strand += strand.running_in_this_thread() ? 1 : 0; });
  cancel();
  BOOST_TEST(asioctx_test::wait_until([&] { return on_strand.load() == 10; }));
  pool.join();
}

BOOST_AUTO_TEST_SUITE_END()
