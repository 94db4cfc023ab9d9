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
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
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

// Every change to a watched value is announced here; wait_until waits for the announcements.
struct changes {
  std::mutex mutex;
  std::condition_variable cv;
  static changes& get() {
    static changes c;
    return c;
  }
  void announce() {
    { std::lock_guard<std::mutex> lock(mutex); }  // a waiter is between its check and its wait, or not
    cv.notify_all();
  }
};

// An atomic that announces each change, for state a test waits on while other threads write it.
template <class T>
class watched {
 public:
  explicit watched(T v = T()) noexcept : v_(v) {}
  watched(const watched&) = delete;
  watched& operator=(const watched&) = delete;

  T load() const noexcept { return v_.load(); }
  operator T() const noexcept { return v_.load(); }
  void store(T v) {
    v_.store(v);
    changes::get().announce();
  }
  watched& operator=(T v) {
    store(v);
    return *this;
  }
  T fetch_add(T d) {
    T old = v_.fetch_add(d);
    changes::get().announce();
    return old;
  }
  T operator++() { return fetch_add(1) + 1; }
  T operator++(int) { return fetch_add(1); }
  T operator+=(T d) { return fetch_add(d) + d; }

 private:
  std::atomic<T> v_;
};

// Waits until pred() holds, for at most timeout; pred() must read only watched values (it is
// checked again at each of their changes, never by polling). True if it held.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  changes& c = changes::get();
  std::unique_lock<std::mutex> lock(c.mutex);
  return c.cv.wait_for(lock, timeout, pred);
}

// For state that announces no change (a server's counters): pred() is checked every
// millisecond, for at most timeout. True if it held.
template <class Pred>
bool poll_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Sleeps until the steady clock is past t: for a deadline to pass with nothing watching it.
inline void sleep_past(std::chrono::steady_clock::time_point t) {
  while (std::chrono::steady_clock::now() <= t)
    std::this_thread::sleep_until(t + std::chrono::microseconds(1));
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

// Causes the tests give cancels, and what operator<< prints for a context.
inline const asioctx::error_code custom_cause = make_error_code(boost::system::errc::connection_reset);
inline const asioctx::error_code other_cause = make_error_code(boost::system::errc::broken_pipe);
inline std::string str(const asioctx::context& c) {
  std::ostringstream os;
  os << c;
  return os.str();
}

}  // namespace asioctx_test

#endif
