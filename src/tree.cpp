// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/tree.cpp: the cancellation tree's nodes: their classes, making, linking and releasing them.
//
// Locking: every lock is a node's own spin_mutex, never two at once, never held while user code
// or Asio runs; the deadline service is called after the node's lock is released. What a node
// ends with and how cancellation spreads is src/cancel.cpp; waiters and the demand they put on a
// deadline, src/waiters.cpp; bound operations' registration, src/bound_ops.cpp.
//

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/tree.hpp>

#include <cmath>

#include <mutex>
#include <ostream>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

namespace {
// Drops k references to a node: true if they were the last. A value, without_cancel or done node
// is reached only through references (no try_add_ref: see node_kind): if its count is k, it is
// the caller's alone and goes without an atomic read-modify-write, so a chain of children born
// done is freed at the cost of plain loads.
template <class Refs>
bool drop(Refs& refs, node_kind kind, std::uint32_t k) noexcept {
  const bool strong_only =
      kind == node_kind::value || kind == node_kind::without_cancel || kind == node_kind::done;
  if (strong_only && refs.sole(k)) return true;
  return refs.release(k);
}
}  // namespace

void tree::release(node* n) noexcept { release_many(n, 1); }

void tree::release_many(node* n, std::uint32_t k) noexcept {
  // Iterative, so dropping the last handle to a very deep chain cannot overflow the stack.
  if (n == nullptr || k == 0 || !drop(n->refs_, n->kind_, k)) return;
  while (n != nullptr) {
    node* parent = n->parent_;
    delete n;
    n = parent;
    if (n != nullptr && !drop(n->refs_, n->kind_, 1)) return;
  }
}

cancel_node* tree::cparent(const cancel_node* c) noexcept {
  node* p = c->parent();
  return p == nullptr ? nullptr : p->canceler();
}

// ---------------------------------------------------------------------------------------------
// Node classes

cancel_node::cancel_node(node* parent, std::uint32_t n, node_kind k) noexcept : node(k, parent, this, n) {
  if (parent != nullptr) {
    if (cancel_node* pc = parent->canceler()) owner_ = pc->owner_;
  }
}

cancel_node::~cancel_node() {
  tree::unlink_from_parent(this);
  // Waiters still linked hold no reference to the node (stop_token sources): let them go. (A
  // deadline node's arms are gone already: what demanded them is moot.)
  while (waiter* w = waiters_.pop_front()) {
    w->attached_ = false;
    deadline_arm* a = std::exchange(w->arm_, nullptr);
    w->abandon();
    if (a != nullptr && owner_ != this) tree::demand_down(a);
  }
  if (pin_ != nullptr && owner_ != this) tree::demand_down(pin_);
  // Batches still here are empty: each operation held the node until it left its batch.
  while (executor_batch* b = batches_.pop_front()) b->destroy();
}

void cancel_node::print(std::ostream& os) const { os << ".with_cancel"; }

deadline_node::deadline_node(node* parent, clock::time_point d, const error_code& cause,
                             const source_location& where) noexcept
    : cancel_node(parent, 2, node_kind::deadline), deadline_arm(false), when_(d) {
  cause_ = cause ? cause : error_code(static_cast<int>(error::deadline_exceeded), error_category_ref);
  site_ = where;
  owner_ = this;
}

deadline_node::~deadline_node() {
  deadline_arm* a = next.load(std::memory_order_acquire);
  while (a != nullptr) {
    deadline_arm* after = a->next.load(std::memory_order_relaxed);
    a->shard.load(std::memory_order_relaxed)->release_arm(a);  // extras are homed when made
    delete static_cast<extra_arm*>(a);
    a = after;
  }
  if (deadline_shard* s = shard.load(std::memory_order_acquire)) s->release_arm(this);
}

