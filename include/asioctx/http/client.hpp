// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/client.hpp
//
// Outbound Beast requests made under a context: the remaining budget travels in a budget header
// (`grpc-timeout` by default), a spent budget fails at once, and a context that becomes done
// aborts the exchange.
//

#ifndef ASIOCTX_HTTP_CLIENT_HPP
#define ASIOCTX_HTTP_CLIENT_HPP

#include <asioctx/context.hpp>
#include <asioctx/detail/executor.hpp>
#include <asioctx/http/server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace asioctx {
namespace http {

/// Which header carries the remaining budget on an outbound request.
enum class budget_format {
  /// gRPC's `grpc-timeout`, rounded up, at most 8 digits (see format_grpc_timeout).
  grpc_timeout,
  /// Envoy's `x-envoy-expected-rq-timeout-ms`, whole milliseconds rounded up.
  envoy_timeout_ms,
  /// Connect's `connect-timeout-ms`, whole milliseconds rounded up, at most 10 digits.
  connect_timeout_ms,
  /// No budget header: the callee learns nothing of the deadline (a third party that should not
  /// see internal timeouts, or one that would answer before the caller gives up). A budget
  /// header already on the request is left as it is; the deadline still aborts the exchange.
  none,
};

/// The largest `connect-timeout-ms` the client sends: 2^31 - 1 ms (24.8 days).
/**
 * Connect allows ten digits, but connect-es arms a JavaScript timer with the value, which
 * overflows past 2^31 - 1 ms and fires at once; a longer budget is sent as this one.
 */
inline constexpr long long connect_timeout_send_max_value = 2'147'483'647;

/// Settings for async_send(), async_fetch() and client_pool::async_fetch().
struct client_options {
  /// Largest response body accepted, in bytes.
  std::size_t body_limit = 8 * 1024 * 1024;
  /// The header the remaining budget travels in.
  budget_format budget_header = budget_format::grpc_timeout;
  /// Time taken off the remaining budget before it is sent, so that the callee gives up and
  /// answers before the caller does (Envoy's timeout header offset). A request whose remaining
  /// budget is not larger fails at once with asioctx::error::deadline_exceeded and sends
  /// nothing. Zero or less: none. No effect with budget_format::none.
  std::chrono::nanoseconds budget_margin{0};
  /// Whether a callee's deadline answer (see is_deadline_answer) completes the operation as a
  /// response (true) or with asioctx::error::deadline_exceeded (false, the default).
  bool raw_deadline_answers = false;
};

/// True if res is a callee's answer that its deadline passed.
/**
 * Any of: our marker header `x-asioctx-deadline-exceeded: 1`; gRPC's `grpc-status: 4`; or a
 * Connect error, a non-2xx response with a JSON content type whose body has
 * `"code": "deadline_exceeded"`.
 */
bool is_deadline_answer(const response& res);

/// Sets `grpc-timeout` on req to what is left of ctx's deadline (removes it if ctx has none).
/**
 * Rounded up, at most 8 digits (see format_grpc_timeout). Returns false, leaving req alone,
 * if ctx is done or its deadline has passed.
 */
bool set_budget_header(request& req, const context& ctx);

/// As set_budget_header(req, ctx), in the header `format` names.
bool set_budget_header(request& req, const context& ctx, budget_format format);

namespace detail {
using exchange_result = std::pair<error_code, response>;
// The exchanges as coroutines; they report every failure in the result, never by throwing.
boost::asio::awaitable<exchange_result> send_exchange(context ctx, boost::asio::ip::tcp::socket& socket,
                                                      boost::beast::flat_buffer& buffer, request req,
                                                      client_options options);
boost::asio::awaitable<exchange_result> fetch_exchange(context ctx, std::string host, std::string port,
                                                       request req, client_options options);

// A handler the exchange can complete: one with an executor of its own that is not an inline one
// (DESIGN rule 13, for functions that have no I/O object).
template <class Handler>
constexpr bool has_exchange_executor =
    asioctx::detail::has_own_executor<Handler> &&
    !asioctx::detail::runs_inline<typename boost::asio::associated_executor<Handler>::type>;
}  // namespace detail

/// Sends req on a connected socket under ctx and reads the response.
/**
 * If ctx is done or its deadline has passed, completes at once with `ctx.err()` (or
 * asioctx::error::deadline_exceeded) and touches nothing. Otherwise the remaining budget is
 * sent (options.budget_header) and the write and read are bound to ctx: when ctx becomes done
 * they are cancelled, the socket is closed (a half-done exchange leaves it unusable, so it can
 * never be reused) and the operation completes with `ctx.err()`. Any other failure closes the
 * socket too and completes with its error. On success the socket may be reused (keep-alive).
 * A callee's deadline answer (is_deadline_answer) completes with
 * asioctx::error::deadline_exceeded, as the caller's own deadline does, and with that answer as
 * the response (its cause: the callee answered; after the caller's own deadline, or any other
 * failure, the response is empty); options.raw_deadline_answers gives it as a plain response.
 *
 * @par Handler signature
 * @code void(asioctx::error_code ec, asioctx::http::response res) @endcode
 * With the default token, `co_await` gives the response or throws `boost::system::system_error`.
 *
 * @par Executor
 * The socket's runs the exchange (the socket's executor must be the handler's or one it can run
 * beside, e.g. a strand of it); the handler is dispatched to its associated executor, else the
 * socket's.
 *
 * @par Per-Operation Cancellation
 * Through ctx, and the handler's cancellation slot (terminal): both abort the exchange.
 *
 * @par Thread safety
 * ctx may be cancelled from any thread; the socket and buffer must not be used concurrently.
 */
template <class Token = boost::asio::use_awaitable_t<>>
auto async_send(context ctx, boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer,
                request req, client_options options = {}, Token&& token = {});

/// Connects to host:port, sends req under ctx, reads the response and closes the connection.
/**
 * As async_send(), with name resolution and the connect bound to ctx as well; a spent budget
 * fails before anything is resolved or connected. Sets the Host field if req has none.
 *
 * @par Handler signature
 * @code void(asioctx::error_code ec, asioctx::http::response res) @endcode
 * With the default token, `co_await` gives the response or throws `boost::system::system_error`.
 *
 * @par Executor
 * The handler's associated executor runs the exchange and the handler: it must have one that
 * can do I/O (a coroutine's with use_awaitable, or `bind_executor(ex, handler)`). A handler
 * without one (a plain callback, `detached`) or with an inline one (`system_executor`) does not
 * compile: there is no I/O object to fall back on, and a hidden thread would run the exchange.
 *
 * @par Per-Operation Cancellation
 * Through ctx, and the handler's cancellation slot (terminal).
 *
 * @par Thread safety
 * ctx may be cancelled from any thread.
 */
template <class Token = boost::asio::use_awaitable_t<>>
auto async_fetch(context ctx, std::string host, std::string port, request req, client_options options = {},
                 Token&& token = {});

}  // namespace http
}  // namespace asioctx

#include <asioctx/http/impl/client.hpp>

#endif  // ASIOCTX_HTTP_CLIENT_HPP
