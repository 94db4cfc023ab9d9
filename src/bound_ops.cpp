// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/bound_ops.cpp: bound operations — registration in their context's batches, and the state
// word that settles an emit against the completion once the context is done (doc/design.md,
// "The bound operation", counts the atomic operations of each path).
//

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/tree.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>

namespace asioctx {
namespace detail {

namespace {

using lock_guard = std::lock_guard<spin_mutex>;

// The emit running on this thread, and what it learns if its operation completes inside it (an
// operation may complete from inside its cancellation handler): the emitter then settles it.
struct emit_frame {
  bound_op* op;
  bool completed;  // the handler came, inside the emit, and left the operation to the emitter
  bool live;       // ... after unlinking it from its live batch: nobody else holds it
};
ASIOCTX_FAST_TLS emit_frame current_emit;

// A batch keeps the node references of the operations that left it, and drops them in one step
// when it empties, or once it owes this many.
constexpr std::uint32_t owed_limit = 64;

}  // namespace

// ---------------------------------------------------------------------------------------------
// The operations, recycled per thread with their cancellation_signal: a signal keeps the memory
// Asio allocated for its last cancellation handler (replaced by an empty one of the same size),
// so binding an operation that installs a handler costs no allocation once a thread is warm.

namespace {

struct parked {
  void operator()(boost::asio::cancellation_type) const noexcept {}
};

struct op_cache {
  static constexpr std::uint32_t max = 32768;
  bound_op* head;
  std::uint32_t count;
  bool closed;  // the thread is exiting: operations freed later go to the heap
};
ASIOCTX_FAST_TLS op_cache ops;

}  // namespace

struct bound_op_cache_release {
  bool armed = false;
  ~bound_op_cache_release() {
    while (bound_op* op = ops.head) {
      ops.head = op->next_free_;
      delete op;
    }
    ops.count = 0;
    ops.closed = true;
  }
};

namespace {
thread_local bound_op_cache_release release_ops_at_exit;
}  // namespace

bound_op* bound_op::make(cancel_node* c, boost::asio::cancellation_type type) {
  bound_op* op = ops.head;
  if (op != nullptr) {
    ops.head = op->next_free_;
    --ops.count;
    op->batch_ = nullptr;
  } else {
    op = new bound_op;
  }
  op->node_ = c;
  op->type_ = type == boost::asio::cancellation_type::all ? 0xff : static_cast<unsigned char>(type);
  return op;
}

void bound_op::recycle() noexcept {
  boost::asio::cancellation_slot slot = signal_.slot();
  if (slot.has_handler()) slot.emplace<parked>();  // destroys the handler, keeps its memory
  state_.store(0, std::memory_order_relaxed);
  started_ = false;
  early_done_ = false;
  if (ops.count == op_cache::max || ops.closed) {
    delete this;
    return;
  }
  if (ops.head == nullptr && ops.count == 0) release_ops_at_exit.armed = true;  // registers it
  next_free_ = ops.head;
  ops.head = this;
  ++ops.count;
}

void bound_op::free() noexcept {
  cancel_node* c = node_;
  recycle();
  tree::release(c);
}

// ---------------------------------------------------------------------------------------------
// The handler's side.

error_code bound_op::complete() noexcept {
  const bool nested = current_emit.op == this;
  // claimed or released: the context handed the operation's batch over (nothing else sets
  // them), so the node's lock has nothing to tell.
  unsigned char s = state_.load(std::memory_order_acquire);
  if ((s & (claimed | released)) == 0) {
    switch (tree::remove_bound(node_, this)) {
      case tree::bound_removed::unlinked:  // its node reference went to its batch
        if (nested)
          current_emit = {this, true, true};
        else
          recycle();
        return error_code();
      case tree::bound_removed::before_start:  // start() frees it
        if (nested) current_emit = {this, true, false};
        return error_code();
      case tree::bound_removed::handed_over:
        break;
    }
  } else if ((s & (released | emitting)) == released && !nested) {
    // The batch is done with it and nothing emits: the handler is alone with it.
    error_code err;
    if (s & claimed) err = error_code(node_->state(), error_category_ref);
    free();
    return err;
  }
  s = state_.fetch_or(completed, std::memory_order_acq_rel);
  if (nested) {
    current_emit = {this, true, false};
  } else {
    while (s & emitting) {  // another thread's emit finishes before the completion goes on
      std::this_thread::yield();
      s = state_.load(std::memory_order_acquire);
    }
  }
  error_code err;
  if (s & claimed) err = error_code(node_->state(), error_category_ref);
  if (!nested && (s & released)) free();  // the batch is done with it: the handler is last
  return err;
}

// ---------------------------------------------------------------------------------------------
// Emits.

namespace {

// Emits into op's signal with this thread's frame set; returns what the frame learned.
emit_frame emit_in_frame(bound_op* op, boost::asio::cancellation_signal& signal,
                         boost::asio::cancellation_type type) noexcept {
  emit_frame outer = std::exchange(current_emit, emit_frame{op, false, false});
  signal.emit(type);
  return std::exchange(current_emit, outer);
}

}  // namespace

void bound_op::emit_from_outer(boost::asio::cancellation_type type) noexcept {
  unsigned char s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s & completed) return;
    if (s & emitting) {  // the context's emit is running: one at a time
      std::this_thread::yield();
      s = state_.load(std::memory_order_acquire);
      continue;
    }
    if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | emitting), std::memory_order_acq_rel))
      break;
  }
  emit_frame f = emit_in_frame(this, signal_, type);
  s = state_.fetch_and(static_cast<unsigned char>(~emitting), std::memory_order_acq_rel);
  // The handler came inside the emit: free the operation if nobody else will (its batch, if it
  // is in one the context handed over and has not let go of it, frees it on seeing `completed`).
  if (f.completed && (f.live || (s & released))) free();
}

