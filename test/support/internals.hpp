// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// test/support/internals.hpp: what tests (and benchmarks) read inside the library, through
// detail::access and nowhere else. Nothing installed exists only for these.
//

#ifndef ASIOCTX_TEST_SUPPORT_INTERNALS_HPP
#define ASIOCTX_TEST_SUPPORT_INTERNALS_HPP

#include <asioctx/context.hpp>
#include <asioctx/detail/access.hpp>
#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/deadline_shard.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/node.hpp>

#include <boost/asio/execution_context.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace asioctx_test {
struct internals_key {};
}  // namespace asioctx_test

template <>
struct asioctx::detail::access::door<asioctx_test::internals_key> {
  using lock_guard = std::lock_guard<spin_mutex>;

  static std::size_t child_count(const cancel_node* c) noexcept {
    lock_guard lock(c->mutex_);
    std::size_t n = 0;
    for (cancel_node* x = c->children_.front(); x != nullptr; x = c->children_.next(x)) ++n;
    return n;
  }

  static std::size_t waiter_count(const cancel_node* c) noexcept {
    lock_guard lock(c->mutex_);
    std::size_t n = 0;
    for (waiter* w = c->waiters_.front(); w != nullptr; w = c->waiters_.next(w)) ++n;
    for (executor_batch* b = c->batches_.front(); b != nullptr; b = c->batches_.next(b)) n += b->count_;
    return n;
  }

  static bool in_deadline_heap(const cancel_node* c) noexcept {
    if (c->kind() != node_kind::deadline) return false;
    auto* d = static_cast<const deadline_node*>(c);
    for (deadline_arm* a = const_cast<deadline_node*>(d)->arms(); a != nullptr;
         a = a->next.load(std::memory_order_acquire)) {
      deadline_shard* s = a->shard.load(std::memory_order_acquire);
      if (s != nullptr && in_heap(s, a)) return true;
    }
    return false;
  }

  static bool in_heap(deadline_shard* s, const deadline_arm* a) noexcept {
    lock_guard lock(s->mutex_);
    return a->heap_index != deadline_arm::not_in_heap;
  }

  // The deadlines in an execution context's heaps, over its shards.
  static std::size_t heap_size(context_core* core) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < core->shard_count_; ++i) {
      deadline_shard& s = core->shards_[i];
      lock_guard lock(s.mutex_);
      n += s.heap_.size();
    }
    return n;
  }
};

namespace asioctx_test {

using internals = asioctx::detail::access::door<internals_key>;

// The tree's own view of a context, for tests that look inside.
inline const asioctx::detail::cancel_node* node_of(const asioctx::context& c) {
  asioctx::detail::node* n = asioctx::detail::access::get(c);
  return n == nullptr ? nullptr : n->canceler();
}
// Waiters linked to c's node: pending bound operations, waits, after_funcs.
inline std::size_t waiter_count(const asioctx::context& c) { return internals::waiter_count(node_of(c)); }
// Cancellable children linked below c's node.
inline std::size_t child_count(const asioctx::context& c) { return internals::child_count(node_of(c)); }
// Whether c's own deadline is in an execution context's deadline heap (something waits on it).
inline bool deadline_armed(const asioctx::context& c) { return internals::in_deadline_heap(node_of(c)); }
// How many deadlines are waited on (in the heap) in ctx.
inline std::size_t armed_deadlines(boost::asio::execution_context& ctx) {
  return internals::heap_size(asioctx::detail::core_of(ctx));
}

}  // namespace asioctx_test

#endif  // ASIOCTX_TEST_SUPPORT_INTERNALS_HPP
