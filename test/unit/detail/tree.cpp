// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tree mechanics: no leaks without cancel, deep and wide trees, timers and their owners.
#include <asioctx/after_func.hpp>
#include <asioctx/context.hpp>

#include "../test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using asioctx::error;

// Counts this thread's heap allocations, to check the allocation budget of the hot paths.
static thread_local std::size_t allocations = 0;
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow forms too, so that every block this program's delete frees came from its own new.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {
template <class F>
std::size_t allocations_of(F f) {
  // On a fresh thread, so no block freed earlier can be reused from its free list.
  std::size_t n = 0;
  std::thread t([&] {
    std::size_t before = allocations;
    f();
    n = allocations - before;
  });
  t.join();
  return n;
}

std::size_t children_of(const asioctx::context& c) { return asioctx_test::child_count(c); }
}  // namespace

BOOST_AUTO_TEST_SUITE(test_tree)

BOOST_AUTO_TEST_CASE(allocation_budget) {
  // One allocation per derived context; none to read err(), to copy, or to cancel.
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  BOOST_TEST(allocations_of([] { auto d = asioctx::with_cancel(asioctx::background()); }) == 1u);
  BOOST_TEST(allocations_of([&parent = parent] { auto d = asioctx::with_cancel(parent); }) == 1u);
  BOOST_TEST(allocations_of([&parent = parent] { auto d = asioctx::with_timeout(parent, 1h); }) == 1u);
  // A child of a done parent, with its cancel function and a cancel: one allocation too.
  auto [done, cancel_done] = asioctx::with_cancel(asioctx::background());
  cancel_done();
  BOOST_TEST(allocations_of([&done = done] {
               auto [c, cancel] = asioctx::with_cancel(done);
               cancel();
               auto [d, cancel_d] = asioctx::with_timeout(c, 1h);
             }) == 2u);
  BOOST_TEST(allocations_of([&parent = parent] {
               auto v = asioctx::with_value(parent, asioctx::key<int>{"k"}, 1);
             }) == 1u);
  BOOST_TEST(allocations_of([&parent = parent] {
               auto [c, cancel] = asioctx::with_cancel(parent);
               asioctx::context copy = c;
               (void)copy.err();
               cancel();
               (void)copy.err();
               (void)asioctx::cause(copy);
             }) == 1u);
}

BOOST_AUTO_TEST_CASE(dropped_child_unlinks_from_parent) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  {
    auto [a, cancel_a] = asioctx::with_cancel(parent);
    auto [b, cancel_b] = asioctx::with_timeout(parent, 1h);
    auto v = asioctx::with_value(parent, asioctx::key<int>{"k"}, 1);
    auto [c, cancel_c] = asioctx::with_cancel(v);  // its cancellable parent is `parent`
    BOOST_TEST(children_of(parent) == 3u);
    {
      auto keep_cancel = cancel_a;  // a cancel func alone keeps a node alive
      a = asioctx::context();
      BOOST_TEST(children_of(parent) == 3u);
    }
  }
  BOOST_TEST(children_of(parent) == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_unlinks_from_parent_at_once) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [a, cancel_a] = asioctx::with_cancel(parent);
  auto [b, cancel_b] = asioctx::with_cancel(parent);
  BOOST_TEST(children_of(parent) == 2u);
  cancel_a();
  BOOST_TEST(children_of(parent) == 1u);
  cancel_parent();
  BOOST_TEST(children_of(parent) == 0u);
}

BOOST_AUTO_TEST_CASE(million_short_lived_children_leave_nothing) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  for (int i = 0; i < 1000000; ++i) {
    auto [c, cancel] = asioctx::with_cancel(parent);
    (void)c;
  }
  BOOST_TEST(children_of(parent) == 0u);
}