void bound_op::emit_from_batch() noexcept {
  unsigned char s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s & emitting) {  // the token's own slot is emitting
      std::this_thread::yield();
      s = state_.load(std::memory_order_acquire);
      continue;
    }
    if (s & completed) {  // the handler has come and gone: the batch is last
      free();
      return;
    }
    if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | emitting | claimed),
                                     std::memory_order_acq_rel))
      break;
  }
  const boost::asio::cancellation_type type = type_ == 0xff
                                                  ? boost::asio::cancellation_type::all
                                                  : static_cast<boost::asio::cancellation_type>(type_);
  emit_frame f = emit_in_frame(this, signal_, type);
  // emitting was set, released was not: one xor clears the one and sets the other.
  state_.fetch_xor(static_cast<unsigned char>(emitting | released), std::memory_order_acq_rel);
  // A handler on another thread waits for this and then frees; one that came inside the emit
  // left it here.
  if (f.completed) free();
}

void bound_op::drop_from_batch() noexcept {
  unsigned char s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s & emitting) {
      std::this_thread::yield();
      s = state_.load(std::memory_order_acquire);
      continue;
    }
    if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | released), std::memory_order_acq_rel))
      break;
  }
  if (s & completed) free();
}

// ---------------------------------------------------------------------------------------------
// Registration, under the node's lock.

tree::bound_added tree::add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                                  executor_batch* (*make)(const void*), deadline_arm* arm) noexcept {
  executor_batch* fresh = nullptr;  // made outside the lock (it copies the executor), when needed
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
        int looked = 0;
        for (executor_batch* t = c->batches_.front(); t != nullptr && looked < 8;
             t = c->batches_.next(t), ++looked) {
          if (t->type() == type && t->same(ex)) {
            b = t;
            break;
          }
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
        lock_guard lock(c->mutex_);
        if (op->early_done_) return bound_added::completed_first;
        op->started_ = true;
        return bound_added::linked;
      }
      continue;
    }
    if (fresh != nullptr) fresh->destroy();
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
