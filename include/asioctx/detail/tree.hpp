// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/tree.hpp
//
// The operations on the cancellation tree's nodes (detail/node.hpp), by job: making and
// releasing nodes (src/tree.cpp); the done state and cancellation (src/cancel.cpp); waiters and
// the demand they put on a deadline (src/waiters.cpp); bound operations (src/bound_ops.cpp).
//

#ifndef ASIOCTX_DETAIL_TREE_HPP
#define ASIOCTX_DETAIL_TREE_HPP

#include <asioctx/detail/node.hpp>

namespace asioctx {
namespace detail {

// The operations on the tree. Locking: a node's own spin_mutex, never two nodes' at once, never
// held while user code or Asio runs; the deadline service's lock is never taken under a node's.
struct tree {
  // --- Lifetime (src/tree.cpp) -----------------------------------------------------------------

  // Drops one reference; destroys the node and, iteratively, every ancestor left unreferenced.
  static void release(node* n) noexcept;
  // Drops k references at once (the same, for k of them).
  static void release_many(node* n, std::uint32_t k) noexcept;

  // A cancel_node with two references (the context's and its cancel function's); below a done
  // parent, a done_node with one (its cancel function is empty).
  static node* make_cancel(node* parent);
  // A deadline_node with two references (born done below a done parent); make_cancel's node when
  // d is no deadline or not before the parent's.
  static node* make_deadline(node* parent, clock::time_point d, const error_code& cause,
                             const source_location& where);
  static node* make_without_cancel(node* parent);
  static node* todo_node() noexcept;
  // Links a freshly made node below its cancellable parent, or makes it born done.
  static void link_to_parent(cancel_node* c) noexcept;

  // The cause and site of a context: {} and line 0 while it is live.
  static error_code cause_of(const node* n) noexcept;
  static source_location site_of(const node* n) noexcept;

  // --- Done state and cancellation (src/cancel.cpp) --------------------------------------------

  // The error of c without locking; latches an expired deadline the first time it is seen. With
  // clock false a deadline not yet latched is not looked at: a timer that watches it delivers it.
  ASIOCTX_DETAIL_ALWAYS_INLINE static error_code err(const cancel_node* c, bool clock = true) noexcept {
    if (unsigned char s = c->state()) return error_code(s, error_category_ref);
    return clock && due(c) ? latch(const_cast<cancel_node*>(c)) : error_code();
  }
  // err(c) != {}, without making the error_code.
  static bool done(const cancel_node* c) noexcept {
    return c->state() != 0 || (due(c) && latch(const_cast<cancel_node*>(c)));
  }
  // c's deadline (its own or inherited) has passed, seen or not.
  static bool due(const cancel_node* c) noexcept { return c->owner_ != nullptr && passed(c->deadline()); }
  static error_code latch(cancel_node* c) noexcept;

  // Cancels c and its subtree; the first call wins. cause {} means the error itself. If c's
  // deadline has already passed, c ends with deadline_exceeded, as the timer would have done.
  static void cancel(cancel_node* c, error e, const error_code& cause, const source_location& site) noexcept;

  // Called by the deadline service when n's deadline has passed.
  static void expire(deadline_node* n) noexcept;

  // --- Waiters and the demand they put on a deadline (src/waiters.cpp) ------------------------

  // The arm of c's deadline on core (made on first use); null if c has no deadline, core is
  // null or shut down, or memory ran out (the deadline is then still reported by err()).
  static deadline_arm* arm(const cancel_node* c, context_core* core) noexcept;

  // Links w below c unless c is done (false: the caller notifies at once). A waiter that
  // demands puts its demand on arm (its executor's arm of c's deadline) while linked.
  static bool add_waiter(cancel_node* c, waiter* w, deadline_arm* arm) noexcept;
  // Unlinks w if it is still linked (true); false means a canceller detached it.
  static bool remove_waiter(cancel_node* c, waiter* w) noexcept;
  // The waiter of candidate's kind() that c keeps at most one of (last in its list): the one
  // already there, or candidate, linked now (it must not demand). use(w, arg) runs under c's
  // lock, while w cannot be fired. False if c is done.
  static bool with_unique_waiter(cancel_node* c, waiter* candidate, void (*use)(waiter*, void*),
                                 void* arg) noexcept;
  // Counts c as waited on, on arm, until it is done or destroyed (the executor-first arms; the
  // first one a node gets).
  static void pin(cancel_node* c, deadline_arm* arm) noexcept;

  // --- Bound operations (src/bound_ops.cpp) ---------------------------------------------------

  // Links op into c's batch for its executor *ex (type: the batch's identity, executor_batch.hpp;
  // make makes a batch for it when c has none); while the batch has operations, it demands c's
  // deadline on arm (its executor's). If c is closed, op goes alone into a batch of its own
  // (op->batch_) for the caller to hand over. completed_first: the handler let go of op before it
  // was linked; the caller frees it.
  enum class bound_added { linked, done, completed_first };
  static bound_added add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                               executor_batch* (*make)(const void*), deadline_arm* arm) noexcept;
  // What the handler finds when it completes: op unlinked from its live batch (its node reference
  // went to the batch; the caller frees op), not linked yet (start() frees it), or handed over
  // with its batch (the state word decides who frees it).
  enum class bound_removed { unlinked, before_start, handed_over };
  static bound_removed remove_bound(cancel_node* c, bound_op* op) noexcept;

 private:
  friend class cancel_node;
  friend class deadline_node;

  // Lifetime.
  static cancel_node* cparent(const cancel_node* c) noexcept;
  static void unlink_from_parent(cancel_node* c) noexcept;
  // link_to_parent once p, c's cancellable parent, has been asked whether it is done.
  static void link_below(cancel_node* c, cancel_node* p) noexcept;

  // Done state and cancellation.
  static const cancel_node* decider(cancel_node* c) noexcept;
  static bool publish(cancel_node* c, error e, const error_code& cause, const source_location& site) noexcept;
  // What closing a node takes out of it, to notify outside its lock.
  struct closed {
    intrusive_list<waiter> waiters;
    intrusive_list<executor_batch, batch_tag> batches;  // handed over, to dispatch
    intrusive_list<executor_batch, batch_tag> empty;    // to free
    std::uint32_t owed = 0;                             // node references to drop
    deadline_arm* pin = nullptr;
    bool has_children = false;
  };
  static bool close(cancel_node* c, const cancel_node* from, error e, const error_code* cause,
                    const source_location* site, closed& out) noexcept;
  static void after_close(cancel_node* c, closed& out) noexcept;
  static void propagate(cancel_node* root) noexcept;

  // Waiters and demand.
  static void notify(intrusive_list<waiter>& waiters, const error_code& err) noexcept;
  static void demand_up(deadline_arm* a) noexcept;
  static void demand_down(deadline_arm* a) noexcept;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_TREE_HPP
