// Helpers shared by the unit tests.
#ifndef ASIOCTX_TEST_UNIT_TEST_UTIL_HPP
#define ASIOCTX_TEST_UNIT_TEST_UTIL_HPP

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

namespace asioctx_test {

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
