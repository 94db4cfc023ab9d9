//
// asioctx/detail/bound_op.hpp
//
// The per-operation state of a bound operation: a waiter in the context's list that owns the
// operation's cancellation_signal. The context emits into it on the operation's associated
// executor; an atomic state word makes every emit and the completion mutually exclusive, so an
// emit never overlaps the completion and never follows it.
//

#ifndef ASIOCTX_DETAIL_BOUND_OP_HPP
#define ASIOCTX_DETAIL_BOUND_OP_HPP

#include <asioctx/detail/node.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>

#include <atomic>
#include <thread>
#include <utility>

namespace asioctx {
namespace detail {

class bound_op_base : public waiter, public pooled {
 public:
  bound_op_base(cancel_node* node, boost::asio::cancellation_type type) noexcept : node_(node), type_(type) {
    node_->add_ref();
  }

  boost::asio::cancellation_slot slot() noexcept { return signal_.slot(); }
  cancel_node* node() const noexcept { return node_; }

  // Emits the context's cancellation unless the operation has completed. Runs on the
  // operation's executor.
  void emit_from_context() noexcept { emit(type_, by_context); }

  // Forwards a cancellation from the slot the completion token already had.
  void emit_from_outer(boost::asio::cancellation_type type) noexcept { emit(type, 0); }

  // Called as the operation completes (or its handler is destroyed). Returns whether the
  // context's emit reached the operation, i.e. the context cancelled it.
  bool complete() noexcept {
    unsigned s = state_.fetch_or(completed, std::memory_order_acq_rel);
    // An emit running on another thread finishes before the completion goes on; one running on
    // this thread is the caller (the operation completed from inside it).
    if (emitting_here() != this) {
      while (s & emitting) {
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
      }
    }
    // After completed is set, so a registration racing with this completion is always undone.
    remove_waiter(node_, this);
    return (s & by_context) != 0;
  }

  // Registers with the context after the operation was initiated (so its cancellation
  // handler is installed); if the context is done already, emits at once.
  void start() noexcept {
    if (!add_waiter(node_, this)) {
      fire(error_code());
      return;
    }
    if (state_.load(std::memory_order_acquire) & completed) remove_waiter(node_, this);
  }

 protected:
  ~bound_op_base() override { detail::release(node_); }

 private:
  static constexpr unsigned completed = 1, emitting = 2, by_context = 4;

  static bound_op_base*& emitting_here() noexcept {
    static thread_local bound_op_base* op = nullptr;
    return op;
  }

  void emit(boost::asio::cancellation_type type, unsigned mark) noexcept {
    unsigned s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (s & completed) return;
      if (s & emitting) {  // the other source is emitting: one at a time
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
        continue;
      }
      if (state_.compare_exchange_weak(s, s | emitting | mark, std::memory_order_acq_rel)) break;
    }
    bound_op_base* outer = std::exchange(emitting_here(), this);
    signal_.emit(type);
    emitting_here() = outer;
    state_.fetch_and(~emitting, std::memory_order_release);
  }

  cancel_node* node_;  // strong: a pending bound operation keeps its context alive
  boost::asio::cancellation_type type_;
  boost::asio::cancellation_signal signal_;
  std::atomic<unsigned> state_{0};
};

// Holds a reference to an operation's state; releases it if never invoked.
class emit_from_context_fn {
 public:
  explicit emit_from_context_fn(bound_op_base* op) noexcept : op_(op) { op_->add_ref(); }
  emit_from_context_fn(emit_from_context_fn&& o) noexcept : op_(std::exchange(o.op_, nullptr)) {}
  emit_from_context_fn& operator=(emit_from_context_fn&&) = delete;
  ~emit_from_context_fn() {
    if (op_ != nullptr) op_->release();
  }
  void operator()() {
    bound_op_base* op = std::exchange(op_, nullptr);
    op->emit_from_context();
    op->release();
  }

 private:
  bound_op_base* op_;
};

template <class Executor>
class bound_op final : public bound_op_base {
 public:
  bound_op(cancel_node* node, boost::asio::cancellation_type type, const Executor& ex)
      : bound_op_base(node, type), ex_(ex) {}

  // The context is done: emit on the operation's executor (inline if already there).
  void fire(error_code) noexcept override { boost::asio::dispatch(ex_, emit_from_context_fn(this)); }

 private:
  Executor ex_;
};

// The handler a token's own cancellation slot gets: forwards into the operation's signal.
struct outer_slot_proxy {
  bound_op_base* op;
  void operator()(boost::asio::cancellation_type type) const noexcept { op->emit_from_outer(type); }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_BOUND_OP_HPP
