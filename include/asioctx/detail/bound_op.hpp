// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/bound_op.hpp
//
// Bound operations, grouped by executor. A context keeps one slot per executor its operations
// complete on: the executor (copied once, not per operation) and the list of those operations.
// When the context is done, each slot is handed whole to its executor, which emits into every
// operation still in it: the cancelling thread touches no operation, and each executor gets one
// dispatch.
//
// Each operation owns its cancellation_signal; an atomic state word makes every emit and the
// completion mutually exclusive, so an emit never overlaps the completion and never follows it,
// whatever thread each runs on.
//
// Locking: while a slot belongs to its context, the context's node lock guards it; once the
// context hands it over (detached), its own lock guards its list. A detached slot lives until the
// batch and every operation that was in it have let go of it.
//

#ifndef ASIOCTX_DETAIL_BOUND_OP_HPP
#define ASIOCTX_DETAIL_BOUND_OP_HPP

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/ref_count.hpp>
#include <asioctx/detail/spin_mutex.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

class bound_op : public list_hook<op_tag>, public pooled {
 public:
  // Adopts one reference to node. Starts with two references: the handler's and start()'s.
  bound_op(cancel_node* node, boost::asio::cancellation_type type) noexcept
      : type_(pack(type)), node_(node) {}
  bound_op(const bound_op&) = delete;
  bound_op& operator=(const bound_op&) = delete;

  // The operation's slot, asked for while it is initiated (operations that never ask, such as a
  // post, need no signal). Out of memory here terminates, as in Asio's own slot emplace.
  boost::asio::cancellation_slot slot() noexcept {
    if (signal_ == nullptr) signal_ = acquire_signal();
    return signal_->slot();
  }

  // Registers with the context once the operation is initiated (its cancellation handler is
  // installed), in the slot of its executor ex; emits at once if the context is done. Drops
  // start()'s reference.
  template <class Executor>
  void start(const Executor& ex, deadline_arm* home) noexcept;

  // As the operation completes, or its handler is destroyed: the context's error if its emit
  // reached the operation (the context cancelled it), else {}. Drops the handler's reference.
  error_code complete() noexcept;

  // Forwards a cancellation from the slot the completion token already had.
  void emit_from_outer(boost::asio::cancellation_type type) noexcept {
    unsigned char s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (s & completed) return;
      if (s & emitting) {  // the context is emitting: one at a time
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
        continue;
      }
      if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | emitting),
                                       std::memory_order_acq_rel))
        break;
    }
    emit(type);
  }

  void release() noexcept {
    if (refs_.release()) delete this;
  }

 private:
  friend struct tree;
  friend class exec_slot;

  static constexpr unsigned char completed = 1, emitting = 2, by_context = 4;

  // The cancellation type in one byte: its defined bits, or all of them.
  static unsigned char pack(boost::asio::cancellation_type t) noexcept {
    return t == boost::asio::cancellation_type::all ? 0xff : static_cast<unsigned char>(t);
  }
  static boost::asio::cancellation_type unpack(unsigned char t) noexcept {
    return t == 0xff ? boost::asio::cancellation_type::all : static_cast<boost::asio::cancellation_type>(t);
  }

  static bound_op*& emitting_here() noexcept {
    static thread_local bound_op* op = nullptr;
    return op;
  }

  // The context's emit, by its slot's batch, under the slot's lock: false if the operation has
  // completed. Then, outside that lock, emit(type) and done.
  bool claim_for_context() noexcept {
    unsigned char s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (s & completed) return false;
      if (s & emitting) {  // the token's own slot is emitting
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
        continue;
      }
      if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | emitting | by_context),
                                       std::memory_order_acq_rel))
        return true;
    }
  }

  // With `emitting` set by this thread: emits, then lets the completion go on.
  void emit(boost::asio::cancellation_type type) noexcept {
    bound_op* outer = std::exchange(emitting_here(), this);
    if (signal_ != nullptr) signal_->emit(type);  // null: the operation has no cancellation handler
    emitting_here() = outer;
    state_.fetch_and(static_cast<unsigned char>(~emitting), std::memory_order_release);
  }
  void emit_from_context() noexcept { emit(unpack(type_)); }

  ~bound_op() {
    if (signal_ != nullptr) release_signal(signal_);
    if (!handed_over_) tree::release(node_);
  }

  // The small members first: they sit at the start of the object with the hook.
  std::atomic<unsigned char> state_{0};
  unsigned char type_;
  bool early_done_ = false;   // guarded by the node's lock: completed before start() linked it
  bool handed_over_ = false;  // its node reference went to its slot when the slot was detached
  ref_count refs_{2};
  cancel_node* node_;          // strong until its slot is detached; then the slot holds it
  exec_slot* slot_ = nullptr;  // guarded by the node's lock until detached; then held (a reference)
  boost::asio::cancellation_signal* signal_ = nullptr;  // from the per-thread pool, once asked for
};

