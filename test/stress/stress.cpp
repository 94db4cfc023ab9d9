// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Stress: a thread pool, dozens of strands, thousands of operations bound to the contexts of a
// tree whose nodes are cancelled from other threads at random times while operations start and
// finish. Every operation must complete exactly once with a result its context explains.
#define BOOST_TEST_MODULE asioctx_stress
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include "../unit/test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {

using strand_type = net::strand<net::thread_pool::executor_type>;

struct tree {
  asioctx::context root;
  std::vector<asioctx::context> nodes;  // root, mids, leaves
  std::vector<asioctx::cancel_func> cancels;
};

tree make_tree(std::mt19937& rng) {
  tree t;
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  t.root = root;
  t.nodes.push_back(root);
  t.cancels.push_back(cancel_root);
  for (int m = 0; m < 8; ++m) {
    // Some mids carry a short deadline, armed lazily by the operations bound below them.
    auto mid = m % 3 == 0 ? asioctx::with_timeout(root, std::chrono::microseconds(500 + rng() % 3000))
                          : asioctx::with_cancel(root);
    t.nodes.push_back(mid.ctx);
    t.cancels.push_back(mid.cancel);
    for (int l = 0; l < 8; ++l) {
      auto leaf = asioctx::with_cancel(mid.ctx);
      t.nodes.push_back(leaf.ctx);
      t.cancels.push_back(leaf.cancel);
    }
  }
  return t;
}

