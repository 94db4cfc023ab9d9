//
// asioctx/detail/bound_op.hpp
//
// The per-operation state of a bound operation: a waiter in the context's list that owns the
// operation's cancellation_signal. The context emits into it on the operation's associated
// executor; a small lock makes every emit and the completion mutually exclusive, so an emit
// never overlaps the completion and never follows it.
//

#ifndef ASIOCTX_DETAIL_BOUND_OP_HPP
#define ASIOCTX_DETAIL_BOUND_OP_HPP

#include <asioctx/detail/node.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>

#include <mutex>
#include <utility>

namespace asioctx {
namespace detail {

class bound_op_base : public waiter {
 public:
  bound_op_base(cancel_node* node, boost::asio::cancellation_type type) noexcept : node_(node), type_(type) {
    node_->add_ref();
  }

  boost::asio::cancellation_slot slot() noexcept { return signal_.slot(); }
  cancel_node* node() const noexcept { return node_; }

  // Emits the context's cancellation unless the operation has completed. Runs on the
  // operation's executor.
  void emit_from_context() noexcept { emit(type_, true); }

  // Forwards a cancellation from the slot the completion token already had.
  void emit_from_outer(boost::asio::cancellation_type type) noexcept { emit(type, false); }

  // Called as the operation completes (or its handler is destroyed). Returns whether the
  // context's emit reached the operation, i.e. the context cancelled it.
  bool complete() noexcept {
    bool by_context;
    if (emitting_here() == this) {
      // The operation completed from inside our own emit: the lock is ours already.
      completed_ = true;
      by_context = emitted_by_context_;
    } else {
      std::lock_guard<spin_mutex> lock(mutex_);
      completed_ = true;
      by_context = emitted_by_context_;
    }
    // After completed_ is set, so a registration racing with this completion is always undone.
    remove_waiter(node_, this);
    return by_context;
  }

  // Registers with the context after the operation was initiated (so its cancellation
  // handler is installed); if the context is done already, emits at once.
  void start() noexcept {
    if (!add_waiter(node_, this)) {
      fire(error_code());
      return;
    }
    bool completed;
    {
      std::lock_guard<spin_mutex> lock(mutex_);
      completed = completed_;
    }
    if (completed) remove_waiter(node_, this);
  }

 protected:
  ~bound_op_base() override { detail::release(node_); }

 private:
  static bound_op_base*& emitting_here() noexcept {
    static thread_local bound_op_base* op = nullptr;
    return op;
  }

  void emit(boost::asio::cancellation_type type, bool from_context) noexcept {
    std::lock_guard<spin_mutex> lock(mutex_);
    if (completed_) return;
    if (from_context) emitted_by_context_ = true;
    bound_op_base* outer = std::exchange(emitting_here(), this);
    signal_.emit(type);
    emitting_here() = outer;
  }

  cancel_node* node_;  // strong: a pending bound operation keeps its context alive
  boost::asio::cancellation_type type_;
  boost::asio::cancellation_signal signal_;
  spin_mutex mutex_;
  bool completed_ = false;
  bool emitted_by_context_ = false;
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
