//
// asioctx/http/client.hpp
//
// Outbound Beast requests made under a context: the remaining budget travels in `grpc-timeout`,
// a spent budget fails at once, and a context that becomes done aborts the exchange.
//

#ifndef ASIOCTX_HTTP_CLIENT_HPP
#define ASIOCTX_HTTP_CLIENT_HPP

#include <asioctx/context.hpp>
#include <asioctx/http/server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <string>

namespace asioctx {
namespace http {

/// Settings for async_send() and async_fetch().
struct client_options {
  /// Largest response body accepted, in bytes.
  std::size_t body_limit = 8 * 1024 * 1024;
};

/// Sets `grpc-timeout` on req to what is left of ctx's deadline (removes it if ctx has none).
/**
 * Rounded up, at most 8 digits (see format_grpc_timeout). Returns false, leaving req alone,
 * if ctx is done or its deadline has passed.
 */
bool set_budget_header(request& req, const context& ctx);

/// Sends req on a connected socket under ctx and reads the response.
/**
 * If ctx is done or its deadline has passed, throws at once (`system_error` with `ctx.err()`,
 * or asioctx::error::deadline_exceeded) and touches nothing. Otherwise the remaining budget is
 * sent in `grpc-timeout` and the write and read are bound to ctx: when ctx becomes done they
 * are cancelled, the socket is closed (a half-done exchange leaves it unusable, so it can never
 * be reused) and the coroutine throws `system_error` with `ctx.err()`. Any other failure closes
 * the socket too and throws its error. On success the socket may be reused (keep-alive).
 *
 * @par Completion
 * `co_await` gives the response, or throws `boost::system::system_error`.
 *
 * @par Executor
 * The awaiting coroutine's; the socket's executor must be the same or a strand of it.
 *
 * @par Per-Operation Cancellation
 * Through ctx, and the awaiting coroutine's cancellation slot (terminal): both abort the exchange.
 *
 * @par Thread safety
 * ctx may be cancelled from any thread; the socket and buffer must not be used concurrently.
 */
boost::asio::awaitable<response> async_send(context ctx, boost::asio::ip::tcp::socket& socket,
                                            boost::beast::flat_buffer& buffer, request req,
                                            client_options options = {});

/// Connects to host:port, sends req under ctx, reads the response and closes the connection.
/**
 * As async_send(), with name resolution and the connect bound to ctx as well; a spent budget
 * fails before anything is resolved or connected. Sets the Host field if req has none.
 *
 * @par Completion
 * `co_await` gives the response, or throws `boost::system::system_error`.
 *
 * @par Executor
 * The awaiting coroutine's.
 *
 * @par Per-Operation Cancellation
 * Through ctx, and the awaiting coroutine's cancellation slot (terminal).
 *
 * @par Thread safety
 * ctx may be cancelled from any thread.
 */
boost::asio::awaitable<response> async_fetch(context ctx, std::string host, std::string port, request req,
                                             client_options options = {});

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_CLIENT_HPP
