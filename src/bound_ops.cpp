// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/bound_ops.cpp: registering bound operations on a cancellation node (by executor slot) and
// unregistering them.
//
// Locking: the node's own spin_mutex, never held while user code or Asio runs.
//

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/tree.hpp>

#include <mutex>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

tree::bound_added tree::add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                                  exec_slot* (*make)(const void*), deadline_arm* arm) noexcept {
  err(c);                      // latches a deadline that passed unobserved
  exec_slot* fresh = nullptr;  // made outside the lock (it copies the executor), when needed
  for (;;) {
    deadline_arm* rise = nullptr;
    bool need_fresh = false;
    bound_added result = bound_added::linked;
    {
      lock_guard lock(c->mutex_);
      if (op->early_done_) {
        result = bound_added::completed_first;
      } else if (c->state_.load(std::memory_order_relaxed) != 0) {
        if (fresh == nullptr) {
          need_fresh = true;
        } else {  // done: op goes alone into a detached slot, its node reference handed over
          fresh->detached_ = true;
          fresh->err_ = c->state_.load(std::memory_order_relaxed);
          fresh->refs_.reset(2);  // the batch's and the operation's
          fresh->node_ = c;       // the operation's reference to the node, now the slot's
          fresh->ops_.push_back(op);
          op->slot_ = std::exchange(fresh, nullptr);
          op->handed_over_ = true;
          result = bound_added::done;
        }
      } else {
        // The executor's slot: few per context (one per strand the context's operations run
        // on), most recently used first; past eight, a new one (grouping is only an economy).
        exec_slot* s = nullptr;
        int looked = 0;
        for (exec_slot* t = c->slots_.front(); t != nullptr && looked < 8; t = c->slots_.next(t), ++looked) {
          if (t->type() == type && t->same(ex)) {
            s = t;
            break;
          }
        }
        if (s != nullptr && s != c->slots_.front()) {
          c->slots_.erase(s);
          c->slots_.push_front(s);
        }
        if (s == nullptr && fresh == nullptr) {
          need_fresh = true;
        } else {
          if (s == nullptr) {
            s = std::exchange(fresh, nullptr);
            c->slots_.push_front(s);
          }
          s->ops_.push_back(op);
          if (s->count_++ == 0) rise = s->arm_ = arm;  // one executor, one execution context
          op->slot_ = s;
        }
      }
    }
    if (need_fresh) {
      try {
        fresh = make(ex);
      } catch (...) {
        return bound_added::completed_first;  // out of memory: not registered, never emitted
      }
      continue;
    }
    if (fresh != nullptr) fresh->destroy();
    if (rise != nullptr) demand_up(rise);
    return result;
  }
}

bool tree::remove_bound(cancel_node* c, bound_op* op) noexcept {
  deadline_arm* fall = nullptr;
  exec_slot* spare = nullptr;
  {
    lock_guard lock(c->mutex_);
    exec_slot* s = op->slot_;
    if (s == nullptr) {  // completed before start() linked it: start() must not
      op->early_done_ = true;
      return false;
    }
    if (s->detached_) {  // the context was done: op's node reference went to its slot
      op->handed_over_ = true;
      return false;
    }
    s->ops_.erase(op);
    if (--s->count_ == 0) fall = s->arm_;
    // An idle context keeps one slot (its executor copied once for the next operations) if its
    // executor may outlive its execution context; more go, so a long-lived context bound from many strands
    // holds nothing for them.
    if (s->count_ == 0 && (!s->keep_idle() || c->slots_.front() != c->slots_.back())) {
      c->slots_.erase(s);
      spare = s;
    }
  }
  if (spare != nullptr) spare->destroy();  // outside the lock: an executor's destructor is Asio's
  if (fall != nullptr) demand_down(fall);
  return true;
}

}  // namespace detail
}  // namespace asioctx
