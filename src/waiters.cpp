// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/waiters.cpp: waiters on a cancellation node, and the demand they put on its deadline (the
// deadline's arm on each execution context).
//
// Locking: the node's own spin_mutex, never held while user code or Asio runs; the deadline
// service is called after the node's lock is released.
//

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/tree.hpp>

#include <mutex>
#include <new>

namespace asioctx {
namespace detail {

using lock_guard = std::lock_guard<spin_mutex>;

void tree::demand_up(deadline_arm* a) noexcept {
  // seq_cst with the arm's publication (tree::arm) and the shard's recheck under its lock.
  if (a->demand.fetch_add(1, std::memory_order_seq_cst) != 0) return;
  a->shard.load(std::memory_order_acquire)->activate(a);
}

void tree::demand_down(deadline_arm* a) noexcept {
  if (a->demand.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
  a->shard.load(std::memory_order_acquire)->deactivate(a);
}

namespace {

// The arm on core among a and the arms chained after it; null if none is there yet.
deadline_arm* find_arm(deadline_arm* a, context_core* core) noexcept {
  for (; a != nullptr; a = a->next.load(std::memory_order_acquire)) {
    deadline_shard* s = a->shard.load(std::memory_order_acquire);
    if (s != nullptr && s->core() == core) return a;
  }
  return nullptr;
}

}  // namespace

deadline_arm* tree::arm(const cancel_node* c, context_core* core) noexcept {
  deadline_node* owner = c->owner_;
  if (owner == nullptr || core == nullptr) return nullptr;
  deadline_arm* first = owner->arms();
  // The extra arms' head is read first: a push after it fails the CAS below, which looks again.
  deadline_arm* head = first->next.load(std::memory_order_acquire);
  deadline_shard* taken = first->shard.load(std::memory_order_acquire);
  if (taken != nullptr && taken->core() == core) return first;
  if (deadline_arm* a = find_arm(head, core)) return a;
  // Homed in this thread's shard, a user of the core, unless it shut down (nothing of it runs).
  deadline_shard* home = core->shard_here();
  if (!home->try_add_arm()) return nullptr;
  // The first execution context takes the node's own arm.
  deadline_shard* none = nullptr;
  if (first->shard.compare_exchange_strong(none, home, std::memory_order_acq_rel)) return first;
  if (none->core() == core) {  // another thread of this execution context was first
    home->release_arm(nullptr);
    return first;
  }
  auto* fresh = new (std::nothrow) extra_arm(owner);
  if (fresh == nullptr) {
    home->release_arm(nullptr);
    return nullptr;
  }
  fresh->shard.store(home, std::memory_order_relaxed);
  for (;;) {
    fresh->next.store(head, std::memory_order_relaxed);
    if (first->next.compare_exchange_weak(head, fresh, std::memory_order_seq_cst)) return fresh;
    if (deadline_arm* a = find_arm(head, core)) {  // another thread pushed one
      home->release_arm(nullptr);
      delete fresh;
      return a;
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

}  // namespace detail
}  // namespace asioctx
