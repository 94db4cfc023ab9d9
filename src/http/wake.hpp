// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/wake.hpp: a one-waiter event for coroutines on one strand (internal).
//

#ifndef ASIOCTX_SRC_HTTP_WAKE_HPP
#define ASIOCTX_SRC_HTTP_WAKE_HPP

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <utility>

namespace asioctx {
namespace http {
namespace detail {

// One coroutine waits, another notifies; both on the same strand. Cheaper than a timer used as
// a condition: no timer queue, one post per wake-up.
class wake {
 public:
  explicit wake(boost::asio::strand<boost::asio::any_io_executor> ex) : ex_(std::move(ex)) {}

  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) { waiter_.emplace(std::move(handler)); }, token);
  }

  // Resumes the waiter, if any (posted, never inside this call).
  void notify() {
    if (!waiter_) return;
    auto h = std::move(*waiter_);
    waiter_.reset();
    boost::asio::post(ex_, [h = std::move(h)]() mutable { std::move(h)(); });
  }

  bool waiting() const noexcept { return waiter_.has_value(); }

 private:
  boost::asio::strand<boost::asio::any_io_executor> ex_;  // both coroutines run on it
  std::optional<boost::asio::any_completion_handler<void()>> waiter_;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_WAKE_HPP