// The bound operations of one context on one executor.
class exec_slot : public list_hook<slot_tag>, public pooled {
 public:
  exec_slot(const void* type, bool keep_idle) noexcept : type_(type), keep_idle_(keep_idle) {}
  exec_slot(const exec_slot&) = delete;
  exec_slot& operator=(const exec_slot&) = delete;

  const void* type() const noexcept { return type_; }
  // Whether the context may keep this slot once it has no operation, for the next ones: only
  // when its executor may be destroyed after its execution context is gone.
  bool keep_idle() const noexcept { return keep_idle_; }
  // Whether *executor (an executor of this slot's type) is this slot's executor.
  virtual bool same(const void* executor) const noexcept = 0;
  // Hands the batch to the executor (dispatch); the batch holds one reference.
  virtual void dispatch() noexcept = 0;
  virtual void destroy() noexcept = 0;

  void release() noexcept {
    if (!refs_.release()) return;
    cancel_node* n = node_;
    destroy();
    if (n != nullptr) tree::release(n);
  }

  // Runs on the executor: emits into every operation still in the slot, one at a time.
  void run_batch() noexcept {
    for (;;) {
      bound_op* op;
      bool claimed;
      {
        std::lock_guard<spin_mutex> lock(mutex_);
        op = ops_.pop_front();
        if (op == nullptr) return;
        claimed = op->claim_for_context();
        // Held through the emit: an operation may complete from inside its cancellation handler.
        if (claimed) op->refs_.add();
      }
      if (claimed) {
        op->emit_from_context();
        op->release();
      }
    }
  }

  // The executor will never run the batch (its context shut down): the operations are left to
  // complete, or be destroyed, on their own.
  void drop_batch() noexcept {
    std::lock_guard<spin_mutex> lock(mutex_);
    while (ops_.pop_front() != nullptr) {
    }
  }

 protected:
  virtual ~exec_slot() = default;

 private:
  friend struct tree;
  friend class bound_op;

  const void* type_;
  bool keep_idle_;
  // Attached to its context: guarded by the context's node lock. Detached: ops_ by mutex_.
  intrusive_list<bound_op, op_tag> ops_;
  std::uint32_t count_ = 0;      // operations in ops_, while attached
  deadline_arm* arm_ = nullptr;  // while count_ > 0: where they demand the context's deadline
  bool detached_ = false;
  unsigned char err_ = 0;  // the context's error, once detached
  spin_mutex mutex_;
  ref_count refs_{0};  // once detached: the batch's, and one per operation it held
  // Once detached: one reference to the context's node, held for all its operations (which
  // gave theirs up), so an operation completing late may still lock the node.
  cancel_node* node_ = nullptr;
};

// Runs a detached slot's batch on its executor; dropped unrun, lets its operations go.
class slot_batch {
 public:
  explicit slot_batch(exec_slot* s) noexcept : slot_(s) {}
  slot_batch(slot_batch&& o) noexcept : slot_(std::exchange(o.slot_, nullptr)) {}
  slot_batch& operator=(slot_batch&&) = delete;
  ~slot_batch() {
    if (slot_ == nullptr) return;
    slot_->drop_batch();
    slot_->release();
  }
  void operator()() {
    exec_slot* s = std::exchange(slot_, nullptr);
    s->run_batch();
    s->release();
  }

