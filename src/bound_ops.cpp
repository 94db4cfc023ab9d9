// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/bound_ops.cpp: bound operations' registration in their context's batches, under the
// node's lock (the operation itself: src/bound_op.cpp).
//

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/tree.hpp>

#include <cstdint>
#include <mutex>
#include <utility>

namespace asioctx {
namespace detail {

namespace {

using lock_guard = std::lock_guard<spin_mutex>;

// A batch keeps the node references of the operations that left it, and drops them in one step
// when it empties, or once it owes this many.
constexpr std::uint32_t owed_limit = 64;

}  // namespace

tree::bound_added tree::add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                                  executor_batch* (*make)(const void*), deadline_arm* arm) noexcept {
  executor_batch* fresh = nullptr;  // made outside the lock (it copies the executor), when needed
  executor_batch* stale = nullptr;  // an idle batch of a shut-down execution context, to destroy
  for (;;) {
    deadline_arm* rise = nullptr;
    bool need_fresh = false;
    bound_added result = bound_added::linked;
    {
      lock_guard lock(c->mutex_);
      executor_batch* b = nullptr;
      if (op->early_done_) {
        result = bound_added::completed_first;
      } else if (c->closed_) {
        if (fresh == nullptr) {
          need_fresh = true;
        } else {  // done: op goes alone into a batch of its own, handed over by the caller
          b = std::exchange(fresh, nullptr);
          result = bound_added::done;
        }
      } else {
        // The executor's batch: few per context (one per strand the context's operations run
        // on), most recently used first; past eight, a new one (grouping is only an economy).
        // An idle batch of an execution context that has shut down is no batch of ex, whose
        // execution context may have been built at the same address: it goes.
        int looked = 0;
        executor_batch* gone = nullptr;
        for (executor_batch* t = c->batches_.front(); t != nullptr && looked < 8;
             t = c->batches_.next(t), ++looked) {
          if (t->type() == type && (t->exact() || t->same(ex))) {
            if (!t->dead()) {
              b = t;
              break;
            }
            if (t->count_ == 0 && stale == nullptr && gone == nullptr) gone = t;
          }
        }
        if (gone != nullptr) {
          c->batches_.erase(gone);
          stale = gone;
        }
        if (b != nullptr && b != c->batches_.front()) {
          c->batches_.erase(b);
          c->batches_.push_front(b);
        }
        if (b == nullptr && fresh == nullptr) {
          need_fresh = true;
        } else {
          if (b == nullptr) {
            b = std::exchange(fresh, nullptr);
            c->batches_.push_front(b);
          }
          if (b->count_++ == 0) rise = b->arm_ = arm;  // one executor, one execution context
        }
      }
      if (b != nullptr) {
        b->ops_.push_back(op);
        op->batch_ = b;
        op->started_ = true;
      }
    }
    if (need_fresh) {
      try {
        fresh = make(ex);
      } catch (...) {
        // Out of memory: registered nowhere, never emitted into; its handler frees it.
        if (stale != nullptr) stale->destroy();
        lock_guard lock(c->mutex_);
        if (op->early_done_) return bound_added::completed_first;
        op->started_ = true;
        return bound_added::linked;
      }
      continue;
    }
    if (fresh != nullptr) fresh->destroy();
    if (stale != nullptr) stale->destroy();  // outside the lock: an executor's destructor is Asio's
    if (rise != nullptr) demand_up(rise);
    return result;
  }
}

tree::bound_removed tree::remove_bound(cancel_node* c, bound_op* op) noexcept {
  deadline_arm* fall = nullptr;
  executor_batch* spare = nullptr;
  std::uint32_t owed = 0;
  {
    lock_guard lock(c->mutex_);
    if (!op->started_) {
      op->early_done_ = true;
      return bound_removed::before_start;
    }
    executor_batch* b = op->batch_;
    if (b == nullptr) {
      owed = 1;  // registered nowhere (out of memory): its reference goes now
    } else if (c->closed_) {
      return bound_removed::handed_over;
    } else {
      b->ops_.erase(op);
      ++b->owed_;
      if (--b->count_ == 0) {
        fall = std::exchange(b->arm_, nullptr);
        owed = std::exchange(b->owed_, 0);
        // An idle context keeps one batch (its executor copied once for the next operations) if
        // its executor may outlive its execution context; more go, so a long-lived context bound
        // from many strands holds nothing for them.
        if (!b->keep_idle() || c->batches_.front() != c->batches_.back()) {
          c->batches_.erase(b);
          spare = b;
        }
      } else if (b->owed_ == owed_limit) {
        owed = std::exchange(b->owed_, 0);
      }
    }
  }
  if (spare != nullptr) spare->destroy();  // outside the lock: an executor's destructor is Asio's
  if (fall != nullptr) demand_down(fall);
  release_many(c, owed);  // may destroy c
  return bound_removed::unlinked;
}

}  // namespace detail
}  // namespace asioctx
