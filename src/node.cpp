// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/node.cpp: the cancellation tree.
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
#include <asioctx/detail/node.hpp>

#include <cmath>

#include <mutex>
#include <ostream>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

void tree::release(node* n) noexcept { release_many(n, 1); }

void tree::release_many(node* n, std::uint32_t k) noexcept {
  // Iterative, so dropping the last handle to a very deep chain cannot overflow the stack.
  if (n == nullptr || k == 0 || !n->refs_.release(k)) return;
  while (n != nullptr) {
    node* parent = n->parent_;
    delete n;
    n = parent;
    if (n != nullptr && !n->refs_.release()) return;
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
    : cancel_node(parent, 2, node_kind::deadline), when_(d) {
  cause_ = cause ? cause : error_code(static_cast<int>(error::deadline_exceeded), error_category_ref);
  site_ = where;
  owner_ = this;
}

deadline_node::~deadline_node() {
  deadline_arm* a = arms_.load(std::memory_order_acquire);
  while (a != nullptr) {
    deadline_arm* next = a->next;
    if (context_core* core = a->core.load(std::memory_order_acquire)) core->release_arm(a);
    if (a != &first_arm_) delete a;
    a = next;
  }
}

void deadline_node::print(std::ostream& os) const {
  // In seconds, computed apart so that no deadline (time_point::min() among them) overflows.
  double left = std::chrono::duration<double>(when_.time_since_epoch()).count() -
                std::chrono::duration<double>(clock::now().time_since_epoch()).count();
  os << ".with_deadline(" << std::round(left * 1e6) / 1e6 << "s)";
}

namespace {

class plain_node final : public node {
 public:
  plain_node(node_kind k, node* parent) noexcept : node(k, parent, nullptr) {}
  void print(std::ostream& os) const override {
    if (kind() == node_kind::todo)
      os << "todo";
    else
      os << ".without_cancel";
  }
};

}  // namespace

node* tree::make_cancel(node* parent) {
  auto* c = new cancel_node(parent);
  if (parent != nullptr) parent->add_ref();
  link_to_parent(c);
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
  // A parent whose deadline passed unobserved is done: inherit rather than link.
  if (p->state() == 0 && p->owner_ != nullptr) err(p);
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

// ---------------------------------------------------------------------------------------------
// Done: what a node ends with, and closing it.

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
    for (deadline_arm* a = d->arms_.load(std::memory_order_acquire); a != nullptr; a = a->next) {
      if (context_core* core = a->core.load(std::memory_order_acquire)) core->remove(a);
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

// ---------------------------------------------------------------------------------------------
// Waiters, and the demand they put on a deadline.

void tree::demand_up(deadline_arm* a) noexcept {
  // seq_cst with the arm's publication (tree::arm) and the core's recheck under its lock.
  if (a->demand.fetch_add(1, std::memory_order_seq_cst) != 0) return;
  a->core.load(std::memory_order_acquire)->activate(a);
}

void tree::demand_down(deadline_arm* a) noexcept {
  if (a->demand.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
  a->core.load(std::memory_order_acquire)->deactivate(a);
}

deadline_arm* tree::arm(const cancel_node* c, context_core* core) noexcept {
  deadline_node* owner = c->owner_;
  if (owner == nullptr || core == nullptr) return nullptr;
  deadline_arm* head = owner->arms_.load(std::memory_order_acquire);
  for (deadline_arm* a = head; a != nullptr; a = a->next) {
    if (a->core.load(std::memory_order_acquire) == core) return a;
  }
  if (!core->try_add_user()) return nullptr;  // shut down: nothing of it runs any more
  // The first execution context takes the arm the node has inline.
  context_core* none = nullptr;
  if (owner->first_arm_.core.compare_exchange_strong(none, core, std::memory_order_acq_rel))
    return &owner->first_arm_;
  if (none == core) {
    core->drop_user();
    return &owner->first_arm_;
  }
  auto* fresh = new (std::nothrow) deadline_arm(owner, owner->when_);
  if (fresh == nullptr) {
    core->drop_user();
    return nullptr;
  }
  fresh->core.store(core, std::memory_order_relaxed);
  for (;;) {
    fresh->next = head;
    if (owner->arms_.compare_exchange_weak(head, fresh, std::memory_order_seq_cst)) return fresh;
    for (deadline_arm* a = head; a != nullptr; a = a->next) {  // another thread pushed one
      if (a->core.load(std::memory_order_acquire) == core) {
        delete fresh;
        core->drop_user();
        return a;
      }
    }
  }
}

bool tree::add_waiter(cancel_node* c, waiter* w, deadline_arm* arm) noexcept {
  if (err(c)) return false;  // latches a deadline that passed unobserved
  {
    lock_guard lock(c->mutex_);
    if (c->state_.load(std::memory_order_relaxed) != 0) return false;
    c->waiters_.push_front(w);  // the back is kept for unique waiters
    w->attached_ = true;
    if (!w->demands()) arm = nullptr;
    w->arm_ = arm;
  }
  if (arm != nullptr) demand_up(arm);
  return true;
}

bool tree::remove_waiter(cancel_node* c, waiter* w) noexcept {
  deadline_arm* fall = nullptr;
  {
    lock_guard lock(c->mutex_);
    if (!w->attached_) return false;
    c->waiters_.erase(w);
    w->attached_ = false;
    fall = std::exchange(w->arm_, nullptr);
  }
  if (fall != nullptr) demand_down(fall);
  return true;
}

bool tree::with_unique_waiter(cancel_node* c, waiter* candidate, void (*use)(waiter*, void*),
                              void* arg) noexcept {
  if (err(c)) return false;
  lock_guard lock(c->mutex_);
  if (c->state_.load(std::memory_order_relaxed) != 0) return false;
  waiter* w = c->waiters_.back();
  if (w == nullptr || w->kind() != candidate->kind()) {
    c->waiters_.push_back(candidate);
    candidate->attached_ = true;
    w = candidate;
  }
  use(w, arg);
  return true;
}

void tree::pin(cancel_node* c, deadline_arm* arm) noexcept {
  if (arm == nullptr || err(c)) return;
  {
    lock_guard lock(c->mutex_);
    if (c->state_.load(std::memory_order_relaxed) != 0 || c->pin_ != nullptr) return;
    c->pin_ = arm;
  }
  demand_up(arm);
}

void tree::notify(intrusive_list<waiter>& waiters, const error_code& err) noexcept {
  while (waiter* w = waiters.pop_front()) w->fire(err);
}

// ---------------------------------------------------------------------------------------------
// Test hooks

std::size_t tree::child_count(const cancel_node* c) noexcept {
  lock_guard lock(c->mutex_);
  std::size_t n = 0;
  for (cancel_node* x = c->children_.front(); x != nullptr; x = c->children_.next(x)) ++n;
  return n;
}

std::size_t tree::waiter_count(const cancel_node* c) noexcept {
  lock_guard lock(c->mutex_);
  std::size_t n = 0;
  for (waiter* w = c->waiters_.front(); w != nullptr; w = c->waiters_.next(w)) ++n;
  for (executor_batch* b = c->batches_.front(); b != nullptr; b = c->batches_.next(b)) n += b->count_;
  return n;
}

bool tree::in_deadline_heap(const cancel_node* c) noexcept {
  if (c->kind() != node_kind::deadline) return false;
  auto* d = static_cast<const deadline_node*>(c);
  for (const deadline_arm* a = d->arms_.load(std::memory_order_acquire); a != nullptr; a = a->next) {
    context_core* core = a->core.load(std::memory_order_acquire);
    if (core != nullptr && core->contains(a)) return true;
  }
  return false;
}

}  // namespace detail
}  // namespace asioctx
