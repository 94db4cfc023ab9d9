// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// asioctx::group (C++20): Go's errgroup for coroutines.
#include <asioctx/bind.hpp>
#include <asioctx/group.hpp>

#include "test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {

const error_code broken = make_error_code(boost::system::errc::broken_pipe);

// A task that waits on a timer bound to its context; returns how it ended through *out.
auto sleeper(std::chrono::milliseconds d, std::shared_ptr<error_code> out = nullptr) {
  return [d, out](asioctx::context ctx) -> net::awaitable<void> {
    net::steady_timer t(co_await net::this_coro::executor, d);
    auto [ec] = co_await t.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    if (out) *out = ec;
    if (ec) throw boost::system::system_error(ec);
  };
}

auto failing(error_code ec) {
  return [ec](asioctx::context) -> net::awaitable<void> {
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    throw boost::system::system_error(ec);
  };
}

std::optional<std::exception_ptr> wait_for(asioctx::group& g, net::io_context& io) {
  std::optional<std::exception_ptr> result;
  g.async_wait(net::bind_executor(io, [&](std::exception_ptr e) { result = e; }));
  asioctx_test::run_until(io, [&] { return result.has_value(); });
  return result;
}

error_code code_of(std::exception_ptr e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const boost::system::system_error& x) {
    return x.code();
  } catch (...) {
    return make_error_code(boost::system::errc::io_error);
  }
  return error_code();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_group)

BOOST_AUTO_TEST_CASE(all_succeed_and_wait_cancels_the_context) {
  net::io_context io;
  asioctx::group g;
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i)
    g.spawn(io, [&](asioctx::context) -> net::awaitable<void> {
      ++ran;
      co_return;
    });
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!*r);
  BOOST_TEST(ran.load() == 10);
  BOOST_TEST((g.get_context().err() == error::canceled));  // as Go's Wait does
}

BOOST_AUTO_TEST_CASE(first_failure_cancels_the_siblings_promptly) {
  net::io_context io;
  const unsigned line = __LINE__ + 1;
  asioctx::group g;
  auto slow1 = std::make_shared<error_code>(), slow2 = std::make_shared<error_code>();
  g.spawn(io, sleeper(1h, slow1));
  g.spawn(io, sleeper(1h, slow2));
  const unsigned spawn_line = __LINE__ + 1;
  g.spawn(io, failing(broken));
  auto r = wait_for(g, io);  // would take an hour if the siblings were not cancelled
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(code_of(*r) == broken);  // the first failure
  BOOST_TEST((*slow1 == error::canceled));
  BOOST_TEST((*slow2 == error::canceled));
  BOOST_TEST(asioctx::cause(g.get_context()) == broken);
  BOOST_TEST(asioctx::cancel_site(g.get_context()).line() == spawn_line);
  BOOST_TEST(asioctx::cancel_site(g.get_context()).line() != line);
}

BOOST_AUTO_TEST_CASE(a_non_system_exception_fails_with_canceled) {
  net::io_context io;
  asioctx::group g;
  g.spawn(io, [](asioctx::context) -> net::awaitable<void> {
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    throw std::runtime_error("boom");
  });
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_CHECK_THROW(std::rethrow_exception(*r), std::runtime_error);
  BOOST_TEST((asioctx::cause(g.get_context()) == error::canceled));
}

BOOST_AUTO_TEST_CASE(limit_is_never_exceeded_and_nothing_blocks) {
  net::thread_pool pool(4);
  asioctx::group g(asioctx::background(), 3);
  std::atomic<int> running{0}, peak{0}, done{0};
  for (int i = 0; i < 40; ++i)
    g.spawn(pool, [&](asioctx::context) -> net::awaitable<void> {
      int now = ++running;
      for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
      }
      net::steady_timer t(co_await net::this_coro::executor, 1ms);
      co_await t.async_wait(net::use_awaitable);
      --running;
      ++done;
    });
  std::future<void> f = g.async_wait(net::use_future([](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  }));
  BOOST_TEST((f.wait_for(30s) == std::future_status::ready));
  BOOST_TEST(done.load() == 40);
  BOOST_TEST(peak.load() <= 3);
  BOOST_TEST(peak.load() >= 1);
  pool.join();
}

