// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/after_func.hpp
//
// Go's context.AfterFunc: a function posted to an executor once a context is done, and the
// stop_func that prevents it.
//

#ifndef ASIOCTX_AFTER_FUNC_HPP
#define ASIOCTX_AFTER_FUNC_HPP

#include <asioctx/context.hpp>

#include <utility>

namespace asioctx {

namespace detail {
class after_func_op;
}  // namespace detail

/// Stops an after_func registration.
class stop_func {
 public:
  stop_func() noexcept = default;
  /// True iff this call prevented the function from running; false if it ran, is running,
  /// or was stopped before.
  bool operator()() const noexcept;

  stop_func(const stop_func& o) noexcept;
  stop_func(stop_func&& o) noexcept : op_(std::exchange(o.op_, nullptr)) {}
  stop_func& operator=(stop_func o) noexcept {
    std::swap(op_, o.op_);
    return *this;
  }
  ~stop_func();

 private:
  friend struct detail::access;
  explicit stop_func(detail::after_func_op* op) noexcept : op_(op) {}

  detail::after_func_op* op_ = nullptr;
};

/// Posts f() to ex once c is done (at once if it already is); f runs at most once.
/**
 * Like Go's AfterFunc. ex is an executor or an execution context (`io_context&`).
 *
 * If c has a deadline, the registration waits on it: the deadline is armed on ex's execution
 * context, and `io_context::run()` does not return before it fires unless c is cancelled or the
 * registration stopped. A registration on a context without a deadline is not outstanding work.
 * If ex's execution context has shut down by the time c is done, f is dropped, not posted.
 *
 * @par Thread safety
 * c may be cancelled, and the returned stop_func called, from any thread.
 */
template <class Executor, class F>
stop_func after_func(const context& c, Executor&& ex, F f);

}  // namespace asioctx

#include <asioctx/impl/after_func.hpp>

#endif  // ASIOCTX_AFTER_FUNC_HPP
