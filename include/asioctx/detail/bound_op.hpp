//
// asioctx/detail/bound_op.hpp
//
// The per-operation state of a bound operation: a waiter in its context's list that owns the
// operation's cancellation_signal. When the context is done the emit is dispatched to the
// operation's executor, in one batch per executor; an atomic state word makes every emit and the
// completion mutually exclusive, so an emit never overlaps the completion and never follows it.
//
// Costs on the common path (the operation completes, nobody cancels): one allocation from the
// per-thread pool, the node's lock twice (link, unlink), two reference-count decrements.
//

#ifndef ASIOCTX_DETAIL_BOUND_OP_HPP
#define ASIOCTX_DETAIL_BOUND_OP_HPP

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/ref_count.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <atomic>
#include <cstring>
#include <thread>
#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

class bound_op_base : public waiter, public pooled {
 public:
  // Adopts one reference to node. Starts with two references: the handler's and start()'s.
  bound_op_base(cancel_node* node, boost::asio::cancellation_type type) noexcept
      : type_(pack(type)), node_(node) {}

  // The operation's slot, asked for while it is initiated (operations that never ask, such as a
  // post, need no signal). Out of memory here terminates, as in Asio's own slot emplace.
  boost::asio::cancellation_slot slot() noexcept {
    if (signal_ == nullptr) signal_ = acquire_signal();
    return signal_->slot();
  }
  cancel_node* node() const noexcept { return node_; }

  // Registers with the context once the operation is initiated (its cancellation handler is
  // installed); emits at once if the context is done. Drops start()'s reference.
  void start(context_core* home) noexcept {
    if (!tree::add_waiter(node_, this, home)) {
      on_detached();
      fire(error_code());
    } else if (state_.load(std::memory_order_acquire) & completed) {
      tree::remove_waiter(node_, this);  // completed before it was registered
    }
    release();
  }

  // As the operation completes, or its handler is destroyed: the context's error if its emit
  // reached the operation (the context cancelled it), else {}. Drops the handler's reference.
  error_code complete() noexcept {
    // Detached by a canceller (the bit is set under the node's lock): no need to take it again.
    if ((state_.load(std::memory_order_acquire) & detached) == 0 && tree::remove_waiter(node_, this)) {
      release();  // still registered: no emit was ever dispatched
      return error_code();
    }
    unsigned char s = state_.fetch_or(completed, std::memory_order_acq_rel);
    // An emit running on another thread finishes before the completion goes on; one running on
    // this thread is the caller (the operation completed from inside it).
    if (emitting_here() != this) {
      while (s & emitting) {
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
      }
    }
    // Completed before start() registered it: start() may be linking it right now.
    if ((s & detached) == 0) tree::remove_waiter(node_, this);
    error_code err = (s & by_context) != 0 ? tree::err(node_) : error_code();
    release();
    return err;
  }

  // Runs on the operation's executor.
  void emit_from_context() noexcept { emit(unpack(type_), by_context); }
  // Forwards a cancellation from the slot the completion token already had.
  void emit_from_outer(boost::asio::cancellation_type type) noexcept { emit(type, 0); }

  void release() noexcept {
    if (refs_.release()) destroy();
  }

 protected:
  ~bound_op_base() {
    if (signal_ != nullptr) release_signal(signal_);
    tree::release(node_);
  }
  virtual void destroy() noexcept = 0;

 private:
  static constexpr unsigned char completed = 1, emitting = 2, by_context = 4, detached = 8;

  // The cancellation type in one byte: its defined bits, or all of them.
  static unsigned char pack(boost::asio::cancellation_type t) noexcept {
    return t == boost::asio::cancellation_type::all ? 0xff : static_cast<unsigned char>(t);
  }
  static boost::asio::cancellation_type unpack(unsigned char t) noexcept {
    return t == 0xff ? boost::asio::cancellation_type::all : static_cast<boost::asio::cancellation_type>(t);
  }

  void on_detached() noexcept override {
    refs_.add();
    state_.fetch_or(detached, std::memory_order_release);
  }
  void abandon() noexcept override {}  // never: a bound operation holds its node

  static bound_op_base*& emitting_here() noexcept {
    static thread_local bound_op_base* op = nullptr;
    return op;
  }

