// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/ref_count.hpp
//
// The one reference count of the library (nodes, waiters, execution-context cores).
//

#ifndef ASIOCTX_DETAIL_REF_COUNT_HPP
#define ASIOCTX_DETAIL_REF_COUNT_HPP

#include <atomic>
#include <cstdint>

namespace asioctx {
namespace detail {

class ref_count {
 public:
  explicit ref_count(std::uint32_t n = 1) noexcept : n_(n) {}
  ref_count(const ref_count&) = delete;
  ref_count& operator=(const ref_count&) = delete;

  void add(std::uint32_t k = 1) noexcept { n_.fetch_add(k, std::memory_order_relaxed); }

  // True when these were the last references: the caller destroys the object.
  bool release(std::uint32_t k = 1) noexcept { return n_.fetch_sub(k, std::memory_order_acq_rel) == k; }

  // True when the caller's k references are all there are. Only for an object no thread can reach
  // without a reference of its own (no try_add): it may then destroy it without a release().
  bool sole(std::uint32_t k) const noexcept { return n_.load(std::memory_order_acquire) == k; }

  // Takes a reference unless the count already reached zero (the object is being destroyed).
  bool try_add() noexcept {
    std::uint32_t n = n_.load(std::memory_order_relaxed);
    while (n != 0) {
      if (n_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }

  // Sets the count of an object no other thread can see yet.
  void reset(std::uint32_t n) noexcept { n_.store(n, std::memory_order_relaxed); }
  std::uint32_t load() const noexcept { return n_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint32_t> n_;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_REF_COUNT_HPP
