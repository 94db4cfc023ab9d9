// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/client_pool.hpp
//
// An HTTP client that keeps connections per host:port (bounded, idle timeout, RFC 9112
// keep-alive) and makes every request under a context, as async_fetch does.
//

#ifndef ASIOCTX_HTTP_CLIENT_POOL_HPP
#define ASIOCTX_HTTP_CLIENT_POOL_HPP

#include <asioctx/context.hpp>
#include <asioctx/http/client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace asioctx {
namespace http {

/// Settings for client_pool. A limit of zero means none.
struct client_pool_options {
  /// Connections open to one host:port at once (busy and idle); further requests queue.
  std::size_t max_connections_per_host = 64;
  /// Idle connections kept per host:port; a connection freed beyond them is closed.
  std::size_t max_idle_per_host = 32;
  /// How long a connection may stay idle before the pool closes it. Zero or less, or `max()`:
  /// kept until the server closes it or the pool is closed.
  std::chrono::milliseconds idle_timeout{90'000};
};

/// A client_pool's counters. Every member may be read from any thread (relaxed atomics).
struct client_pool_metrics {
  /// Requests started (retries not counted).
  std::atomic<std::uint64_t> requests_total{0};
  /// Connections opened.
  std::atomic<std::uint64_t> connections_total{0};
  /// Requests sent on a connection that an earlier request used.
  std::atomic<std::uint64_t> reused_total{0};
  /// Idle connections found closed by the server (or holding stray bytes) and dropped before use.
  std::atomic<std::uint64_t> stale_total{0};
  /// Idempotent requests sent again after a reused connection failed before any response byte.
  std::atomic<std::uint64_t> retries_total{0};
  /// Idle connections closed because they stayed idle longer than the idle timeout.
  std::atomic<std::uint64_t> idle_expired_total{0};
  /// Connections open now (busy and idle).
  std::atomic<std::int64_t> open_connections{0};
  /// Connections idle in the pool now.
  std::atomic<std::int64_t> idle_connections{0};
};

namespace detail {
class client_pool_impl;
boost::asio::awaitable<exchange_result> pool_exchange(std::shared_ptr<client_pool_impl> pool, context ctx,
                                                      std::string host, std::string port, request req,
                                                      client_options options);
}  // namespace detail

/// An HTTP/1.1 client that keeps connections per host:port; each request runs under a context.
/**
 * A request takes an idle connection to its host:port (checked first: one the server closed is
 * dropped), or opens one while fewer than max_connections_per_host are open, or waits its turn.
 * The connection returns to the pool only if the exchange completed and RFC 9112 lets it carry
 * another request: no `Connection: close` from either side, not an HTTP/1.0 response without
 * keep-alive, not a response whose body ended when the server closed. A request whose context
 * ends (or that fails) mid-exchange closes its connection. An idempotent request (GET, HEAD,
 * OPTIONS, TRACE, PUT, DELETE) that fails on a reused connection before any byte of the response
 * arrived is sent once more on a fresh one (the server may have closed the idle connection as
 * the request went out); never after response bytes arrived.
 *
 * The pool's state lives on one strand of the executor it is given; its exchanges run there.
 *
 * @par Thread safety
 * Every member function may be called from any thread, concurrently. Destroying the pool
 * closes its idle connections; requests in flight finish and close theirs.
 */
class client_pool {
 public:
  /// The executor the pool's strand runs on, and the default for handlers that have none.
  using executor_type = boost::asio::any_io_executor;

  /// A pool whose state and exchanges live on a strand of ex.
  explicit client_pool(const executor_type& ex, client_pool_options options = {});
  client_pool(const client_pool&) = delete;
  client_pool& operator=(const client_pool&) = delete;
  /// Calls close().
  ~client_pool();

  /// The pool's strand.
  executor_type get_executor() const noexcept;

  /// Sends req to host:port under ctx on a pooled connection and reads the response.
  /**
   * As http::async_fetch, on a pooled connection: a spent budget fails before a connection is
   * taken; the remaining budget travels in options.budget_header; a callee's deadline answer
   * completes with asioctx::error::deadline_exceeded (unless options.raw_deadline_answers).
   * Sets the Host field if req has none.
   *
   * @par Handler signature
   * @code void(asioctx::error_code ec, asioctx::http::response res) @endcode
   * With the default token, `co_await` gives the response or throws `boost::system::system_error`.
   *
   * @par Executor
   * The handler runs on its associated executor, else the pool's (a plain callback is fine).
   *
   * @par Per-Operation Cancellation
   * Through ctx, and the handler's cancellation slot (terminal): both end a wait for a
   * connection, or abort the exchange and close its connection.
   *
   * @par Thread safety
   * May be called from any thread; ctx may be cancelled from any thread.
   */
  template <class Token = boost::asio::use_awaitable_t<>>
  auto async_fetch(context ctx, std::string host, std::string port, request req, client_options options = {},
                   Token&& token = {});

  /// Closes the idle connections and stops pooling: later requests fail with
  /// `boost::asio::error::operation_aborted`; requests in flight finish and close their connections.
  void close();

  /// The pool's counters.
  const client_pool_metrics& get_metrics() const noexcept;

 private:
  std::shared_ptr<detail::client_pool_impl> impl_;
  executor_type strand_;
  const client_pool_metrics* metrics_;
};

}  // namespace http
}  // namespace asioctx

#include <asioctx/http/impl/client_pool.hpp>

#endif  // ASIOCTX_HTTP_CLIENT_POOL_HPP
