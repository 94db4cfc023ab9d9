// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/node.hpp
//
// Every node type of the cancellation tree (but with_stop_token's stop_node, C++20, in
// impl/stop_token.hpp); the operations on them are detail/tree.hpp's.
//
// Every context is a reference-counted node pointing at its parent. Nodes
// that can be cancelled (cancel_node) keep an intrusive list of their cancellable children and of
// their waiters. Lists are guarded by a per-node spin lock; the done state is one atomic byte, so
// err() never locks. Deadlines belong to deadline_nodes, which the deadline service of an
// execution context keeps in its heap while something waits on them (src/deadline_shard.cpp).
// A with_cancel below a done parent is a done_node: no state of its own, its parent's reported.
//

#ifndef ASIOCTX_DETAIL_NODE_HPP
#define ASIOCTX_DETAIL_NODE_HPP

#include <asioctx/detail/config.hpp>
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
#include <ostream>
#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

using clock = std::chrono::steady_clock;
using source_location = boost::source_location;

extern const boost::system::error_category& error_category_ref;

// Only cancel and deadline nodes (cancel_node) are ever reached without a reference of their own
// (a parent's list of children, a deadline heap: try_add_ref); every other kind is reached only
// through the references its holders own, which tree::release relies on.
enum class node_kind : unsigned char { todo, cancel, deadline, value, without_cancel, done };

class cancel_node;
class deadline_node;
struct deadline_arm;
class deadline_shard;
class context_core;
class bound_op;
class executor_batch;
struct tree;
struct op_tag {};
struct batch_tag {};

// Whether `when` has passed on the clock deadlines are measured on. A deadline far ahead is told
// apart by the kernel's coarse reading of the same clock (a few ns, where the precise one costs
// about 25): the coarse clock lags the precise one by at most a tick (4 ms, HZ=250; 10 ms at most),
// well inside the margin. Near deadlines read the precise clock, so the answer is exact.
inline bool passed(clock::time_point when) noexcept {
#if ASIOCTX_HAS_COARSE_STEADY_CLOCK
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

  intrusive_list<cancel_node, child_tag> children_;    // guarded by mutex_
  intrusive_list<waiter> waiters_;                     // guarded by mutex_
  intrusive_list<executor_batch, batch_tag> batches_;  // guarded by mutex_: bound operations by executor
  deadline_node* owner_ = nullptr;
};

// One execution context's share of a deadline: the entry of a shard of its deadline service's
// heap (detail/deadline_shard.hpp), in the heap while something that completes on that execution
// context waits on the deadline (demand). A deadline has one arm per execution context its
// waiters have used; each arm is a user of its execution context's core, so the deadline reaches
// every execution context, whatever the others do. The first arm is the deadline node itself (a
// base of it: the node is found from the arm without a pointer); the others are extra_arms,
// allocated apart, chained from the first arm's next.
struct deadline_arm {
  static constexpr std::uint32_t not_in_heap = 0x7fffffff;

  deadline_arm(const deadline_arm&) = delete;
  deadline_arm& operator=(const deadline_arm&) = delete;

  // The deadline this arm belongs to. Reads extra, which shares its word with heap_index: only
  // under the lock of the arm's shard (the heap's only users), or before the arm is published.
  inline deadline_node* owner() noexcept;
  inline clock::time_point when() noexcept;

  std::atomic<deadline_shard*> shard{nullptr};  // set once; the arm holds one user of its core
  std::atomic<std::int32_t> demand{0};          // slots, waiters and pins that wait here
  std::uint32_t heap_index : 31;                // guarded by the shard's lock
  std::uint32_t extra : 1;                      // immutable: an extra_arm, not the node itself
  // The node's own arm: the head of the extra arms (pushed at the front, freed with the node);
  // an extra arm: the next one (set before it is published).
  std::atomic<deadline_arm*> next{nullptr};

 protected:
  explicit deadline_arm(bool is_extra) noexcept : heap_index(not_in_heap), extra(is_extra) {}
  ~deadline_arm() = default;
};

// The arm of a second (third...) execution context of one deadline.
struct extra_arm final : deadline_arm {
  explicit extra_arm(deadline_node* n) noexcept : deadline_arm(true), node(n) {}
  deadline_node* const node;
};

// A deadline context: its first execution context's arm is a base of it, so one deadline on one
// execution context costs no allocation beyond the node (and the node no pointer to its arm).
class deadline_node final : public cancel_node, private deadline_arm {
 public:
  deadline_node(node* parent, clock::time_point d, const error_code& cause,
                const source_location& where) noexcept;

  clock::time_point when() const noexcept { return when_; }
  // The first arm; the others follow through next.
  deadline_arm* arms() noexcept { return this; }
  void print(std::ostream& os) const override;

 private:
  friend struct tree;
  friend struct access;
  friend struct deadline_arm;
  ~deadline_node() override;

  clock::time_point when_;
};

inline deadline_node* deadline_arm::owner() noexcept {
  return extra ? static_cast<extra_arm*>(this)->node : static_cast<deadline_node*>(this);
}
inline clock::time_point deadline_arm::when() noexcept { return owner()->when_; }

inline clock::time_point cancel_node::deadline() const noexcept { return owner_->when(); }

// A node that only passes its parent on: todo(), and without_cancel's (which hides the parent's
// cancellation: canceler() is null).
class plain_node final : public node {
 public:
  plain_node(node_kind k, node* parent) noexcept : node(k, parent, nullptr) {}
  void print(std::ostream& os) const override;
};

// A with_cancel (or with_cancel_cause, or with_deadline keeping its parent's deadline) made below
// a done parent. Everything it reports is its canceler's, immutable once done: it has no
// cancellable state, links nowhere and copies nothing; its cancel function is empty.
class done_node final : public node {
 public:
  // Takes ownership of one reference to parent; starts with one reference.
  done_node(node* parent, cancel_node* done) noexcept : node(node_kind::done, parent, done) {}
  void print(std::ostream& os) const override;
};

template <class T, class = void>
struct is_printable : std::false_type {};
template <class T>
struct is_printable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

// A with_value node: its key's address and a pointer to its value, found by context::value
// walking up the chain; the cancellable node above it stays its canceler.
class value_node_base : public node {
 public:
  const void* key() const noexcept { return key_; }
  const void* value() const noexcept { return value_; }

 protected:
  value_node_base(node* parent, const void* k, const char* name) noexcept
      : node(node_kind::value, parent, parent ? parent->canceler() : nullptr), key_(k), name_(name) {}

  const void* key_;
  const char* name_;
  const void* value_ = nullptr;  // points at the derived node's value
};

template <class T>
class value_node final : public value_node_base {
 public:
  template <class V>
  value_node(node* parent, const void* k, const char* name, V&& v)
      : value_node_base(parent, k, name), v_(std::forward<V>(v)) {
    value_ = &v_;
  }

  void print(std::ostream& os) const override {
    os << ".with_value(" << name_ << ", ";
    if constexpr (is_printable<T>::value)
      os << v_;
    else
      os << "<not printable>";
    os << ')';
  }

 private:
  T v_;
};

}  // namespace detail
}  // namespace asioctx

// The operations on these nodes.
#include <asioctx/detail/tree.hpp>

#endif  // ASIOCTX_DETAIL_NODE_HPP
