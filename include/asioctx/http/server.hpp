// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/server.hpp
//
// An HTTP/1.1 server on Boost.Beast whose every request handler runs under its own context:
// deadlines from the server's timeout and the caller's budget, cancellation on client
// disconnect, graceful shutdown.
//

#ifndef ASIOCTX_HTTP_SERVER_HPP
#define ASIOCTX_HTTP_SERVER_HPP

#include <asioctx/context.hpp>
#include <asioctx/detail/handler_waiter.hpp>
#include <asioctx/http/error.hpp>
#include <asioctx/http/metrics.hpp>
#include <asioctx/http/request_scope.hpp>  // request, response

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace asioctx {
namespace http {

/// A request handler: a coroutine run under the request's context.
/**
 * The context is done when the request's deadline passes, the client disconnects (cause
 * error::client_disconnected) or the shutdown grace period ends (cause error::shutting_down).
 * Bind the handler's operations to it with asioctx::bind; operations it awaits with
 * `use_awaitable` are cancelled too. Once the context is done the server stops waiting for the
 * handler and answers for it (or closes the connection); what the handler returns then is dropped.
 * A handler that throws gets a 500 (the deadline status if its context is past its deadline).
 */
using handler = std::function<boost::asio::awaitable<response>(context, request)>;

/// Server settings. Durations of zero or less disable the limit they name, and so does
/// `std::chrono::milliseconds::max()` (no limit; nothing overflows).
struct server_options {
  /// The longest a handler may run; the caller's budget header can only shorten it.
  std::chrono::milliseconds handler_timeout{30'000};
  /// The status answered when a request's deadline passes (or its budget is already spent).
  unsigned deadline_status = 504;
  /// The header that marks a deadline answer (value "1"), so clients tell it from an upstream 504.
  std::string deadline_header = "x-asioctx-deadline-exceeded";
  /// The status answered for a request cut at the end of the shutdown grace period.
  unsigned shutdown_status = 503;
  /// Largest request header, in bytes (431 beyond it).
  std::size_t header_limit = 16 * 1024;
  /// Largest request body, in bytes (413 beyond it).
  std::size_t body_limit = 1024 * 1024;
  /// How long a keep-alive connection may wait for its next request before it is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  /// How long a client may take to send a whole request, body included, once its first byte
  /// arrived.
  std::chrono::milliseconds request_read_timeout{10'000};
  /// How long a client may take to read a response.
  std::chrono::milliseconds write_timeout{30'000};
  /// Requests read ahead on one connection (pipelining) before parsing pauses; the bytes
  /// behind them are kept, up to read_ahead_limit, then reading pauses too.
  std::size_t max_pipelined = 16;
  /// Unparsed bytes held per connection (at least header_limit is used); beyond them the
  /// connection stops reading and TCP back-pressure holds the client.
  std::size_t read_ahead_limit = 64 * 1024;
  /// After the shutdown grace period, how long a response already being written (and the
  /// wait for a client's FIN after the last one) may still take before the connection is cut.
  std::chrono::milliseconds shutdown_close_timeout{500};
  /// After the last response, how long the server waits for the client's FIN before closing, so
  /// the response is not destroyed by a reset (unread bytes make close() send RST).
  std::chrono::milliseconds close_linger{500};
};

namespace detail {
class server_impl;
// A pending async_shutdown: completed once the shutdown has finished, destroyed unrun if its
// execution context is destroyed first.
using shutdown_waiter = asioctx::detail::pending_handler<>;
}  // namespace detail

/// An HTTP/1.1 server that runs each request handler under its own context.
/**
 * Contexts form a tree: the parent given at construction → the server's root → one context per
 * connection → one per request, whose deadline is the minimum of
 * server_options::handler_timeout and the caller's budget from `grpc-timeout`,
 * `x-envoy-expected-rq-timeout-ms` or `connect-timeout-ms` (malformed values are counted and
 * ignored, but a Connect caller's malformed `connect-timeout-ms` is answered 400
 * invalid_argument). Each request is made with a request_scope: the answers the server makes for
 * a handler speak the caller's protocol (plain text, or Connect's error format).
 *
 * Each connection lives on its own strand of the executor, so the server may be run by
 * several threads. HTTP/1.1 as RFC 9112 says: pipelined requests are parsed ahead (up to
 * server_options::max_pipelined) and answered in order, one handler at a time, and every request
 * received before one that ends the connection (`Connection: close`, HTTP/1.0 without
 * keep-alive, a malformed one) is answered first; a Transfer-Encoding that does not end in
 * `chunked` is refused (400, or 501 for a coding before it); `Expect: 100-continue` is honoured.
 * A client that floods bytes meets TCP back-pressure (server_options::read_ahead_limit); one that
 * closes or resets the connection cancels the handler's context, however many requests are
 * queued behind it.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: listen() and start() before anything runs the
 * executor's threads, or from one of them; async_shutdown(), local_endpoint() and
 * get_metrics() from any thread.
 */
class server {
 public:
  /// Makes a server on ex that calls h for each request; parent is the root of its context tree.
  /**
   * `where` is the site the destructor's cancels record (cancel_site of a request it ends).
   */
  server(boost::asio::any_io_executor ex, handler h, server_options options = {},
         const context& parent = background(), const source_location& where = BOOST_CURRENT_LOCATION);
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  /// Stops accepting and cancels what still runs (cause error::shutting_down), without waiting.
  ~server();

  /// Opens, binds and listens on ep (port 0 picks a free port). Throws system_error.
  void listen(const boost::asio::ip::tcp::endpoint& ep);

  /// The bound address, after listen().
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  /// Starts accepting connections.
  void start();

  /// Shuts down gracefully, then calls the handler.
  /**
   * Stops accepting, closes idle connections at once and lets in-flight requests finish within
   * grace; their responses carry `Connection: close`. When grace runs out, the remaining
   * request contexts are cancelled with cause error::shutting_down and site `where` (the
   * first call's, as cancel_site reports it): their clients get
   * server_options::shutdown_status, or a closed connection. A response already being written
   * is given server_options::shutdown_close_timeout more to finish, then its connection is
   * closed: a client that never reads cannot hold the shutdown. Calling it again only adds a
   * completion handler (the first grace stands).
   *
   * @par Handler signature
   * @code void() @endcode
   * Called once every connection is closed.
   *
   * @par Executor
   * The handler's associated executor, else the server's. Keeps it busy until completion.
   *
   * @par Per-Operation Cancellation
   * Not supported.
   *
   * @par Thread safety
   * May be called from any thread.
   */
  template <class Token>
  auto async_shutdown(std::chrono::steady_clock::duration grace, Token&& token,
                      const source_location& where = BOOST_CURRENT_LOCATION);

  /// The server's counters.
  const metrics& get_metrics() const noexcept;

  /// The server's executor.
  boost::asio::any_io_executor get_executor() const noexcept;

 private:
  static void shutdown_impl(const std::shared_ptr<detail::server_impl>& impl,
                            std::chrono::steady_clock::duration grace, detail::shutdown_waiter done,
                            const source_location& where);

  std::shared_ptr<detail::server_impl> impl_;
  source_location created_;
};

template <class Token>
auto server::async_shutdown(std::chrono::steady_clock::duration grace, Token&& token,
                            const source_location& where) {
  return boost::asio::async_initiate<Token, void()>(
      // The initiation holds the implementation, never `this`: a deferred shutdown may be
      // launched after the server object is gone.
      [impl = impl_, ex = get_executor(), grace, where](auto handler) {
        auto hex = boost::asio::get_associated_executor(handler, ex);
        shutdown_impl(impl, grace,
                      detail::shutdown_waiter(std::move(handler), hex, asioctx::detail::waiter_work::tracked),
                      where);
      },
      token);
}

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_SERVER_HPP
