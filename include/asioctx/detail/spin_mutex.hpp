// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/spin_mutex.hpp
//
// A one-byte lock for the tree's short critical sections (link, unlink, state change). No user
// code ever runs under it, so holders are never blocked for long.
//

#ifndef ASIOCTX_DETAIL_SPIN_MUTEX_HPP
#define ASIOCTX_DETAIL_SPIN_MUTEX_HPP

#include <atomic>
#include <thread>

namespace asioctx {
namespace detail {

class spin_mutex {
 public:
  void lock() noexcept {
    for (unsigned spins = 0;; ++spins) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        // A holder preempted mid-section must get the core back: yield instead of burning it.
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  bool try_lock() noexcept { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_SPIN_MUTEX_HPP
