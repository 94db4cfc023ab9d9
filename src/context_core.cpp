// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/context_core.cpp: the per-execution-context core's registry of enrolled waiters, and what
// tests may ask of it. Its lifetime, its shards and the shutdown: src/deadline_service.cpp; a
// shard's deadline heap and timer: src/deadline_shard.cpp.
//

#include <asioctx/detail/context_core.hpp>

#include <mutex>

namespace asioctx {
namespace detail {

namespace {
using unique_lock = std::unique_lock<spin_mutex>;
}  // namespace

// ---------------------------------------------------------------------------------------------
// Enrolled waiters

bool context_core::enroll(registered* r) noexcept {
  unique_lock lock(mutex_);
  if (dead()) return false;
  registry_.push_back(r);
  ++registry_size_;
  users_.add();
  return true;
}

void context_core::withdraw(registered* r) noexcept {
  unique_lock lock(mutex_);
  // Once dead, the shutdown owns the list the waiter is in (and holds it pinned).
  if (!dead() && r->is_linked()) {
    registry_.erase(r);
    --registry_size_;
  }
  bool last = drop_user_locked();  // every enrolled waiter withdraws once, shutdown or not
  lock.unlock();
  if (last) delete this;
}

bool context_core::enter() noexcept {
  inflight_.fetch_add(1, std::memory_order_seq_cst);
  return !dead_.load(std::memory_order_seq_cst);
}

void context_core::leave() noexcept { inflight_.fetch_sub(1, std::memory_order_release); }

}  // namespace detail
}  // namespace asioctx