struct outcome {
  std::atomic<int> calls{0};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(test_stress)

BOOST_AUTO_TEST_CASE(random_cancellation_across_strands) {
  constexpr int rounds = 40;
  constexpr int ops_per_round = 2000;
  net::thread_pool pool(4);
  std::vector<strand_type> strands;
  for (int i = 0; i < 32; ++i) strands.push_back(net::make_strand(pool.get_executor()));

  std::mt19937 rng(12345);
  std::atomic<long> wrong{0}, ok{0}, canceled{0}, expired{0};
  for (int round = 0; round < rounds; ++round) {
    tree t = make_tree(rng);
    std::vector<outcome> outcomes(ops_per_round);
    asioctx_test::watched<int> completed{0};

    auto check = [&](int i, const asioctx::context& ctx, error_code ec, bool timer_op) {
      if (outcomes[i].calls.fetch_add(1) != 0) ++wrong;  // exactly once
      if (!ec) {
        if (!timer_op) ++wrong;  // async_wait never succeeds
        ++ok;
      } else if (ec == error::canceled || ec == error::deadline_exceeded) {
        // The context explains the result: it is done with exactly that error.
        if (ctx.err() != ec) ++wrong;
        ec == error::canceled ? ++canceled : ++expired;
      } else {
        ++wrong;
      }
      ++completed;
    };

    // Operations start on their strands, from the main thread's posts.
    for (int i = 0; i < ops_per_round; ++i) {
      auto& strand = strands[rng() % strands.size()];
      asioctx::context ctx = t.nodes[rng() % t.nodes.size()];
      bool timer_op = i % 4 != 0;
      auto expiry = std::chrono::microseconds(rng() % 2 == 0 ? rng() % 2000 : 3600000000LL);
      net::post(strand, [&, i, strand, ctx, timer_op, expiry] {
        if (timer_op) {
          auto timer = std::make_shared<net::steady_timer>(strand, expiry);
          timer->async_wait(asioctx::bind(ctx, net::bind_executor(strand, [&, i, ctx, timer](error_code ec) {
                                            check(i, ctx, ec, true);
                                          })));
        } else {
          asioctx::async_wait(
              ctx, net::bind_executor(strand, [&, i, ctx](error_code ec) { check(i, ctx, ec, false); }));
        }
      });
    }

    // Two threads cancel random nodes while the operations start and finish.
    std::vector<std::thread> cancellers;
    for (int c = 0; c < 2; ++c) {
      cancellers.emplace_back([&, seed = rng()] {
        std::mt19937 local(seed);
        for (int k = 0; k < 20; ++k) {
          t.cancels[local() % t.cancels.size()]();
          std::this_thread::yield();
        }
      });
    }
    for (auto& th : cancellers) th.join();
    t.cancels[0]();  // whatever is left ends now

    BOOST_TEST_REQUIRE(asioctx_test::wait_until([&] { return completed.load() == ops_per_round; }, 60s));
    for (auto& o : outcomes) BOOST_TEST_REQUIRE(o.calls.load() == 1);
    // Completed operations left nothing registered.
    for (auto& n : t.nodes) BOOST_TEST_REQUIRE(asioctx_test::waiter_count(n) == 0u);
  }
  pool.join();
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(ok.load() + canceled.load() + expired.load() == long(rounds) * ops_per_round);
  BOOST_TEST_MESSAGE("ok " << ok << ", canceled " << canceled << ", deadline " << expired);
  BOOST_TEST(canceled.load() > 0);
}

BOOST_AUTO_TEST_CASE(emit_and_completion_on_different_threads) {
  // One io_context run by two threads and no strand: a context's batch emits on one thread while
  // the timers it cancels complete, and their handlers destroy them, on the other. Each
  // completes exactly once, with success or the context's error, and no emit outlives its timer
  // (ThreadSanitizer and AddressSanitizer check the memory).
  net::io_context io(2);
  auto guard = net::make_work_guard(io);
  std::thread a([&] { io.run(); }), b([&] { io.run(); });
  constexpr int rounds = 300, ops = 64;
  asioctx_test::watched<int> completions{0};
  std::atomic<int> wrong{0};
  for (int i = 0; i < rounds; ++i) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    for (int k = 0; k < ops; ++k) {
      auto timer = std::make_shared<net::steady_timer>(io, std::chrono::microseconds((i * 7 + k) % 40));
      timer->async_wait(asioctx::bind(ctx, [timer, &completions, &wrong](error_code ec) mutable {
        if (ec && ec != error::canceled) ++wrong;
        timer.reset();  // the timer goes with its handler
        ++completions;
      }));
    }
    cancel();
  }
  BOOST_TEST(asioctx_test::wait_until([&] { return completions.load() == rounds * ops; }));
  guard.reset();
  a.join();
  b.join();
  BOOST_TEST(completions.load() == rounds * ops);
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_CASE(concurrent_derive_cancel_and_drop) {
  // Threads derive, bind, cancel and drop contexts below shared parents all at once.
  net::thread_pool pool(4);
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  asioctx_test::watched<int> completions{0}, started{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w, &root = root] {
      std::mt19937 rng(w);
      auto strand = net::make_strand(pool.get_executor());
      for (int i = 0; i < 3000; ++i) {
        auto [ctx, cancel] = asioctx::with_cancel(root);
        auto [sub, cancel_sub] = asioctx::with_timeout(ctx, std::chrono::microseconds(rng() % 500));
        ++started;
        net::post(strand, [&, strand, sub = sub] {
          asioctx::async_wait(sub, net::bind_executor(strand, [&](error_code ec) {
                                if (ec == error::canceled || ec == error::deadline_exceeded) ++completions;
                              }));
        });
        if (rng() % 2) cancel();
      }
    });
  }
  for (auto& th : workers) th.join();
  cancel_root();
  BOOST_TEST(asioctx_test::wait_until([&] { return completions.load() == started.load(); }, 60s));
  pool.join();
  BOOST_TEST(asioctx_test::child_count(root) == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_races_the_destruction_of_the_io_context) {
  // A cancel on one thread while another destroys the io_context (never run) of an operation
  // bound to the context: nothing is dispatched into an io_context being destroyed (ThreadSanitizer
  // and AddressSanitizer check the memory), and each handler goes with its io_context, never
  // invoked. The canceller starts at a gate, so that the two overlap.
  std::atomic<int> invoked{0};
  for (int i = 0; i < 2000; ++i) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    auto io = std::make_unique<net::io_context>();
    auto timer = std::make_unique<net::steady_timer>(*io, 10s);
    timer->async_wait(asioctx::bind(ctx, [&invoked](error_code) { ++invoked; }));
    std::atomic<bool> go{false};
    std::thread canceller([&go, cancel = cancel] {
      while (!go.load()) std::this_thread::yield();
      cancel();
    });
    go = true;
    timer.reset();  // its wait is aborted: the handler is queued in io
    io.reset();     // io destroyed, its queued handlers with it
    canceller.join();
  }
  BOOST_TEST(invoked.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