// One thread, which is also the one spawning: a spawn past the limit (from outside, and from a
// task while the limit is full) queues and returns; a blocking one would hang here for good.
BOOST_AUTO_TEST_CASE(limit_is_reached_and_spawn_never_blocks_on_one_thread) {
  net::io_context io;
  asioctx::group g(asioctx::background(), 2);
  int running = 0, peak = 0, done = 0;
  std::function<net::awaitable<void>(asioctx::context)> task;
  task = [&](asioctx::context) -> net::awaitable<void> {
    peak = std::max(peak, ++running);
    net::steady_timer t(co_await net::this_coro::executor, 20ms);
    co_await t.async_wait(net::use_awaitable);
    if (done == 0) g.spawn(io, task);  // from inside a task, with the limit full
    --running;
    ++done;
  };
  for (int i = 0; i < 10; ++i) g.spawn(io, task);  // before io runs at all
  BOOST_TEST(peak == 0);                           // nothing ran inside spawn
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!*r);
  BOOST_TEST(done == 11);
  BOOST_TEST(peak == 2);
}

BOOST_AUTO_TEST_CASE(queued_tasks_are_dropped_once_the_group_is_done) {
  net::io_context io;
  asioctx::group g(asioctx::background(), 1);
  std::atomic<int> started{0};
  g.spawn(io, failing(broken));
  for (int i = 0; i < 5; ++i)
    g.spawn(io, [&](asioctx::context) -> net::awaitable<void> {
      ++started;
      co_return;
    });
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(code_of(*r) == broken);
  BOOST_TEST(started.load() == 0);                             // queued behind the failure: never started
  g.spawn(io, [&](asioctx::context) -> net::awaitable<void> {  // after: dropped at once
    ++started;
    co_return;
  });
  io.restart();
  io.poll();
  BOOST_TEST(started.load() == 0);
}

BOOST_AUTO_TEST_CASE(parent_cancel_reaches_every_task) {
  net::io_context io;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  asioctx::group g(parent);
  auto a = std::make_shared<error_code>(), b = std::make_shared<error_code>();
  g.spawn(io, sleeper(1h, a));
  g.spawn(io, sleeper(1h, b));
  io.poll();
  cancel_parent();
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST((code_of(*r) == error::canceled));
  BOOST_TEST((*a == error::canceled));
  BOOST_TEST((*b == error::canceled));
}

BOOST_AUTO_TEST_CASE(cancel_records_its_caller) {
  net::io_context io;
  asioctx::group g;
  g.spawn(io, sleeper(1h));
  io.poll();
  const unsigned line = __LINE__ + 1;
  g.cancel();
  auto r = wait_for(g, io);
  BOOST_TEST((g.get_context().err() == error::canceled));
  BOOST_TEST(asioctx::cancel_site(g.get_context()).line() == line);
}

BOOST_AUTO_TEST_CASE(destroyed_while_tasks_run_a_pending_wait_still_completes) {
  net::io_context io;
  std::optional<std::exception_ptr> result;
  auto a = std::make_shared<error_code>();
  asioctx::context ctx;
  unsigned line = 0;
  {
    line = __LINE__ + 1;
    asioctx::group g;
    ctx = g.get_context();
    g.spawn(io, sleeper(1h, a));
    g.async_wait(net::bind_executor(io, [&](std::exception_ptr e) { result = e; }));
    io.poll();
  }  // ~group cancels: the task finishes on its own
  BOOST_TEST(asioctx_test::run_until(io, [&] { return result.has_value(); }));
  BOOST_TEST((*a == error::canceled));
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);  // the group's construction
}

// A pending async_wait whose handler's io_context is destroyed: the handler is destroyed with
// it, never run, as Asio destroys its own pending handlers; the group outliving the io_context
// keeps nothing of it (ASan: nothing is posted to, or destroyed after, the dead io_context).
BOOST_AUTO_TEST_CASE(pending_wait_destroyed_with_its_io_context) {
  auto ran = std::make_shared<int>(0);
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  asioctx::group g;
  {
    net::io_context io;
    g.spawn(io, sleeper(1h));  // never finishes while io lives
    g.async_wait(net::bind_executor(io, [ran, t = std::move(token)](std::exception_ptr) { ++*ran; }));
    io.poll();
    BOOST_TEST(!watch.expired());
  }
  BOOST_TEST(watch.expired());
  BOOST_TEST(*ran == 0);
  g.cancel();  // touches nothing of the io_context
}

