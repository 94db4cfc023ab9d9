// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/deadline_shard.hpp
//
// One share of an execution context's deadlines: a heap of the deadline arms something waits on,
// its own spin lock, and one steady_timer armed for its earliest (src/deadline_shard.cpp). A core
// has a shard per CPU; an arm is homed in the shard of the CPU that made it and stays there, so
// threads creating and cancelling deadlines on one io_context touch their own lock and heap, as
// Go keeps a timer heap per P. Which CPU a thread ran on decides only where an arm is homed,
// never whether its deadline fires.
//

#ifndef ASIOCTX_DETAIL_DEADLINE_SHARD_HPP
#define ASIOCTX_DETAIL_DEADLINE_SHARD_HPP

#include <asioctx/detail/node.hpp>
#include <asioctx/detail/spin_mutex.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace asioctx {
namespace detail {

class context_core;
class deadline_timer_state;

class alignas(64) deadline_shard {
 public:
  deadline_shard() noexcept;
  deadline_shard(const deadline_shard&) = delete;
  deadline_shard& operator=(const deadline_shard&) = delete;
  ~deadline_shard();

  context_core* core() const noexcept { return core_; }

  // --- Arms (called by the tree, never under a node's lock). An arm homed here holds, through
  // the shard, a user of the core from try_add_arm() until release_arm().
  bool try_add_arm() noexcept;  // false once the execution context has shut down
  // a is waited on here: into the heap if its deadline is live and still wanted (rechecked
  // under the lock), the timer moved earlier if needed.
  void activate(deadline_arm* a) noexcept;
  // Nothing here waits on a any more (rechecked under the lock): out of the heap.
  void deactivate(deadline_arm* a) noexcept;
  // a's deadline is done: out of the heap for good.
  void remove(deadline_arm* a) noexcept;
  // a's deadline is being destroyed: out of the heap, no longer homed here. Null: gives back
  // what try_add_arm() took, for an arm that was not made.
  void release_arm(deadline_arm* a) noexcept;

  // --- Called by the core.
  void attach(context_core* core) noexcept { core_ = core; }
  // Gives the shard its timer, on ex, unless it has one or the execution context shut down.
  void install(const boost::asio::any_io_executor& ex);
  // The execution context shuts down (its core is dead): the heap empties, no timer is armed
  // any more; then the timer is destroyed, while the execution context's services exist.
  void shutdown() noexcept;
  void drop_timer() noexcept;

  // Whether the heap holds an arm (what the core's idle check asks of every shard).
  bool occupied() const noexcept { return occupied_.load(std::memory_order_seq_cst); }
  // The core's idle check: cancels the pending wait if the heap is (still) empty.
  void on_idle_check() noexcept;

 private:
  friend struct access;
  using unique_lock = std::unique_lock<spin_mutex>;
  struct timer_handler;
  struct idle_handler;

  void push(deadline_arm* a);
  void erase(deadline_arm* a) noexcept;
  void erase_and_kick(deadline_arm* a, unique_lock& lock) noexcept;
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  void kick_locked(unique_lock& lock) noexcept;
  void run_token(unique_lock& lock) noexcept;
  void on_timer(std::uint64_t gen) noexcept;
  bool dead() const noexcept;

  context_core* core_ = nullptr;
  spin_mutex mutex_;
  bool token_ = false;       // the timer: only its holder touches it, and never under mutex_
  bool idle_noted_ = false;  // this empty spell was reported to the core
  std::uint32_t arms_ = 0;   // homed here; the shard holds a user of the core while nonzero
  std::vector<deadline_arm*> heap_;
  std::unique_ptr<deadline_timer_state> timer_;
  clock::time_point armed_ = clock::time_point::max();  // expiry of the pending wait, max if none
  std::uint64_t gen_ = 0;
  std::atomic<bool> occupied_{false};  // the heap is not empty; written under mutex_
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_DEADLINE_SHARD_HPP
