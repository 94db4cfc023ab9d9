// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Helpers shared by the unit tests.
#ifndef ASIOCTX_TEST_UNIT_TEST_UTIL_HPP
#define ASIOCTX_TEST_UNIT_TEST_UTIL_HPP

#include <asioctx/context.hpp>

#include "../support/internals.hpp"

#include <boost/asio/io_context.hpp>

#include <malloc.h>
#include <chrono>
#include <cstddef>
#include <optional>
#include <thread>

namespace asioctx_test {

// `held`, a check of instantaneous state made right after a short deadline was registered, or that
// deadline has passed by now: on a loaded machine (2 cores, a sanitizer) it can pass before the next
// line runs, and a registration that sees it passed ends the context at once instead of arming it.
// `held` is evaluated before the clock is read: a deadline still ahead now was ahead then.
inline bool held_unless_passed(bool held, asioctx::clock::time_point deadline) {
  return held || asioctx::clock::now() >= deadline;
}

// Bytes in use on glibc's heap; none under a sanitizer, whose allocator glibc cannot see.
inline std::optional<std::size_t> heap_in_use() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return std::nullopt;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return std::nullopt;
#else
  return mallinfo2().uordblks;
#endif
#else
  return mallinfo2().uordblks;
#endif
}

// Waits for pred() with a bounded timeout, polling; never used where an event can be awaited.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

// Runs io until pred() holds or the timeout passes; true if pred() held.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace asioctx_test

#endif
