// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// std::stop_token both ways (C++20): with_stop_token and get_stop_token.
#include <asioctx/bind.hpp>
#include <asioctx/stop_token.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;

BOOST_AUTO_TEST_SUITE(test_stop_token)

BOOST_AUTO_TEST_CASE(a_stop_request_cancels_the_context) {
  std::stop_source src;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  const unsigned line = __LINE__ + 1;
  auto [ctx, cancel] = asioctx::with_stop_token(parent, src.get_token());
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  BOOST_TEST(!ctx.done());
  std::thread([&] { src.request_stop(); }).join();  // inline on that thread
  BOOST_TEST((ctx.err() == error::canceled));
  BOOST_TEST((child.err() == error::canceled));
  BOOST_TEST((asioctx::cause(ctx) == error::canceled));
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);  // with_stop_token's call
  BOOST_TEST(!parent.done());
}

BOOST_AUTO_TEST_CASE(an_already_stopped_token_gives_a_context_born_canceled) {
  std::stop_source src;
  src.request_stop();
  auto [ctx, cancel] = asioctx::with_stop_token(asioctx::background(), src.get_token());
  BOOST_TEST((ctx.err() == error::canceled));
  // A token that can never stop changes nothing; the parent still cancels it.
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [quiet, cancel_quiet] = asioctx::with_stop_token(parent, std::stop_token());
  BOOST_TEST(!quiet.done());
  cancel_parent();
  BOOST_TEST((quiet.err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(the_context_is_released_and_its_callback_unregistered) {
  // 1,000,000 contexts made and dropped on one long-lived token: nothing accumulates, and a
  // stop requested afterwards reaches none of them.
  std::stop_source src;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto before = asioctx_test::heap_in_use();
  for (int i = 0; i < 1000000; ++i) {
    auto [ctx, cancel] = asioctx::with_stop_token(parent, src.get_token());
    (void)ctx;
  }
  BOOST_TEST(asioctx_test::child_count(parent) == 0u);
  if (auto after = asioctx_test::heap_in_use())
    BOOST_TEST(*after < *before + 1024 * 1024, "heap grew by " << (*after - *before));
  src.request_stop();
  BOOST_TEST(!parent.done());
}

BOOST_AUTO_TEST_CASE(a_done_context_stops_its_token_inline) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::stop_token st = asioctx::get_stop_token(ctx);
  BOOST_TEST(st.stop_possible());
  BOOST_TEST(!st.stop_requested());
  std::atomic<std::thread::id> ran_on{};
  std::stop_callback cb(st, [&] { ran_on = std::this_thread::get_id(); });
  std::thread::id canceller;
  std::thread([&, c = cancel] {
    canceller = std::this_thread::get_id();
    c();
  }).join();
  BOOST_TEST(st.stop_requested());
  BOOST_TEST((ran_on.load() == canceller));  // inline on the cancelling thread
  // Once done: already requested.
  BOOST_TEST(asioctx::get_stop_token(ctx).stop_requested());
}

BOOST_AUTO_TEST_CASE(tokens_of_one_context_share_one_state) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  std::stop_token a = asioctx::get_stop_token(child), b = asioctx::get_stop_token(child);
  BOOST_TEST((a == b));
  for (int i = 0; i < 1000000; ++i) (void)asioctx::get_stop_token(child);  // no leak, no growth
  BOOST_TEST(asioctx_test::waiter_count(child) == 1u);
  cancel();  // through the parent
  BOOST_TEST(a.stop_requested());
  BOOST_TEST(asioctx_test::waiter_count(child) == 0u);
}

BOOST_AUTO_TEST_CASE(never_done_contexts_give_tokens_that_cannot_stop) {
  BOOST_TEST(!asioctx::get_stop_token(asioctx::background()).stop_possible());
  BOOST_TEST(!asioctx::get_stop_token(asioctx::without_cancel(asioctx::todo())).stop_possible());
}

BOOST_AUTO_TEST_CASE(a_deadline_requests_the_stop) {
  // The executor form arms the deadline: it fires with nothing bound, and requests the stop on
  // the thread running the io_context.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 5ms);
  std::stop_token st = asioctx::get_stop_token(io, ctx);
  std::thread::id ran_on;
  std::stop_callback cb(st, [&] { ran_on = std::this_thread::get_id(); });
  io.run_for(10s);
  BOOST_TEST(io.stopped());
  BOOST_TEST(st.stop_requested());
  BOOST_TEST((ran_on == std::this_thread::get_id()));
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(tokens_taken_before_an_unobserved_deadline_agree) {
  // The deadline passes with nothing waiting; whoever sees the context done first (err(), a
  // bound operation, a later token), the token taken before stops (DESIGN rule 14).
  enum { by_err, by_bind, by_later_token };
  for (int observer : {by_err, by_bind, by_later_token}) {
    BOOST_TEST_CONTEXT("observer " << observer) {
      net::io_context io;
      auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 5ms);
      std::stop_token early = asioctx::get_stop_token(ctx);
      bool called = false;
      std::stop_callback cb(early, [&] { called = true; });
      const asioctx::clock::time_point deadline = *ctx.deadline();  // clang 14 captures no bindings
      asioctx_test::sleep_past(deadline);
      BOOST_TEST(!early.stop_requested());  // nothing looked yet
      if (observer == by_err) BOOST_TEST((ctx.err() == error::deadline_exceeded));
      if (observer == by_bind) net::post(io, asioctx::bind(ctx, [] {}));
      if (observer == by_later_token) BOOST_TEST(asioctx::get_stop_token(ctx).stop_requested());
      BOOST_TEST(early.stop_requested());
      BOOST_TEST(called);
      io.run_for(10s);
    }
  }
}

BOOST_AUTO_TEST_CASE(jthread_stop_cancels_a_context_and_a_context_stops_a_jthread) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::atomic<bool> saw_stop{false};
  {
    std::jthread worker([&, c = ctx](std::stop_token st) {
      auto [mine, cancel_mine] = asioctx::with_stop_token(c, st);
      // Woken when mine is done (its own stop_token stops): no polling.
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, asioctx::get_stop_token(mine), [] { return false; });
      saw_stop = true;
    });
  }  // ~jthread requests stop: the worker's context is cancelled
  BOOST_TEST(saw_stop.load());
  std::jthread worker2([&](std::stop_token) {});
  std::stop_callback forward(asioctx::get_stop_token(ctx), [&] { worker2.request_stop(); });
  cancel();
  BOOST_TEST(worker2.get_stop_token().stop_requested());
}

BOOST_AUTO_TEST_SUITE_END()
