// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/group.hpp
//
// Go's errgroup for coroutines (C++20): tasks run under one context; the first failure cancels
// the rest, with its error as the cause; async_wait completes once all have finished.
//

#ifndef ASIOCTX_GROUP_HPP
#define ASIOCTX_GROUP_HPP

#include <asioctx/detail/config.hpp>

#if !ASIOCTX_HAS_CXX20
#error "asioctx/group.hpp needs C++20"
#endif

#include <asioctx/context.hpp>

#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <exception>
#include <memory>

namespace asioctx {

namespace detail {
class group_state;
}

/// Coroutine tasks under one context: Go's errgroup.WithContext, Go, Wait and SetLimit.
/**
 * Every task gets the group's context, derived from the parent given at construction. The first
 * task that fails (ends with an exception) cancels that context, with the failure's error_code
 * as its cause (error::canceled for an exception that carries none) and the failing task's
 * spawn() call as its cancel_site(), so its siblings' operations bound to it are cancelled.
 * async_wait() completes once no task is running or queued, with the first failure.
 *
 * @par Thread safety
 * spawn(), cancel() and async_wait() may be called from any thread, also from inside tasks.
 */
class group {
 public:
  /// A group under parent, running any number of tasks at once.
  explicit group(const context& parent = background(), const source_location& where = BOOST_CURRENT_LOCATION);

  /// A group under parent that runs at most `limit` tasks at once (0: no limit); the others
  /// wait in a queue, in spawn order. No thread ever blocks.
  group(const context& parent, std::size_t limit, const source_location& where = BOOST_CURRENT_LOCATION);

  group(const group&) = delete;
  group& operator=(const group&) = delete;

  /// Cancels the group's context (its cancel_site() is the group's construction). Running
  /// tasks finish on their own; a pending async_wait still completes once they have.
  ~group();

  /// The context every task gets; done at the first failure, at cancel(), or when the group
  /// has been waited for or destroyed.
  const context& get_context() const noexcept;

  /// Runs `co_await f(get_context())` as a task on ex (an executor or an execution context).
  /**
   * f is called on ex and kept alive until the awaitable it returned has finished. A task that
   * ends with an exception fails the group: a system_error's code becomes the context's cause,
   * any other exception error::canceled. Once the group's context is done, a task spawned or
   * still queued is dropped, never started; it counts as finished.
   */
  template <class Executor, class F>
  void spawn(Executor&& ex, F&& f, const source_location& where = BOOST_CURRENT_LOCATION);

  /// Waits until no task is running or queued.
  /**
   * @par Handler signature
   * @code void(std::exception_ptr first_failure) @endcode
   * Null if no task failed. Before the handler runs the group's context is cancelled, as Go's
   * Wait does (cancel_site(): the group's construction). May be called more than once, before
   * or after the tasks ended.
   *
   * @par Executor
   * The handler's associated executor. A handler without one (a plain callback) does not
   * compile: a group has no I/O object, and may have no task yet (DESIGN rule 13); write
   * `g.async_wait(boost::asio::bind_executor(ex, handler))`. Never completed inside this call.
   *
   * @par Per-Operation Cancellation
   * Not supported: cancel the group, then wait.
   */
  template <class Token>
  auto async_wait(Token&& token);

  /// Cancels the group's context with cause error::canceled, recording `where`.
  void cancel(const source_location& where = BOOST_CURRENT_LOCATION) noexcept;

 private:
  std::shared_ptr<detail::group_state> state_;
};

}  // namespace asioctx

#include <asioctx/impl/group.hpp>

#endif  // ASIOCTX_GROUP_HPP