  void emit(boost::asio::cancellation_type type, unsigned char mark) noexcept {
    unsigned char s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (s & completed) return;
      if (s & emitting) {  // the other source is emitting: one at a time
        std::this_thread::yield();
        s = state_.load(std::memory_order_acquire);
        continue;
      }
      if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | emitting | mark),
                                       std::memory_order_acq_rel))
        break;
    }
    bound_op_base* outer = std::exchange(emitting_here(), this);
    if (signal_ != nullptr) signal_->emit(type);  // null: the operation has no cancellation handler
    emitting_here() = outer;
    state_.fetch_and(static_cast<unsigned char>(~emitting), std::memory_order_release);
  }

  // The small members first: they fill the waiter's tail padding.
  std::atomic<unsigned char> state_{0};
  unsigned char type_;
  ref_count refs_{2};
  cancel_node* node_;  // strong: a pending bound operation keeps its context alive
  boost::asio::cancellation_signal* signal_ = nullptr;  // from the per-thread pool, once asked for
};

// Emits from the context on the operation's executor; holds a reference until it has run.
class emit_fn {
 public:
  explicit emit_fn(bound_op_base* op) noexcept : op_(op) {}
  emit_fn(emit_fn&& o) noexcept : op_(std::exchange(o.op_, nullptr)) {}
  emit_fn& operator=(emit_fn&&) = delete;
  ~emit_fn() {
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

// The same for every operation of a batch on one executor.
class emit_batch_fn {
 public:
  explicit emit_batch_fn(intrusive_list<waiter>&& ops) noexcept : ops_(std::move(ops)) {}
  emit_batch_fn(emit_batch_fn&&) noexcept = default;
  emit_batch_fn& operator=(emit_batch_fn&&) = delete;
  ~emit_batch_fn() {
    while (waiter* w = ops_.pop_front()) static_cast<bound_op_base*>(w)->release();
  }
  void operator()() {
    while (waiter* w = ops_.pop_front()) {
      auto* op = static_cast<bound_op_base*>(w);
      op->emit_from_context();
      op->release();
    }
  }

 private:
  intrusive_list<waiter> ops_;
};

template <class T, class = void>
struct is_type_erased_executor : std::false_type {};
template <class T>
struct is_type_erased_executor<T, std::void_t<decltype(std::declval<const T&>().target_type())>>
    : std::true_type {};

// Groups executors for batching: equal executors must hash alike (unequal ones may too).
template <class Executor>
std::size_t executor_hash(const Executor& ex) noexcept {
  if constexpr (std::has_unique_object_representations_v<Executor> && sizeof(Executor) <= 32 &&
                !is_type_erased_executor<Executor>::value) {
    unsigned char bytes[sizeof(Executor)];
    std::memcpy(bytes, &ex, sizeof(Executor));
    std::size_t h = 14695981039346656037ull;
    for (unsigned char b : bytes) h = (h ^ b) * 1099511628211ull;
    return h;
  } else {
    return reinterpret_cast<std::size_t>(&boost::asio::query(ex, boost::asio::execution::context));
  }
}

template <class Executor>
class bound_op final : public bound_op_base {
 public:
  bound_op(cancel_node* node, boost::asio::cancellation_type type, const Executor& ex)
      : bound_op_base(node, type), ex_(ex) {}

 private:
  void destroy() noexcept override { delete this; }

  // The context is done: emit on the operation's executor (inline if already there).
  void fire(const error_code&) noexcept override {
    try {
      boost::asio::dispatch(ex_, emit_fn(this));
    } catch (...) {
      // Out of memory: the emit_fn released the operation; it completes on its own.
    }
  }

  const batch_ops* batching() const noexcept override { return &ops; }

  static const bound_op& cast(const waiter& w) noexcept { return static_cast<const bound_op&>(w); }
  static std::size_t hash(const waiter& w) noexcept { return executor_hash(cast(w).ex_); }
  static bool same(const waiter& a, const waiter& b) noexcept { return cast(a).ex_ == cast(b).ex_; }
  static void dispatch_batch(intrusive_list<waiter>&& batch) noexcept {
    Executor ex = cast(*batch.front()).ex_;
    try {
      boost::asio::dispatch(ex, emit_batch_fn(std::move(batch)));
    } catch (...) {
    }
  }
  static constexpr batch_ops ops{&hash, &same, &dispatch_batch};

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
