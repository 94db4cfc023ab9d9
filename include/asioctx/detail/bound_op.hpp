// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/bound_op.hpp
//
// One bound operation: what `bind(ctx, token)` adds to an asynchronous operation. It holds the
// operation's cancellation_signal and one reference to the context's cancellable node, and sits
// in the context's batch for its executor (executor_batch.hpp) while the operation is pending.
//
// While the context is live, the node's lock alone guards the operation: start() links it,
// complete() unlinks it, and whichever of the two comes second frees it. Once the context is done,
// its batches are handed whole to their executors; each operation is then shared by two parties,
// its batch (which emits into it) and its handler (which completes it), and one atomic state word
// settles them: an emit and the completion never overlap, and the last one to let go frees the
// operation. doc/design.md draws the protocol and counts its atomic operations.
//

#ifndef ASIOCTX_DETAIL_BOUND_OP_HPP
#define ASIOCTX_DETAIL_BOUND_OP_HPP

#include <asioctx/detail/config.hpp>
#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/node.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <atomic>
#include <cstring>

namespace asioctx {
namespace detail {

class executor_batch;

class bound_op : public list_hook<op_tag> {
 public:
  // An operation bound to c, adopting one reference to c; recycled per thread with its signal.
  static bound_op* make(cancel_node* c, boost::asio::cancellation_type type);

  bound_op(const bound_op&) = delete;
  bound_op& operator=(const bound_op&) = delete;

  // The slot the operation installs its cancellation handler in, while it is initiated.
  boost::asio::cancellation_slot cancellation_slot() noexcept { return signal_.slot(); }

  // Registers with the context once the operation is initiated (its cancellation handler is
  // installed), in the batch of its executor ex; emitted into at once, on ex, if the context is
  // done. Frees the operation if it has completed already.
  template <class Executor>
  void start(const Executor& ex, deadline_arm* arm) noexcept;

  // As the operation completes, or its handler is destroyed: the context's error if the
  // context's emit reached the operation, else {}. The handler's last use of the operation.
  error_code complete() noexcept;

  // Prefetches what the emit will touch first: the cancellation handler the operation installed
  // (its memory, which the signal keeps: the signal's one member points to it).
  void prefetch_handler() const noexcept {
    static_assert(sizeof(boost::asio::cancellation_signal) == sizeof(void*));
    const void* handler;
    std::memcpy(&handler, static_cast<const void*>(&signal_), sizeof handler);
    prefetch(handler);
  }

  // Forwards a cancellation from the slot the completion token already had.
  void emit_from_outer(boost::asio::cancellation_type type) noexcept;

  // The batch's part, on the batch's executor once the context is done: emit (or, when the
  // executor will never run the batch, only let go), then free the operation if the handler is
  // done with it.
  void emit_from_batch() noexcept;
  void drop_from_batch() noexcept;

 private:
  friend struct tree;
  friend struct bound_op_cache_release;

  // The state word, written only once the context is done (or by an outer emit).
  static constexpr unsigned char completed = 1;  // the handler has come
  static constexpr unsigned char emitting = 2;   // an outer emit is running; the handler waits it out
  static constexpr unsigned char claimed = 4;    // the batch's emit reached the operation (done once left_)
  static constexpr unsigned char released = 8;   // the batch let go of it unrun

  // The batch emits into it now (claimed, not left), or is done with it.
  bool batch_busy(unsigned char s) const noexcept {
    return (s & claimed) != 0 && left_.load(std::memory_order_acquire) == 0;
  }
  bool batch_done(unsigned char s) const noexcept {
    return (s & released) != 0 || ((s & claimed) != 0 && left_.load(std::memory_order_acquire) != 0);
  }

  bound_op() noexcept = default;
  ~bound_op() = default;

  // Sets bits once no emit is running, unless (with unless_completed) the handler has come;
  // returns the state it found.
  unsigned char enter(unsigned char bits, bool unless_completed) noexcept;
  // Returns the operation to this thread's cache; free() also drops its node reference.
  void recycle() noexcept;
  void free() noexcept;

  std::atomic<unsigned char> state_{0};
  std::atomic<unsigned char> left_{0};  // stored once by the batch after its emit: no RMW
  unsigned char type_ = 0;              // the cancellation type, in one byte (0xff: all)
  bool started_ = false;                // guarded by the node's lock: start() linked it
  bool early_done_ = false;             // guarded by the node's lock: completed before start() linked it
  cancel_node* node_ = nullptr;
  union {
    executor_batch* batch_ = nullptr;  // guarded by the node's lock while its context is live
    bound_op* next_free_;              // in its thread's cache
  };
  boost::asio::cancellation_signal signal_;
};

// The handler a token's own cancellation slot gets: forwards into the operation's signal.
struct outer_slot_proxy {
  bound_op* op;
  void operator()(boost::asio::cancellation_type type) const noexcept { op->emit_from_outer(type); }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_BOUND_OP_HPP
