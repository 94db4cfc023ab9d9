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

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/node.hpp>

#include <cmath>

#include <mutex>
#include <ostream>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

void tree::release(node* n) noexcept {
  // Iterative, so dropping the last handle to a very deep chain cannot overflow the stack.
  while (n != nullptr && n->refs_.release()) {
    node* parent = n->parent_;
    delete n;
    n = parent;
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
  // Waiters still linked hold no reference to the node (stop_token sources): let them go.
  while (waiter* w = waiters_.pop_front()) {
    w->attached_ = false;
    w->abandon();
  }
  if (waiter_count_ != 0 && owner_ != nullptr && owner_ != this) tree::demand_down(owner_);
  // Slots still here are empty: each operation held the node until it left its slot.
  while (exec_slot* s = slots_.pop_front()) s->destroy();
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
  if (context_core* core = core_.load(std::memory_order_acquire)) core->unhome(this);
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
  publish(owner, error::deadline_exceeded, owner->cause_, owner->site_);
  return owner;
}

error_code tree::latch(cancel_node* c) noexcept {
  if (const cancel_node* from = decider(c); from != nullptr && from != c) {
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
  // Each slot goes whole to its executor; no operation in it is touched here. The operations'
  // references to the node are handed over: the slot keeps one for them all (an operation that
  // completes late still locks the node), the rest are dropped in one step (the caller holds one
  // too, so never the last). Each operation learns it when it completes.
  const unsigned char err = c->state_.load(std::memory_order_relaxed);
  std::uint32_t handed_over = 0;
  while (exec_slot* s = c->slots_.pop_front()) {
    if (s->count_ == 0) {
      out.empty.push_back(s);
      continue;
    }
    s->detached_ = true;
    s->err_ = err;
    s->refs_.reset(1 + s->count_);  // the batch's, and one per operation
    s->node_ = c;
    handed_over += s->count_ - 1;
    out.slots.push_back(s);
  }
  if (handed_over != 0) c->refs_.release_many(handed_over);
  out.had_demand = c->waiter_count_ != 0;
  c->waiter_count_ = 0;
  c->pinned_ = false;
  // Once closed, no child links any more: none now means none ever.
  out.has_children = !c->children_.empty();
  return true;
}

void tree::after_close(cancel_node* c, closed& out) noexcept {
  if (c->kind() == node_kind::deadline) {
    auto* d = static_cast<deadline_node*>(c);
    if (context_core* core = d->core_.load(std::memory_order_acquire)) core->remove(d);
  }
  if (out.had_demand && c->owner_ != nullptr && c->owner_ != c) demand_down(c->owner_);
  while (exec_slot* s = out.slots.pop_front()) s->dispatch();
  while (exec_slot* s = out.empty.pop_front()) s->destroy();
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

void tree::demand_up(deadline_node* owner, context_core* home) noexcept {
  if (owner->demand_.fetch_add(1, std::memory_order_acq_rel) != 0) return;
  context_core::home_and_activate(owner, home);
}

void tree::demand_down(deadline_node* owner) noexcept {
  if (owner->demand_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (context_core* core = owner->core_.load(std::memory_order_acquire)) core->deactivate(owner);
}

bool tree::needs_home(const cancel_node* c) noexcept {
  if (c->owner_ == nullptr) return false;
  context_core* core = c->owner_->core_.load(std::memory_order_acquire);
  return core == nullptr || core->dead();
}

bool tree::add_waiter(cancel_node* c, waiter* w, context_core* home) noexcept {
  if (err(c)) return false;  // latches a deadline that passed unobserved
  bool rise = false;
  {
    lock_guard lock(c->mutex_);
    if (c->state_.load(std::memory_order_relaxed) != 0) return false;
    c->waiters_.push_front(w);  // the back is kept for unique waiters
    w->attached_ = true;
    if (c->owner_ != nullptr && w->demands()) rise = c->waiter_count_++ == 0;
  }
  if (rise) demand_up(c->owner_, home);
  return true;
}

bool tree::remove_waiter(cancel_node* c, waiter* w) noexcept {
  bool fall = false;
  {
    lock_guard lock(c->mutex_);
    if (!w->attached_) return false;
    c->waiters_.erase(w);
    w->attached_ = false;
    if (c->owner_ != nullptr && w->demands()) fall = --c->waiter_count_ == 0;
  }
  if (fall) demand_down(c->owner_);
  return true;
}

tree::bound_added tree::add_bound(cancel_node* c, bound_op* op, const void* type, const void* ex,
                                  exec_slot* (*make)(const void*), context_core* home) noexcept {
  err(c);                      // latches a deadline that passed unobserved
  exec_slot* fresh = nullptr;  // made outside the lock (it copies the executor), when needed
  for (;;) {
    bool rise = false, need_fresh = false;
    bound_added result = bound_added::linked;
    {
      lock_guard lock(c->mutex_);
      if (op->early_done_) {
        result = bound_added::completed_first;
      } else if (c->state_.load(std::memory_order_relaxed) != 0) {
        if (fresh == nullptr) {
          need_fresh = true;
        } else {  // done: op goes alone into a detached slot, its node reference handed over
          fresh->detached_ = true;
          fresh->err_ = c->state_.load(std::memory_order_relaxed);
          fresh->refs_.reset(2);  // the batch's and the operation's
          fresh->node_ = c;       // the operation's reference to the node, now the slot's
          fresh->ops_.push_back(op);
          op->slot_ = std::exchange(fresh, nullptr);
          op->handed_over_ = true;
          result = bound_added::done;
        }
      } else {
        // The executor's slot: few per context (one per strand the context's operations run
        // on), most recently used first; past eight, a new one (grouping is only an economy).
        exec_slot* s = nullptr;
        int looked = 0;
        for (exec_slot* t = c->slots_.front(); t != nullptr && looked < 8; t = c->slots_.next(t), ++looked) {
          if (t->type() == type && t->same(ex)) {
            s = t;
            break;
          }
        }
        if (s != nullptr && s != c->slots_.front()) {
          c->slots_.erase(s);
          c->slots_.push_front(s);
        }
        if (s == nullptr && fresh == nullptr) {
          need_fresh = true;
        } else {
          if (s == nullptr) {
            s = std::exchange(fresh, nullptr);
            c->slots_.push_front(s);
          }
          s->ops_.push_back(op);
          ++s->count_;
          op->slot_ = s;
          if (c->owner_ != nullptr) rise = c->waiter_count_++ == 0;
        }
      }
    }
    if (need_fresh) {
      try {
        fresh = make(ex);
      } catch (...) {
        return bound_added::completed_first;  // out of memory: not registered, never emitted
      }
      continue;
    }
    if (fresh != nullptr) fresh->destroy();
    if (rise) demand_up(c->owner_, home);
    return result;
  }
}

bool tree::remove_bound(cancel_node* c, bound_op* op) noexcept {
  bool fall = false;
  exec_slot* spare = nullptr;
  {
    lock_guard lock(c->mutex_);
    exec_slot* s = op->slot_;
    if (s == nullptr) {  // completed before start() linked it: start() must not
      op->early_done_ = true;
      return false;
    }
    if (s->detached_) {  // the context was done: op's node reference went to its slot
      op->handed_over_ = true;
      return false;
    }
    s->ops_.erase(op);
    --s->count_;
    if (c->owner_ != nullptr) fall = --c->waiter_count_ == 0;
    // An idle context keeps one slot (its executor copied once for the next operations) if its
    // executor may outlive its execution context; more go, so a long-lived context bound from many strands
    // holds nothing for them.
    if (s->count_ == 0 && (!s->keep_idle() || c->slots_.front() != c->slots_.back())) {
      c->slots_.erase(s);
      spare = s;
    }
  }
  if (spare != nullptr) spare->destroy();  // outside the lock: an executor's destructor is Asio's
  if (fall) demand_down(c->owner_);
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

void tree::pin(cancel_node* c, context_core* home) noexcept {
  if (c->owner_ == nullptr || err(c)) return;
  bool rise = false;
  {
    lock_guard lock(c->mutex_);
    if (c->state_.load(std::memory_order_relaxed) != 0 || c->pinned_) return;
    c->pinned_ = true;
    rise = c->waiter_count_++ == 0;
  }
  if (rise) demand_up(c->owner_, home);
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
  for (exec_slot* s = c->slots_.front(); s != nullptr; s = c->slots_.next(s)) n += s->count_;
  return n;
}

bool tree::in_deadline_heap(const cancel_node* c) noexcept {
  if (c->kind() != node_kind::deadline) return false;
  auto* d = static_cast<const deadline_node*>(c);
  context_core* core = d->core_.load(std::memory_order_acquire);
  return core != nullptr && core->contains(d);
}

}  // namespace detail
}  // namespace asioctx
