// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The deadline service's shards (detail/deadline_shard.hpp): an arm is homed in the shard of the
// CPU that made it; every shard's deadlines fire, whichever threads arm, cancel and run; a
// deadline context with its first arm fits its budget.
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include "../test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {

unsigned cpu_count() { return std::max(1u, std::thread::hardware_concurrency()); }

// Runs f on a thread kept on CPU cpu where the system allows it (then the arms f makes are
// homed in that CPU's shard), else on a thread anywhere.
template <class F>
void on_cpu(unsigned cpu, F f) {
  std::thread t([cpu, &f] {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#else
    (void)cpu;
#endif
    f();
  });
  t.join();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_deadline_shard)

BOOST_AUTO_TEST_CASE(a_deadline_context_fits_in_its_budget) {
  // 192 bytes with its heap slot: the node's pool block (16-byte classes) and a pointer.
  if constexpr (sizeof(void*) == 8) BOOST_TEST(sizeof(asioctx::detail::deadline_node) <= 176u);
}

BOOST_AUTO_TEST_CASE(deadlines_homed_on_every_cpu_fire) {
  // A deadline armed at once from each CPU in turn: each in its own shard, each with its own
  // timer; all fire on the one io_context, and nothing is left armed or holding run().
  net::io_context io;
  const unsigned n = cpu_count();
  std::vector<asioctx::context> ctxs(n);
  std::vector<asioctx::cancel_func> cancels(n);
  for (unsigned cpu = 0; cpu < n; ++cpu) {
    on_cpu(cpu, [&] {
      auto [ctx, cancel] = asioctx::with_timeout(io, asioctx::background(), 20ms + cpu * 1ms);
      ctxs[cpu] = ctx;
      cancels[cpu] = cancel;
    });
  }
  BOOST_TEST(asioctx_test::armed_deadlines(io) == n);
  BOOST_TEST(asioctx_test::run_until(io, [&] {
    return std::all_of(ctxs.begin(), ctxs.end(), [](const asioctx::context& c) { return c.done(); });
  }));
  for (auto& c : ctxs) BOOST_TEST((c.err() == error_code(error::deadline_exceeded)));
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  io.restart();
  io.run_for(5s);
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_CASE(one_deadline_homed_on_two_cpus_of_two_execution_contexts) {
  // The node's own arm homed on io1 from the first CPU, an extra arm on io2 from the last; io1
  // destroyed (its shard's core goes with the deadline's release, not before): io2's operation
  // gets the deadline.
  auto io1 = std::make_unique<net::io_context>();
  net::io_context io2;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  auto t1 = std::make_unique<net::steady_timer>(*io1, 1h);
  net::steady_timer t2(io2, 1h);
  std::optional<error_code> ec2;
  on_cpu(0, [&, &ctx = ctx] { t1->async_wait(asioctx::bind(ctx, [](error_code) {})); });
  on_cpu(cpu_count() - 1,
         [&, &ctx = ctx] { t2.async_wait(asioctx::bind(ctx, [&](error_code ec) { ec2 = ec; })); });
  t1.reset();
  io1.reset();
  BOOST_TEST(asioctx_test::run_until(io2, [&] { return ec2.has_value(); }));
  BOOST_TEST((ec2 == error_code(error::deadline_exceeded)));
}

BOOST_AUTO_TEST_CASE(run_returns_once_every_shard_is_empty) {
  // Deadlines homed on the first and the last CPU, cancelled in either order: the first shard to
  // empty leaves its wait pending while the other still waits; the last posts the check that
  // cancels both, and run() returns long before the deadlines.
  for (bool first_cpu_first : {true, false}) {
    BOOST_TEST_CONTEXT("first CPU's cancelled first: " << first_cpu_first) {
      net::io_context io;
      asioctx::cancel_func c0, c1;
      on_cpu(0, [&] { c0 = asioctx::with_timeout(io, asioctx::background(), 1h).cancel; });
      on_cpu(cpu_count() - 1, [&] { c1 = asioctx::with_timeout(io, asioctx::background(), 1h).cancel; });
      BOOST_TEST(asioctx_test::armed_deadlines(io) == 2u);
      (first_cpu_first ? c0 : c1)();
      io.poll();
      BOOST_TEST(!io.stopped());  // the other deadline's wait holds run()
      (first_cpu_first ? c1 : c0)();
      io.restart();
      io.run_for(30s);
      BOOST_TEST(io.stopped());
    }
  }
}

BOOST_AUTO_TEST_CASE(two_threads_arm_and_cancel_into_one_service) {
  // Two threads create deadlines on one io_context run by a third: half cancelled at once, half
  // left to fire soon, a few far ahead and released. Every waiter learns its context's end once,
  // and nothing stays armed (TSan: two shards, or one shared, armed and fired concurrently).
  net::io_context io(1);
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard(io.get_executor());
  std::thread runner([&] { io.run(); });
  constexpr int per_thread = 500;
  asioctx_test::watched<int> ended{0};
  std::atomic<int> wrong{0};
  auto arm = [&](int seed) {
    for (int i = 0; i < per_thread; ++i) {
      auto d = (i + seed) % 3 == 0 ? std::chrono::microseconds(100 * (i % 7)) : std::chrono::hours(1);
      auto [ctx, cancel] = asioctx::with_timeout(io, asioctx::background(), d);
      const bool cancelled = (i + seed) % 3 != 0;
      asioctx::async_wait(ctx, net::bind_executor(io, [&, cancelled](error_code ec) {
                            if (ec != (cancelled ? error::canceled : error::deadline_exceeded)) ++wrong;
                            ++ended;
                          }));
      if (cancelled) cancel();
    }
  };
  std::thread a(arm, 0), b(arm, 1);
  a.join();
  b.join();
  BOOST_TEST(asioctx_test::wait_until([&] { return ended.load() == 2 * per_thread; }));
  BOOST_TEST(wrong.load() == 0);
  guard.reset();
  runner.join();
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
