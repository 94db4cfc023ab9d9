// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/cancel.cpp: the cancellation tree's done state: what a node ends with, closing it, and
// propagating cancellation to its subtree.
//
// Locking: every lock is a node's own spin_mutex, never two at once, never held while user code
// or Asio runs; the deadline service is called after the node's lock is released. Propagation is
// iterative (an intrusive work stack), so a chain of any depth or a node with any number of
// children cancels in constant stack.
//
// What a node ends with never depends on whether anyone looked: a node made done at time t ends
// with deadline_exceeded iff its effective deadline is at or before t, unless a node between it
// and the owner of that deadline was done first, whose result it then takes.
//

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/executor_batch.hpp>
#include <asioctx/detail/tree.hpp>

#include <mutex>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

const cancel_node* tree::decider(cancel_node* c) noexcept {
  deadline_node* owner = c->owner_;
  if (owner == nullptr) return nullptr;
  if (owner != c) {
    for (cancel_node* x = cparent(c);; x = cparent(x)) {
      if (x->state() != 0) return x;
      if (x == owner) break;
    }
  }
  if (!passed(owner->when_)) return nullptr;
  // The deadline ends its whole subtree, as its timer would have: every waiter, stop_token
  // included, learns it now (DESIGN rule 14). The caller closes c itself if it is the owner.
  if (owner != c)
    expire(owner);
  else
    publish(owner, error::deadline_exceeded, owner->cause_, owner->site_);
  return owner;
}

error_code tree::latch(cancel_node* c) noexcept {
  const cancel_node* from = decider(c);
  if (from == c) {
    cancel(c, error::deadline_exceeded, c->cause_, c->site_);  // published: this closes it
  } else if (from != nullptr) {
    lock_guard lock(c->mutex_);
    if (c->state_.load(std::memory_order_relaxed) == 0) {
      c->cause_ = from->cause_;
      c->site_ = from->site_;
      c->state_.store(from->state(), std::memory_order_release);
    }
  }
  return error_code(c->state(), error_category_ref);
}

bool tree::publish(cancel_node* c, error e, const error_code& cause, const source_location& site) noexcept {
  lock_guard lock(c->mutex_);
  if (c->state_.load(std::memory_order_relaxed) != 0) return false;
  // The deadline's own cause and site are already in place.
  if (&cause != &c->cause_) c->cause_ = cause ? cause : error_code(static_cast<int>(e), error_category_ref);
  if (&site != &c->site_) c->site_ = site;
  c->state_.store(static_cast<unsigned char>(e), std::memory_order_release);
  return true;
}

bool tree::close(cancel_node* c, const cancel_node* from, error e, const error_code* cause,
                 const source_location* site, closed& out) noexcept {
  lock_guard lock(c->mutex_);
  if (c->state_.load(std::memory_order_relaxed) == 0) {
    if (from != nullptr) {
      c->cause_ = from->cause_;
      c->site_ = from->site_;
      e = static_cast<error>(from->state());
    } else {
      c->cause_ = *cause ? *cause : error_code(static_cast<int>(e), error_category_ref);
      c->site_ = *site;
    }
    c->state_.store(static_cast<unsigned char>(e), std::memory_order_release);
  }
  if (c->closed_) return false;
  c->closed_ = true;
  while (waiter* w = c->waiters_.pop_front()) {
    w->attached_ = false;
    w->on_detached();
    out.waiters.push_back(w);
  }
  // Each batch goes whole to its executor; no operation in it is touched here. Each operation
  // keeps its own reference to the node; the references of those that left are dropped.
  while (executor_batch* b = c->batches_.pop_front()) {
    out.owed += std::exchange(b->owed_, 0);
    if (b->count_ == 0)
      out.empty.push_back(b);
    else
      out.batches.push_back(b);
  }
  out.pin = std::exchange(c->pin_, nullptr);
  // Once closed, no child links any more: none now means none ever.
  out.has_children = !c->children_.empty();
  return true;
}

void tree::after_close(cancel_node* c, closed& out) noexcept {
  if (c->kind() == node_kind::deadline) {
    auto* d = static_cast<deadline_node*>(c);
    for (deadline_arm* a = d->arms(); a != nullptr; a = a->next.load(std::memory_order_acquire)) {
      if (deadline_shard* s = a->shard.load(std::memory_order_acquire)) s->remove(a);
    }
  } else if (c->owner_ != nullptr) {
    // What waited here no longer demands the deadline above (a done deadline needs nothing).
    if (out.pin != nullptr) demand_down(out.pin);
    for (executor_batch* b = out.batches.front(); b != nullptr; b = out.batches.next(b)) {
      if (b->arm_ != nullptr) demand_down(b->arm_);
    }
    for (waiter* w = out.waiters.front(); w != nullptr; w = out.waiters.next(w)) {
      if (deadline_arm* a = std::exchange(w->arm_, nullptr)) demand_down(a);
    }
  }
  while (executor_batch* b = out.batches.pop_front()) b->dispatch();
  while (executor_batch* b = out.empty.pop_front()) b->destroy();
  if (out.owed != 0) c->refs_.release(out.owed);  // the caller holds one too: never the last
  if (!out.waiters.empty()) notify(out.waiters, error_code(c->state(), error_category_ref));
}

namespace {

// Pops one linked child of p and takes a reference to it; null when none is left.
template <class Children, class Link>
cancel_node* pop_child(spin_mutex& m, Children& children, Link link_of) noexcept {
  for (;;) {
    lock_guard lock(m);
    cancel_node* c = children.pop_front();
    if (c == nullptr) return nullptr;
    link_of(c);
    // A child whose last handle is going away is skipped: its destructor sees it unlinked.
    if (c->try_add_ref()) return c;
  }
}

}  // namespace

void tree::propagate(cancel_node* root) noexcept {
  // Depth-first over the subtree; the stack links nodes through their (now free) child hooks,
  // and each node on it but the root holds a reference.
  intrusive_list<cancel_node, child_tag> stack;
  stack.push_front(root);
  while (cancel_node* top = stack.front()) {
    cancel_node* child = pop_child(top->mutex_, top->children_, [](cancel_node* c) {
      c->link_.store(cancel_node::unlinked_by_canceller, std::memory_order_release);
    });
    if (child == nullptr) {
      stack.pop_front();
      if (top != root) release(top);
      continue;
    }
    const cancel_node* from = decider(child);
    closed out;
    if (!close(child, from != nullptr ? from : top, error::canceled, nullptr, nullptr, out)) {
      release(child);  // its own cancel owns its subtree
      continue;
    }
    after_close(child, out);
    stack.push_front(child);
  }
}

void tree::cancel(cancel_node* c, error e, const error_code& cause, const source_location& site) noexcept {
  const cancel_node* from = c->state() == 0 ? decider(c) : nullptr;
  closed out;
  if (!close(c, from, e, &cause, &site, out)) return;
  // Unlink from the parent now rather than when the last handle goes (Go does the same).
  unlink_from_parent(c);
  after_close(c, out);
  if (out.has_children) propagate(c);
}

void tree::expire(deadline_node* n) noexcept {
  publish(n, error::deadline_exceeded, n->cause_, n->site_);
  cancel(n, error::deadline_exceeded, n->cause_, n->site_);
}

}  // namespace detail
}  // namespace asioctx
