// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/node.hpp
//
// The cancellation tree. Every context is a reference-counted node pointing at its parent. Nodes
// that can be cancelled (cancel_node) keep an intrusive list of their cancellable children and of
// their waiters. Lists are guarded by a per-node spin lock; the done state is one atomic byte, so
// err() never locks. Deadlines belong to deadline_nodes, which the deadline service of an
// execution context keeps in its heap while something waits on them (src/deadline_service.cpp).
//

#ifndef ASIOCTX_DETAIL_NODE_HPP
#define ASIOCTX_DETAIL_NODE_HPP

#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/ref_count.hpp>
#include <asioctx/detail/spin_mutex.hpp>
#include <asioctx/detail/waiter.hpp>
#include <asioctx/error.hpp>

#include <boost/assert/source_location.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iosfwd>

namespace asioctx {
namespace detail {

using clock = std::chrono::steady_clock;
using source_location = boost::source_location;

extern const boost::system::error_category& error_category_ref;

enum class node_kind : unsigned char { todo, cancel, deadline, value, without_cancel };

class cancel_node;
class deadline_node;
struct deadline_arm;
class context_core;
class bound_op;
class exec_slot;
struct tree;
struct op_tag {};
struct slot_tag {};

// Whether `when` has passed on the clock deadlines are measured on. A deadline far ahead is told
// apart by the kernel's coarse reading of the same clock (a few ns, where the precise one costs
// about 25): the coarse clock lags the precise one by at most a tick (4 ms, HZ=250; 10 ms at most),
// well inside the margin. Near deadlines read the precise clock, so the answer is exact.
inline bool passed(clock::time_point when) noexcept {
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE) && defined(__GLIBCXX__)
  // libstdc++'s steady_clock is CLOCK_MONOTONIC: the same clock as the coarse one.
  timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0) {
    clock::time_point coarse(std::chrono::duration_cast<clock::duration>(
        std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
    if (when > coarse && when - coarse > std::chrono::milliseconds(50)) return false;
  }
#endif
  return clock::now() >= when;
}

class node : public pooled {
 public:
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  void add_ref() noexcept { refs_.add(); }
  // Takes a reference unless the node is already being destroyed.
  bool try_add_ref() noexcept { return refs_.try_add(); }
  // How many references there are: exact only when the caller holds every one it counts on.
  std::uint32_t use_count() const noexcept { return refs_.load(); }

  node_kind kind() const noexcept { return kind_; }
  node* parent() const noexcept { return parent_; }
  // The nearest cancellable node, this one included; null if this context can never be done.
  cancel_node* canceler() const noexcept { return canc_; }

  // Prints this node's own part of the chain ("background" is the null node, never printed here).
  virtual void print(std::ostream& os) const = 0;

 protected:
  // Takes ownership of one reference to parent; starts with n references.
  node(node_kind k, node* parent, cancel_node* canc, std::uint32_t n = 1) noexcept
      : refs_(n), kind_(k), parent_(parent), canc_(canc) {}
  virtual ~node() = default;

 private:
  friend struct tree;
  friend struct access;

  ref_count refs_;
  node_kind kind_;

 protected:
  // cancel_node's, kept here where they fill the padding after refs_ and kind_.
  std::atomic<unsigned char> state_{0};  // 0 while live, then an asioctx::error; set once
  mutable spin_mutex mutex_;
  bool closed_ = false;  // guarded by mutex_: propagation began; nothing links any more

 private:
  node* parent_;       // strong; released iteratively by tree::release
  cancel_node* canc_;  // the nearest cancellable node, this one included
};

struct child_tag {};

class cancel_node : public node, public list_hook<child_tag> {
 public:
  // A node below parent (null for background) holding n references; takes none to parent.
  explicit cancel_node(node* parent, std::uint32_t n = 2, node_kind k = node_kind::cancel) noexcept;

  unsigned char state() const noexcept { return state_.load(std::memory_order_acquire); }
  bool has_deadline() const noexcept { return owner_ != nullptr; }
  // The node whose deadline is this one's effective deadline (this one, or an ancestor).
  deadline_node* deadline_owner() const noexcept { return owner_; }
  inline clock::time_point deadline() const noexcept;

  // Valid once state() != 0, then immutable.
  const error_code& stored_cause() const noexcept { return cause_; }
  const source_location& stored_site() const noexcept { return site_; }

  void print(std::ostream& os) const override;

 protected:
  ~cancel_node() override;

 private:
  friend struct tree;
  friend struct access;
  friend class deadline_node;

  // Membership of the parent's child list, written under the parent's lock. unlinked_self means
  // no other thread can still be touching the node, so the destructor needs no lock;
  // unlinked_by_canceller means a canceller did it and the destructor must take the lock to wait
  // until that canceller is done with it.
  enum : unsigned char { unlinked_self = 0, linked = 1, unlinked_by_canceller = 2 };
  std::atomic<unsigned char> link_{unlinked_self};
  deadline_arm* pin_ = nullptr;  // guarded by mutex_: the executor-first arm's demand, if any

  // Before the node is done, a deadline_node keeps here the cause and the site its deadline
  // reports; once done, both are the winning cancel's (or the deadline's), written under mutex_
  // before state_ is published.
  error_code cause_;
  source_location site_;

  intrusive_list<cancel_node, child_tag> children_;  // guarded by mutex_
  intrusive_list<waiter> waiters_;                   // guarded by mutex_
  intrusive_list<exec_slot, slot_tag> slots_;        // guarded by mutex_: bound operations by executor
  deadline_node* owner_ = nullptr;
};

// One execution context's share of a deadline: the entry of its deadline service's heap, in the
// heap while something that completes on that execution context waits on the deadline (demand).
// A deadline has one arm per execution context its waiters have used; each arm is a user of its
// service's core, so the deadline reaches every execution context, whatever the others do.
struct deadline_arm {
  static constexpr std::uint32_t not_in_heap = ~std::uint32_t(0);

  deadline_arm(deadline_node* n, clock::time_point w) noexcept : node(n), when(w) {}
  deadline_arm(const deadline_arm&) = delete;
  deadline_arm& operator=(const deadline_arm&) = delete;

  deadline_node* const node;
  const clock::time_point when;
  std::atomic<context_core*> core{nullptr};  // set once; the arm holds one user of it
  std::atomic<std::int32_t> demand{0};       // slots, waiters and pins that wait here
  std::uint32_t heap_index = not_in_heap;    // guarded by core's lock
  deadline_arm* next = nullptr;              // set before the arm is published
};

class deadline_node final : public cancel_node {
 public:
  deadline_node(node* parent, clock::time_point d, const error_code& cause,
                const source_location& where) noexcept;

  clock::time_point when() const noexcept { return when_; }
  void print(std::ostream& os) const override;

 private:
  friend struct tree;
  friend struct access;
  friend class context_core;
  ~deadline_node() override;

  clock::time_point when_;
  deadline_arm first_arm_{this, when_};           // the common case: one execution context
  std::atomic<deadline_arm*> arms_{&first_arm_};  // pushed at the front, freed with the node
};

inline clock::time_point cancel_node::deadline() const noexcept { return owner_->when(); }

// The operations on the tree. Locking: a node's own spin_mutex, never two nodes' at once, never
// held while user code or Asio runs; the deadline service's lock is never taken under a node's.
struct tree {
  // Drops one reference; destroys the node and, iteratively, every ancestor left unreferenced.
  static void release(node* n) noexcept;

  static node* make_cancel(node* parent);
  static node* make_deadline(node* parent, clock::time_point d, const error_code& cause,
                             const source_location& where);
  static node* make_without_cancel(node* parent);
  static node* todo_node() noexcept;
  // Links a freshly made node below its cancellable parent, or makes it born done.
  static void link_to_parent(cancel_node* c) noexcept;

  // The error of c without locking; latches an expired deadline the first time it is seen.
  static error_code err(const cancel_node* c) noexcept {
    if (unsigned char s = c->state()) return error_code(s, error_category_ref);
    return due(c) ? latch(const_cast<cancel_node*>(c)) : error_code();
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

  // The cause and site of a context: {} and line 0 while it is live.
  static error_code cause_of(const node* n) noexcept;
  static source_location site_of(const node* n) noexcept;

  // The arm of c's deadline on core (made on first use); null if c has no deadline, core is
  // null or shut down, or memory ran out (the deadline is then still reported by err()).
  static deadline_arm* arm(const cancel_node* c, context_core* core) noexcept;

  // Bound operations: links op into c's slot for its executor *ex (type identifies the
  // executor type; make makes a slot for it when c has none). If c is done, op goes alone into a
  // detached slot of its own (op->slot_), its node reference handed over, for the caller to
  // dispatch. While the slot has operations, it demands c's deadline on arm (its executor's).
  enum class bound_added { linked, done, completed_first };
  static bound_added add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                               exec_slot* (*make)(const void*), deadline_arm* arm) noexcept;
  // Unlinks op from c's slot (true); false if its slot was detached (or op was never linked).
  static bool remove_bound(cancel_node* c, bound_op* op) noexcept;

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

  // Called by the deadline service when n's deadline has passed.
  static void expire(deadline_node* n) noexcept;

 private:
  friend class cancel_node;
  friend class deadline_node;

  static cancel_node* cparent(const cancel_node* c) noexcept;
  static void unlink_from_parent(cancel_node* c) noexcept;
  static const cancel_node* decider(cancel_node* c) noexcept;
  static bool publish(cancel_node* c, error e, const error_code& cause, const source_location& site) noexcept;
  // What closing a node takes out of it, to notify outside its lock.
  struct closed {
    intrusive_list<waiter> waiters;
    intrusive_list<exec_slot, slot_tag> slots;  // detached, to dispatch
    intrusive_list<exec_slot, slot_tag> empty;  // to free
    deadline_arm* pin = nullptr;
    bool has_children = false;
  };
  static bool close(cancel_node* c, const cancel_node* from, error e, const error_code* cause,
                    const source_location* site, closed& out) noexcept;
  static void after_close(cancel_node* c, closed& out) noexcept;
  static void propagate(cancel_node* root) noexcept;
  static void notify(intrusive_list<waiter>& waiters, const error_code& err) noexcept;
  static void demand_up(deadline_arm* a) noexcept;
  static void demand_down(deadline_arm* a) noexcept;
  static void drop_waiters(cancel_node* c) noexcept;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_NODE_HPP
