// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/async_wait.hpp
//
// Go's <-ctx.Done() as an Asio asynchronous operation.
//

#ifndef ASIOCTX_ASYNC_WAIT_HPP
#define ASIOCTX_ASYNC_WAIT_HPP

#include <asioctx/context.hpp>

#include <boost/asio/async_result.hpp>

namespace asioctx {

/// Waits until c is done: Go's `<-ctx.Done()`.
/**
 * @par Handler signature
 * @code void(asioctx::error_code ec) @endcode
 * `ec` is `c.err()` (error::canceled or error::deadline_exceeded), or
 * `boost::asio::error::operation_aborted` if the wait itself was cancelled.
 *
 * @par Executor
 * The handler's associated executor, which it must have (`bind_executor(ex, handler)`, or a token
 * such as use_awaitable or a yield_context); a plain callback does not compile. The wait counts
 * as work on it, so `io_context::run()` does not return while it is pending. If c has a deadline,
 * the deadline is armed on that executor's execution context. If c is already done, the handler
 * is posted (or dispatched through its immediate executor), never run inside this call.
 *
 * A wait on a context that can never be done (background(), without_cancel()) completes only
 * through its cancellation slot; with none, its handler is destroyed without being called. When
 * the execution context is destroyed with the wait pending, the handler is destroyed with it, as
 * Asio destroys its own pending handlers; cancelling the context afterwards touches nothing.
 *
 * @par Per-Operation Cancellation
 * terminal, partial and total: the wait completes with `operation_aborted`.
 *
 * @par Thread safety
 * c may be cancelled from any thread; the handler is posted to its executor, never run inside
 * the cancel (or the emit of its own cancellation slot).
 */
template <class Token>
auto async_wait(const context& c, Token&& token);

}  // namespace asioctx

#include <asioctx/impl/async_wait.hpp>

#endif  // ASIOCTX_ASYNC_WAIT_HPP
