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

/// Waits until c is done.
/**
 * @par Handler signature
 * @code void(asioctx::error_code ec) @endcode
 * `ec` is `c.err()` (error::canceled or error::deadline_exceeded), or
 * `boost::asio::error::operation_aborted` if the wait itself was cancelled.
 *
 * @par Executor
 * The handler's associated executor (system_executor by default); the wait counts as work on it,
 * so `io_context::run()` does not return while it is pending. A wait on a context that can never
 * be done (background(), without_cancel()) completes only through cancellation.
 *
 * If c has a deadline without a timer yet, the timer is armed on that executor.
 *
 * @par Per-Operation Cancellation
 * terminal, partial and total: the wait completes with `operation_aborted`.
 *
 * @par Thread safety
 * c may be cancelled from any thread; the handler is dispatched to its executor.
 */
template <class Token>
auto async_wait(const context& c, Token&& token);

}  // namespace asioctx

#include <asioctx/impl/async_wait.hpp>

#endif  // ASIOCTX_ASYNC_WAIT_HPP