 private:
  exec_slot* slot_;
};

// Whether an executor may be destroyed after its execution context: an untracked io_context or
// thread_pool executor is a pointer and nothing more. Any other (a strand, a tracked executor, a
// type-erased one) reaches into its execution context when destroyed, so a context must not keep
// a copy of it beyond its operations.
template <class Executor>
using untracked_t = std::decay_t<decltype(boost::asio::prefer(
    std::declval<const Executor&>(), boost::asio::execution::outstanding_work.untracked))>;
template <class Executor>
struct survives_its_context : std::false_type {};
template <class A, std::uintptr_t Bits>
struct survives_its_context<boost::asio::io_context::basic_executor_type<A, Bits>>
    : std::is_same<boost::asio::io_context::basic_executor_type<A, Bits>,
                   untracked_t<boost::asio::io_context::basic_executor_type<A, Bits>>> {};
template <class A, unsigned int Bits>
struct survives_its_context<boost::asio::thread_pool::basic_executor_type<A, Bits>>
    : std::is_same<boost::asio::thread_pool::basic_executor_type<A, Bits>,
                   untracked_t<boost::asio::thread_pool::basic_executor_type<A, Bits>>> {};

template <class Executor>
class exec_slot_impl final : public exec_slot {
 public:
  static constexpr char tag = 0;  // its address identifies the executor type

  explicit exec_slot_impl(const Executor& ex)
      : exec_slot(&tag, survives_its_context<Executor>::value), ex_(ex) {}

  // Makes a slot for *executor (an Executor): what tree::add_bound calls when it needs one.
  static exec_slot* make(const void* executor) {
    return new exec_slot_impl(*static_cast<const Executor*>(executor));
  }

  bool same(const void* executor) const noexcept override {
    return *static_cast<const Executor*>(executor) == ex_;
  }

  void dispatch() noexcept override {
    try {
      boost::asio::dispatch(ex_, slot_batch(this));
    } catch (...) {
      // Out of memory: the slot_batch let the operations go; they complete on their own.
    }
  }

  void destroy() noexcept override { delete this; }

 private:
  Executor ex_;
};

template <class Executor>
void bound_op::start(const Executor& ex, deadline_arm* home) noexcept {
  exec_slot* (*make)(const void*) = &exec_slot_impl<Executor>::make;
  switch (tree::add_bound(node_, this, &exec_slot_impl<Executor>::tag, &ex, make, home)) {
    case tree::bound_added::linked:
    case tree::bound_added::completed_first:
      break;
    case tree::bound_added::done:
      // Emitted at once, on its executor, through a slot of its own that tree::add_bound made
      // detached (the slot took this operation's node reference).
      slot_->dispatch();
      break;
  }
  release();
}

inline error_code bound_op::complete() noexcept {
  if (tree::remove_bound(node_, this)) {  // still in its context's slot: no emit was dispatched
    release();
    return error_code();
  }
  unsigned char s = state_.fetch_or(completed, std::memory_order_acq_rel);
  error_code err;
  if (exec_slot* slot = slot_) {  // detached: the slot's batch may be at this operation
    {
      std::lock_guard<spin_mutex> lock(slot->mutex_);
      if (is_linked()) slot->ops_.erase(this);  // not reached yet: it never will be
    }
    // An emit running on another thread finishes before the completion goes on; one running on
    // this thread is the caller (the operation completed from inside it).
    if (emitting_here() != this) {
      while (s & emitting) {
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
      }
    }
    if (s & by_context) err = error_code(slot->err_, error_category_ref);
    slot->release();
  }
  release();
  return err;
}

// The handler a token's own cancellation slot gets: forwards into the operation's signal.
struct outer_slot_proxy {
  bound_op* op;
  void operator()(boost::asio::cancellation_type type) const noexcept { op->emit_from_outer(type); }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_BOUND_OP_HPP