// The same with a coroutine that owns the group and waits on it: the frame, the group and the
// waiter go with the io_context (no cycle through the pending handler: LSan).
BOOST_AUTO_TEST_CASE(coroutine_waiting_on_its_group_destroyed_with_its_io_context) {
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  {
    net::io_context io;
    net::co_spawn(
        io,
        [a = std::move(alive)]() -> net::awaitable<void> {
          asioctx::group g;
          g.spawn(co_await net::this_coro::executor, sleeper(1h));
          co_await g.async_wait(net::use_awaitable);
        },
        net::detached);
    io.poll();
    BOOST_TEST(!watch.expired());
  }
  BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_CASE(wait_more_than_once_and_before_any_task) {
  net::io_context io;
  asioctx::group g;
  g.spawn(io, sleeper(1ms));
  std::optional<std::exception_ptr> r1, r2;
  g.async_wait(net::bind_executor(io, [&](std::exception_ptr e) { r1 = e; }));
  g.async_wait(net::bind_executor(io, [&](std::exception_ptr e) { r2 = e; }));
  BOOST_TEST(asioctx_test::run_until(io, [&] { return r1 && r2; }));
  BOOST_TEST(!*r1);
  BOOST_TEST(!*r2);
  auto r3 = wait_for(g, io);  // after: completes at once, not inline
  BOOST_TEST(r3.has_value());
}

BOOST_AUTO_TEST_CASE(wait_on_an_idle_group_and_its_cancel_site) {
  // Before any task: completes at once (posted), and the cancel that ends the group's context is
  // recorded at the group's construction.
  net::io_context io;
  const unsigned born = __LINE__ + 1;
  asioctx::group g;
  auto r = wait_for(g, io);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!*r);
  BOOST_TEST((g.get_context().err() == error::canceled));
  BOOST_TEST(asioctx::cancel_site(g.get_context()).line() == born);
}

BOOST_AUTO_TEST_CASE(wait_racing_the_first_spawn) {
  // async_wait on an idle group while another thread makes the first spawn.
  net::thread_pool pool(2);
  for (int i = 0; i < 200; ++i) {
    asioctx::group g;
    std::atomic<bool> go{false};
    asioctx_test::watched<bool> done{false};
    std::thread spawner([&] {
      while (!go.load()) {
      }
      g.spawn(pool, [](asioctx::context) -> net::awaitable<void> { co_return; });
    });
    go = true;
    g.async_wait(net::bind_executor(pool, [&](std::exception_ptr) { done = true; }));
    spawner.join();
    BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return done.load(); }));
  }
  pool.join();
}

BOOST_AUTO_TEST_CASE(cause_is_the_failure_wait_reports) {
  // Many tasks fail at once on two threads: the context's cause is the failure async_wait gives.
  net::thread_pool pool(2);
  for (int round = 0; round < 50; ++round) {
    asioctx::group g;
    for (int i = 0; i < 8; ++i) {
      auto code = error_code(100 + i, boost::system::generic_category());
      g.spawn(pool, [code](asioctx::context) -> net::awaitable<void> {
        throw boost::system::system_error(code);
        co_return;
      });
    }
    // Compared in the handler: the exception is read on the thread that was handed it.
    asioctx_test::watched<int> matched{-1};
    g.async_wait(net::bind_executor(pool, [&, ctx = g.get_context()](std::exception_ptr e) {
      matched = asioctx::cause(ctx) == code_of(e) ? 1 : 0;
    }));
    BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return matched.load() != -1; }));
    BOOST_TEST(matched.load() == 1);
  }
  pool.join();
}

BOOST_AUTO_TEST_CASE(handler_runs_on_its_associated_executor) {
  // A plain callback does not compile (test/compile_fail/group_no_executor.cpp).
  net::thread_pool pool(2);
  auto strand = net::make_strand(pool);
  asioctx::group g;
  g.spawn(pool, sleeper(1ms));
  asioctx_test::watched<bool> done{false};
  std::atomic<bool> on_strand{false};
  g.async_wait(net::bind_executor(strand, [&](std::exception_ptr) {
    on_strand = strand.running_in_this_thread();
    done = true;
  }));
  BOOST_TEST(asioctx_test::wait_until([&] { return done.load(); }));
  BOOST_TEST(on_strand.load());
  pool.join();
}

BOOST_AUTO_TEST_CASE(spawn_from_many_threads_and_from_tasks) {
  net::thread_pool pool(4);
  asioctx::group g;
  std::atomic<int> ran{0};
  std::vector<std::thread> spawners;
  for (int t = 0; t < 4; ++t)
    spawners.emplace_back([&] {
      for (int i = 0; i < 250; ++i)
        g.spawn(pool, [&](asioctx::context) -> net::awaitable<void> {
          ++ran;
          co_return;
        });
    });
  g.spawn(pool, [&](asioctx::context) -> net::awaitable<void> {  // a task that spawns
    g.spawn(pool, [&](asioctx::context) -> net::awaitable<void> {
      ++ran;
      co_return;
    });
    co_return;
  });
  for (auto& t : spawners) t.join();
  std::future<void> f = g.async_wait(net::use_future([](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  }));
  BOOST_TEST((f.wait_for(30s) == std::future_status::ready));
  BOOST_TEST(ran.load() == 1001);
  pool.join();
}

BOOST_AUTO_TEST_SUITE_END()