void deadline_node::print(std::ostream& os) const {
  // In seconds, computed apart so that no deadline (time_point::min() among them) overflows.
  double left = std::chrono::duration<double>(when_.time_since_epoch()).count() -
                std::chrono::duration<double>(clock::now().time_since_epoch()).count();
  os << ".with_deadline(" << std::round(left * 1e6) / 1e6 << "s)";
}

void done_node::print(std::ostream& os) const { os << ".with_cancel"; }

void plain_node::print(std::ostream& os) const {
  if (kind() == node_kind::todo)
    os << "todo";
  else
    os << ".without_cancel";
}

node* tree::make_cancel(node* parent) {
  cancel_node* pc = parent != nullptr ? parent->canceler() : nullptr;
  // Below a done parent (one whose deadline passed unobserved is latched here), nothing is left
  // to cancel: the child reports its parent's state and has none of its own.
  if (pc != nullptr && done(pc)) {
    auto* n = new done_node(parent, pc);
    parent->add_ref();
    return n;
  }
  auto* c = new cancel_node(parent);
  if (parent != nullptr) parent->add_ref();
  if (pc != nullptr) link_below(c, pc);  // born done the full way if the parent is done by now
  return c;
}

node* tree::make_deadline(node* parent, clock::time_point d, const error_code& cause,
                          const source_location& where) {
  cancel_node* pc = parent != nullptr ? parent->canceler() : nullptr;
  // No deadline (a saturated timeout), or a later one than the parent's: Go returns
  // WithCancel(parent) for the latter too.
  if (d == clock::time_point::max() || (pc != nullptr && pc->has_deadline() && pc->deadline() <= d))
    return make_cancel(parent);
  auto* c = new deadline_node(parent, d, cause, where);
  if (parent != nullptr) parent->add_ref();
  link_to_parent(c);
  if (c->state() == 0 && passed(d)) expire(c);
  return c;
}

node* tree::make_without_cancel(node* parent) {
  auto* n = new plain_node(node_kind::without_cancel, parent);
  if (parent != nullptr) parent->add_ref();
  return n;
}

node* tree::todo_node() noexcept {
  // Never destroyed: the reference taken here is never dropped.
  static plain_node* const todo = new plain_node(node_kind::todo, nullptr);
  return todo;
}

void tree::link_to_parent(cancel_node* c) noexcept {
  cancel_node* p = cparent(c);
  if (p == nullptr) return;
  done(p);  // a parent whose deadline passed unobserved is done: latched, to inherit rather than link
  link_below(c, p);
}

void tree::link_below(cancel_node* c, cancel_node* p) noexcept {
  if (p->state() == 0) {  // a done parent needs no lock: its cause and site are published
    lock_guard lock(p->mutex_);
    if (p->state_.load(std::memory_order_relaxed) == 0) {
      p->children_.push_back(c);
      c->link_.store(cancel_node::linked, std::memory_order_relaxed);
      return;
    }
  }
  // Born done with the parent's error, cause and site.
  c->cause_ = p->cause_;
  c->site_ = p->site_;
  c->state_.store(p->state(), std::memory_order_release);
  c->closed_ = true;
}

void tree::unlink_from_parent(cancel_node* c) noexcept {
  cancel_node* p = cparent(c);
  if (p == nullptr || c->link_.load(std::memory_order_acquire) == cancel_node::unlinked_self) return;
  lock_guard lock(p->mutex_);
  if (c->link_.load(std::memory_order_relaxed) == cancel_node::linked) p->children_.erase(c);
  c->link_.store(cancel_node::unlinked_self, std::memory_order_relaxed);
}

error_code tree::cause_of(const node* n) noexcept {
  const cancel_node* c = n != nullptr ? n->canceler() : nullptr;
  if (c == nullptr || !err(c)) return error_code();
  return c->cause_;
}

source_location tree::site_of(const node* n) noexcept {
  const cancel_node* c = n != nullptr ? n->canceler() : nullptr;
  if (c == nullptr || !err(c)) return source_location();
  return c->site_;
}

}  // namespace detail
}  // namespace asioctx