BOOST_AUTO_TEST_CASE(dropped_deadline_context_releases_its_timer) {
  boost::asio::io_context io;
  {
    auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), asioctx::background(), 1h);
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
  }
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  io.poll();  // the deadline service's idle check and aborted wait; nothing else is left behind
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_CASE(one_timer_per_deadline_context) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
  for (int i = 0; i < 1000; ++i) asioctx::after_func(ctx, io.get_executor(), [] {});
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
  // Inherited deadlines arm the ancestor's timer, not one of their own.
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  auto [later, cancel_later] = asioctx::with_timeout(ctx, 2h);
  asioctx::after_func(child, io.get_executor(), [] {});
  asioctx::after_func(later, io.get_executor(), [] {});
  auto [later2, cancel_later2] = asioctx::with_timeout(io.get_executor(), ctx, 3h);
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 1u);
  // An earlier one has its own.
  auto [earlier, cancel_earlier] = asioctx::with_timeout(io.get_executor(), ctx, 1min);
  BOOST_TEST(asioctx_test::armed_deadlines(io) == 2u);
  cancel();
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_before_contexts) {
  std::optional<asioctx::context> keep;
  asioctx::cancel_func keep_cancel;
  std::optional<asioctx::context> keep_child;
  bool ran = false;
  {
    boost::asio::io_context io;
    auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), asioctx::background(), 20ms);
    keep = ctx;
    keep_cancel = cancel;
    keep_child = asioctx::with_cancel(ctx).ctx;
    asioctx::after_func(ctx, io.get_executor(), [&ran] { ran = true; });
    BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
  }  // the io_context and its timer go first; the after_func registration is dropped with them
  // The deadline is still reported by the clock; cancel and destruction are safe.
  asioctx_test::sleep_past(*keep->deadline());
  BOOST_TEST(keep->done());
  BOOST_TEST((keep->err() == error::deadline_exceeded));
  BOOST_TEST((keep_child->err() == error::deadline_exceeded));
  keep_cancel();  // must not post to the destroyed io_context
  BOOST_TEST(!ran);
  keep.reset();
  keep_child.reset();
  keep_cancel = asioctx::cancel_func();
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_after_cancel) {
  asioctx::cancel_func keep_cancel;
  std::optional<asioctx::context> keep;
  {
    boost::asio::io_context io;
    auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), asioctx::background(), 1h);
    keep = ctx;
    keep_cancel = cancel;
    cancel();
  }
  BOOST_TEST((keep->err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(deep_chain_cancels_and_drops_without_overflow) {
  constexpr int depth = 1000000;
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  asioctx::context leaf = root;
  for (int i = 0; i < depth; ++i) leaf = asioctx::with_cancel(leaf).ctx;
  BOOST_TEST(!leaf.done());
  cancel_root();
  BOOST_TEST((leaf.err() == error::canceled));
  leaf = asioctx::context();  // dropping the chain is iterative too
  BOOST_TEST(children_of(root) == 0u);
}

BOOST_AUTO_TEST_CASE(deep_chain_dropped_while_live) {
  constexpr int depth = 1000000;
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  {
    asioctx::context leaf = root;
    for (int i = 0; i < depth; ++i)
      leaf = asioctx::with_value(asioctx::with_cancel(leaf).ctx, asioctx::key<int>{"k"}, i);
  }
  BOOST_TEST(children_of(root) == 0u);
}

BOOST_AUTO_TEST_CASE(wide_node_cancels_a_million_children) {
  constexpr int width = 1000000;
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  std::vector<asioctx::context> children;
  children.reserve(width);
  for (int i = 0; i < width; ++i) children.push_back(asioctx::with_cancel(root).ctx);
  BOOST_TEST(children_of(root) == std::size_t(width));
  cancel_root();
  std::size_t done = 0;
  for (auto& c : children) done += c.err() == error::canceled ? 1 : 0;
  BOOST_TEST(done == std::size_t(width));
  BOOST_TEST(children_of(root) == 0u);
}

BOOST_AUTO_TEST_CASE(children_dropped_while_parent_cancels) {
  // One thread drops children while another cancels their parent: nothing is touched twice.
  for (int round = 0; round < 20; ++round) {
    auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
    auto children = std::make_unique<std::vector<asioctx::context>>();
    for (int i = 0; i < 20000; ++i) children->push_back(asioctx::with_cancel(root).ctx);
    std::thread dropper([&] { children.reset(); });
    cancel_root();
    dropper.join();
    BOOST_TEST(children_of(root) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(no_lock_held_while_user_code_runs) {
  // after_func callbacks run on an executor; one that derives from and cancels the tree it was
  // called for would deadlock if cancel() held a lock while notifying.
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  auto [child, cancel_child] = asioctx::with_cancel(root);
  asioctx_test::watched<bool> finished{false};
  std::atomic<bool> ok{false};
  asioctx::after_func(child, boost::asio::system_executor(), [&, root = root, cancel_root = cancel_root] {
    auto [grandchild, cancel_grandchild] = asioctx::with_cancel(root);
    cancel_root();
    ok = grandchild.done();
    finished = true;
  });
  cancel_child();
  BOOST_TEST(asioctx_test::wait_until([&] { return finished.load(); }));
  BOOST_TEST(ok.load());
  BOOST_TEST(root.done());
}

BOOST_AUTO_TEST_SUITE_END()
