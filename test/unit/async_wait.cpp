// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// async_wait(ctx, token): Go's <-ctx.Done().
#include <asioctx/async_wait.hpp>

#include "test_util.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

BOOST_AUTO_TEST_SUITE(test_async_wait)

BOOST_AUTO_TEST_CASE(completes_with_err_on_cancel) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  int calls = 0;
  error_code got;
  asioctx::async_wait(ctx, net::bind_executor(io, [&](error_code ec) {
                        ++calls;
                        got = ec;
                      }));
  BOOST_TEST(io.poll() == 0u);
  BOOST_TEST(!io.stopped());  // the pending wait counts as work
  std::thread t([cancel = cancel] { cancel(); });
  io.run_for(10s);
  t.join();
  BOOST_TEST(calls == 1);
  BOOST_TEST((got == error::canceled));
}

BOOST_AUTO_TEST_CASE(completes_on_deadline_arming_the_timer) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  error_code got;
  asioctx::async_wait(ctx, net::bind_executor(io, [&](error_code ec) { got = ec; }));
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
  io.run_for(10s);
  BOOST_TEST((got == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(already_done_completes_promptly_not_inline) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel_cause(asioctx::background());
  cancel(make_error_code(boost::system::errc::io_error));
  int calls = 0;
  error_code got;
  asioctx::async_wait(ctx, net::bind_executor(io, [&](error_code ec) {
                        ++calls;
                        got = ec;
                      }));
  BOOST_TEST(calls == 0);
  io.run_for(10s);
  BOOST_TEST(calls == 1);
  BOOST_TEST((got == error::canceled));  // err(), not the cause
}

BOOST_AUTO_TEST_CASE(own_cancellation_aborts_the_wait) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::cancellation_signal sig;
  int calls = 0;
  error_code got;
  asioctx::async_wait(ctx, net::bind_cancellation_slot(sig.slot(), net::bind_executor(io, [&](error_code ec) {
                                                         ++calls;
                                                         got = ec;
                                                       })));
  io.poll();
  sig.emit(net::cancellation_type::terminal);
  io.run_for(10s);
  BOOST_TEST(calls == 1);
  BOOST_TEST((got == net::error::operation_aborted));
  cancel();  // too late: nothing more happens
  io.restart();
  io.poll();
  BOOST_TEST(calls == 1);
  BOOST_TEST(asioctx_test::waiter_count(ctx) == 0u);
}

BOOST_AUTO_TEST_CASE(never_done_context_waits_for_its_slot) {
  net::io_context io;
  net::cancellation_signal sig;
  error_code got;
  asioctx::async_wait(
      asioctx::background(),
      net::bind_cancellation_slot(sig.slot(), net::bind_executor(io, [&](error_code ec) { got = ec; })));
  BOOST_TEST(io.poll() == 0u);
  sig.emit(net::cancellation_type::total);
  io.run_for(10s);
  BOOST_TEST((got == net::error::operation_aborted));
}

// A cancel, or an emit of the wait's own slot, made by a handler running on the wait's executor
// never runs the wait's handler inside that call: it is posted.
BOOST_AUTO_TEST_CASE(never_completed_inside_the_cancel_or_the_emit) {
  for (const bool by_slot : {false, true}) {
    BOOST_TEST_CONTEXT((by_slot ? "slot" : "cancel")) {
      net::io_context io;
      auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
      net::cancellation_signal sig;
      bool inside = false, ran = false, ran_inside = false;
      asioctx::async_wait(ctx,
                          net::bind_cancellation_slot(sig.slot(), net::bind_executor(io, [&](error_code) {
                                                        ran = true;
                                                        ran_inside = inside;
                                                      })));
      net::post(io, [&, c = cancel] {
        inside = true;
        if (by_slot)
          sig.emit(net::cancellation_type::terminal);
        else
          c();
        inside = false;
      });
      BOOST_TEST(asioctx_test::run_until(io, [&] { return ran; }));
      BOOST_TEST(!ran_inside);
    }
  }
}

// The pending wait is outstanding work on its executor; once completed, it holds nothing.
BOOST_AUTO_TEST_CASE(pending_wait_holds_run_until_it_completes) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  bool ran = false;
  asioctx::async_wait(ctx, net::bind_executor(io, [&](error_code) { ran = true; }));
  std::thread t([c = cancel] { c(); });
  io.run();  // returns only once the wait has completed
  t.join();
  BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(many_waiters_race_cancel_from_threads) {
  net::thread_pool pool(2);
  for (int round = 0; round < 50; ++round) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    asioctx_test::watched<int> calls{0};
    std::atomic<int> wrong{0};
    for (int i = 0; i < 100; ++i)
      asioctx::async_wait(ctx, net::bind_executor(pool, [&](error_code ec) {
                            ++calls;
                            if (ec != error::canceled) ++wrong;
                          }));
    std::thread a([cancel = cancel] { cancel(); });
    std::thread b([cancel = cancel] { cancel(); });
    a.join();
    b.join();
    BOOST_TEST(asioctx_test::wait_until([&] { return calls.load() == 100; }));
    BOOST_TEST(wrong.load() == 0);
  }
  pool.join();
}

BOOST_AUTO_TEST_SUITE_END()
