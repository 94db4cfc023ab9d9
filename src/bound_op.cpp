// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/bound_op.cpp: the bound operation — its per-thread cache, its completion, and the state
// word that settles an emit against the completion once the context is done (doc/design.md,
// "The bound operation", counts the atomic operations of each path). Its registration in the
// context's batches: src/bound_ops.cpp.
//

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/tree.hpp>

#include <cstdint>
#include <thread>
#include <utility>

namespace asioctx {
namespace detail {

namespace {

// The emits running on this thread, innermost first, and what each learns if its operation
// completes inside it (from inside its cancellation handler, or from inside another operation's
// emit nested in its own): the emitter then settles it. An emit into an operation whose own emit
// is lower on this thread's stack is left to that one, to make once its handler has returned:
// waiting for it would never end.
struct emit_frame {
  bound_op* op;
  emit_frame* outer;
  bool completed = false;  // the handler came, inside the emit, and left the operation to the emitter
  bool live = false;       // ... after unlinking it from its live batch: nobody else holds it
  unsigned deferred = 0;   // cancellation types emitted into op from inside this emit, made after it
};
ASIOCTX_FAST_TLS emit_frame* current_emit;

emit_frame* frame_of(const bound_op* op) noexcept {
  for (emit_frame* f = current_emit; f != nullptr; f = f->outer)
    if (f->op == op) return f;
  return nullptr;
}

// The operations, recycled per thread with their cancellation_signal: a signal keeps the memory
// Asio allocated for its last cancellation handler (replaced by an empty one of the same size),
// so binding an operation that installs a handler costs no allocation once a thread is warm.
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

static thread_local bound_op_cache_release release_ops_at_exit;

bound_op* bound_op::make(cancel_node* c, boost::asio::cancellation_type type) {
  bound_op* op = sanitizer_heap ? nullptr : ops.head;
  if (op != nullptr) {
    ops.head = op->next_free_;
    prefetch(ops.head);  // the next bind's operation
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
  if (sanitizer_heap || ops.count == op_cache::max || ops.closed) {
    delete this;
    return;
  }
  boost::asio::cancellation_slot slot = signal_.slot();
  if (slot.has_handler()) slot.emplace<parked>();  // destroys the handler, keeps its memory
  state_.store(0, std::memory_order_relaxed);
  left_.store(0, std::memory_order_relaxed);
  started_ = false;
  early_done_ = false;
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
  emit_frame* const frame = frame_of(this);
  const bool nested = frame != nullptr;
  // claimed or released: the context handed the operation's batch over (nothing else sets
  // them), so the node's lock has nothing to tell.
  unsigned char s = state_.load(std::memory_order_acquire);
  if ((s & (claimed | released)) == 0) {
    switch (tree::remove_bound(node_, this)) {
      case tree::bound_removed::unlinked:  // its node reference went to its batch
        if (nested)
          frame->completed = frame->live = true;
        else
          recycle();
        return error_code();
      case tree::bound_removed::before_start:  // start() frees it
        if (nested) frame->completed = true;
        return error_code();
      case tree::bound_removed::handed_over:
        break;
    }
  } else if ((s & emitting) == 0 && !nested && batch_done(s)) {
    // The batch is done with it and nothing emits: the handler is alone with it.
    error_code err;
    if (s & claimed) err = error_code(node_->state(), error_category_ref);
    free();
    return err;
  }
  // Inside the operation's own emit, completed is set at once and the emitter settles it. On any
  // other thread, an emit running elsewhere finishes before completed is set: once it is set, a
  // batch that has not emitted yet frees the operation at any moment, so the handler must not be
  // left waiting on it. Who frees is decided by the state this sets completed over.
  if (nested) {
    s = state_.fetch_or(completed, std::memory_order_acq_rel);
    frame->completed = true;
  } else {
    s = enter(completed, false);
  }
  error_code err;
  if (s & claimed) err = error_code(node_->state(), error_category_ref);
  if (!nested && batch_done(s)) free();  // the batch is done with it: the handler is last
  return err;
}

// ---------------------------------------------------------------------------------------------
// Emits.

namespace {

// Emits into op's signal in a frame of this thread's, then the emits left to it while the
// operation is pending; returns what the frame learned.
emit_frame emit_in_frame(bound_op* op, boost::asio::cancellation_signal& signal,
                         boost::asio::cancellation_type type) noexcept {
  emit_frame f{op, current_emit};
  current_emit = &f;
  signal.emit(type);
  while (f.deferred != 0 && !f.completed)
    signal.emit(static_cast<boost::asio::cancellation_type>(std::exchange(f.deferred, 0u)));
  current_emit = f.outer;
  return f;
}

}  // namespace

unsigned char bound_op::enter(unsigned char bits, bool unless_completed) noexcept {
  unsigned char s = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((s & emitting) || batch_busy(s)) {  // one emit at a time: the other source's finishes first
      std::this_thread::yield();
      s = state_.load(std::memory_order_acquire);
      continue;
    }
    if (unless_completed && (s & completed)) return s;
    if (state_.compare_exchange_weak(s, static_cast<unsigned char>(s | bits), std::memory_order_acq_rel))
      return s;
  }
}

void bound_op::emit_from_outer(boost::asio::cancellation_type type) noexcept {
  if (emit_frame* f = frame_of(this)) {  // from inside its own emit: made after it
    f->deferred |= static_cast<unsigned>(type);
    return;
  }
  if (enter(emitting, true) & completed) return;
  emit_frame f = emit_in_frame(this, signal_, type);
  unsigned char s = state_.fetch_and(static_cast<unsigned char>(~emitting), std::memory_order_acq_rel);
  // The handler came inside the emit and left the operation here. Unlinked from its live batch,
  // its node reference went to the batch: only the object is left. Handed over, it is freed
  // here if its batch has let go of it; otherwise the batch frees it on seeing `completed`.
  if (!f.completed) return;
  if (f.live)
    recycle();
  else if (batch_done(s))
    free();
}

void bound_op::emit_from_batch() noexcept {
  using type = boost::asio::cancellation_type;
  const type t = type_ == 0xff ? type::all : static_cast<type>(type_);
  if (emit_frame* f = frame_of(this)) {
    // From inside the token's own emit of it (its cancellation handler cancelled the context): the
    // emit is left to that emitter, which settles the operation as if the batch had made it.
    f->deferred |= static_cast<unsigned>(t);
    state_.fetch_or(claimed, std::memory_order_acq_rel);
    left_.store(1, std::memory_order_release);
    return;
  }
  if (enter(claimed, true) & completed) {  // the handler came and went: the batch is last
    free();
    return;
  }
  emit_frame f = emit_in_frame(this, signal_, t);
  // No RMW: the batch's last touch. A handler on another thread, seeing claimed, waits for it and
  // then frees; one that came inside the emit left the operation here.
  left_.store(1, std::memory_order_release);
  if (f.completed) free();
}

void bound_op::drop_from_batch() noexcept {
  if (frame_of(this) != nullptr)  // from inside its own emit, whose emitter settles it
    state_.fetch_or(released, std::memory_order_acq_rel);
  else if (enter(released, false) & completed)
    free();
}

}  // namespace detail
}  // namespace asioctx
