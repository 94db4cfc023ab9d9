// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/request_scope.hpp
//
// Request deadlines for your own Beast server loop: a request's context from the connection's
// context, a handler timeout and the caller's budget headers; the answers made for a handler
// (deadline, spent budget, shutdown, failure), in the caller's protocol (plain HTTP or Connect);
// and async_serve, which runs a handler under the request's context and answers for it when its
// deadline passes. Generic over the stream: beast::tcp_stream, ssl::stream<...>, a socket.
//

#ifndef ASIOCTX_HTTP_REQUEST_SCOPE_HPP
#define ASIOCTX_HTTP_REQUEST_SCOPE_HPP

#include <asioctx/context.hpp>
#include <asioctx/http/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace asioctx {
namespace http {

/// The request type handlers receive.
using request = boost::beast::http::request<boost::beast::http::string_body>;
/// The response type handlers return.
using response = boost::beast::http::response<boost::beast::http::string_body>;
/// A request's start line and fields (a `request` converts to it).
using request_header = boost::beast::http::request_header<>;

/// Which budget header set a request's budget.
enum class budget_source {
  /// No well-formed budget header.
  none,
  /// gRPC's `grpc-timeout`.
  grpc_timeout,
  /// Envoy's `x-envoy-expected-rq-timeout-ms`.
  envoy_timeout_ms,
  /// Connect's `connect-timeout-ms`.
  connect_timeout_ms,
};

/// The caller's budget, as a request's headers give it.
struct request_budget {
  /// The smallest well-formed budget among the budget headers; nullopt if none.
  std::optional<std::chrono::nanoseconds> left;
  /// The header `left` came from.
  budget_source source = budget_source::none;
  /// Budget header values ignored because they were malformed.
  unsigned malformed = 0;
  /// Whether one of them was a `connect-timeout-ms` (a Connect request is refused for it).
  bool malformed_connect = false;
};

namespace detail {
struct serve_access;
}  // namespace detail

/// Reads the caller's budget from `grpc-timeout`, `x-envoy-expected-rq-timeout-ms` and
/// `connect-timeout-ms` (timeout_header.hpp's parsers); malformed values are counted, not used.
request_budget read_budget(const request_header& req);

/// The protocol a request speaks, as far as the answers made for its handler go.
enum class request_protocol {
  /// Plain HTTP: answers are `text/plain`.
  http,
  /// A Connect unary call (a `Connect-Protocol-Version` header, or a GET with `connect=v1`):
  /// answers are Connect's JSON error, `{"code":"...","message":"..."}`.
  connect_unary,
  /// A Connect streaming call (`Content-Type: application/connect+json` or `+proto`): answers
  /// are a 200 whose body is Connect's end-of-stream message carrying the error.
  connect_stream,
};

/// Tells which protocol a request speaks (see request_protocol).
request_protocol detect_protocol(const request_header& req);

/// The answers a request_scope makes in place of its handler.
enum class answer_kind {
  /// The request's deadline passed before its handler answered (Connect: `deadline_exceeded`).
  deadline_exceeded,
  /// The caller's budget was spent on arrival; the handler is not called (Connect:
  /// `deadline_exceeded`).
  budget_spent,
  /// A Connect request's `connect-timeout-ms` is malformed: 400, Connect's `invalid_argument`,
  /// as Connect's reference implementation answers. (Other requests ignore the value.)
  invalid_budget,
  /// The request's context was cancelled (a shutdown) before its handler answered
  /// (Connect: `unavailable`). The answer closes the connection.
  shutting_down,
  /// The handler threw (Connect: `internal`).
  handler_failed,
};

/// Settings for request scopes and the answers they make.
struct request_options {
  /// The longest a handler may run; the caller's budget header can only shorten it. Zero or
  /// less, or `max()`, means no limit of the server's own.
  std::chrono::nanoseconds handler_timeout = std::chrono::seconds(30);
  /// The status of a plain-HTTP deadline answer (deadline passed, or budget spent).
  unsigned deadline_status = 504;
  /// The header that marks a deadline answer (value "1"), in every protocol, so that clients
  /// tell it from an upstream's 504. Empty: none.
  std::string deadline_header = "x-asioctx-deadline-exceeded";
  /// The status of a plain-HTTP shutdown answer.
  unsigned shutdown_status = 503;
  /// Called on every answer a scope makes, after it is built: shape it for another protocol
  /// (gRPC-Web trailers, a JSON error of your own...). Receives the request's header; a scope
  /// keeps a copy of it only when this is set. Called on the executor that makes the answer.
  std::function<void(answer_kind kind, const request_header& req, response& res)> shape_answer;
};

/// A request's context and the answers made for its handler, for your own server loop.
/**
 * Made when a request has been read: its context derives from `parent` (the connection's
 * context) with a deadline of now plus the smaller of options.handler_timeout and the caller's
 * budget (read_budget()); cancel_site() of a context ended by that deadline names the header
 * or the handler timeout that set it. The destructor cancels the context, as Go's server does
 * when its handler returns, so that what the handler started under it ends too.
 *
 * options is held by reference: it must outlive the scope.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: const members and cancel() from any thread.
 */
class request_scope {
 public:
  /// Reads req's budget headers and makes its context below parent.
  /**
   * `where` is the site the scope's own cancels record (its destructor's, and async_serve's
   * when the handler returns).
   */
  request_scope(const context& parent, const request_header& req, const request_options& options,
                const source_location& where = BOOST_CURRENT_LOCATION);
  /// As above with default request_options.
  request_scope(const context& parent, const request_header& req,
                const source_location& where = BOOST_CURRENT_LOCATION);
  /// Options are held by reference: a temporary would dangle.
  request_scope(const context& parent, const request_header& req, request_options&& options,
                const source_location& where = BOOST_CURRENT_LOCATION) = delete;
  request_scope(const request_scope&) = delete;
  request_scope& operator=(const request_scope&) = delete;
  /// Cancels the request's context (cancel_site(): the scope's `where`).
  ~request_scope();

  /// The request's context, for its handler.
  const context& get_context() const noexcept { return ctx_; }

  /// The answer to send without calling the handler, if any: the caller's budget is spent
  /// (answer_kind::budget_spent), or a Connect request's `connect-timeout-ms` is malformed
  /// (answer_kind::invalid_budget).
  std::optional<answer_kind> early_answer() const noexcept { return early_; }

  /// Makes the answer of that kind for this request (its HTTP version and keep-alive, its
  /// protocol's format, options.shape_answer applied), ready to write.
  response answer(answer_kind kind) const;

  /// The answer async_serve() made in place of the handler (or nullopt: the handler's own
  /// response, or none). Read it once the operation has completed.
  std::optional<answer_kind> answered() const noexcept { return answered_; }

  /// Cancels the request's context (cause error::canceled).
  void cancel(const source_location& where = BOOST_CURRENT_LOCATION) const noexcept { cancel_(where); }

  /// The caller's budget, as read from the request's headers.
  const request_budget& budget() const noexcept { return budget_; }

  /// The protocol the request speaks.
  request_protocol protocol() const noexcept { return protocol_; }

  /// The settings the scope was made with.
  const request_options& options() const noexcept { return *options_; }

 private:
  friend struct detail::serve_access;

  const request_options* options_;
  source_location where_;
  context ctx_;
  cancel_func cancel_;
  request_budget budget_;
  request_protocol protocol_;
  std::optional<answer_kind> early_;
  std::optional<answer_kind> answered_;
  unsigned version_;
  bool keep_alive_;
  bool stream_proto_;                     // a Connect stream in the binary codec
  std::optional<request_header> header_;  // for options().shape_answer only
};

/// Runs handler under scope's context and completes with the response to write.
/**
 * Calls `handler(scope.get_context(), std::move(req))`, which returns
 * `boost::asio::awaitable<response>`, and awaits it on the executor below. If the scope has an
 * early answer, the handler is not called and the operation completes with it. If the request's
 * context becomes done before the handler returns, the operation completes at once with the
 * answer for it (answer_kind::deadline_exceeded, or answer_kind::shutting_down) and cancels what
 * the handler awaits; the handler's coroutine is abandoned, it keeps running until it returns,
 * and its result is dropped. A handler that throws gets answer_kind::handler_failed (or the
 * answer for its context, if done). When the handler returns, the scope's context is cancelled.
 * scope.answered() tells which answer was made, if any.
 *
 * scope, and what the handler refers to, must outlive the operation; the stream is only used
 * for its executor.
 *
 * @par Handler signature
 * @code void(asioctx::error_code ec, asioctx::http::response res) @endcode
 * `ec` is set only when there is nothing to write: http::error::client_disconnected (the
 * cause of the request's context: the connection is gone), or
 * `boost::asio::error::operation_aborted` (per-operation cancellation). Otherwise `res` is the
 * handler's response or the scope's answer, to write as it is.
 *
 * @par Executor
 * The completion handler's associated executor, else the stream's, runs the handler and the
 * completion. It must not run two of them at once (a strand, or an `io_context` run by one
 * thread), as Beast's examples give each session a strand.
 *
 * @par Per-Operation Cancellation
 * Terminal, partial and total: the request's context is cancelled (the handler's operations
 * end) and the operation completes with `operation_aborted`.
 *
 * @par Thread safety
 * The scope's context may be cancelled from any thread.
 */
template <class Stream, class Handler,
          class Token = boost::asio::default_completion_token_t<typename Stream::executor_type>>
auto async_serve(Stream& stream, request_scope& scope, request req, Handler handler,
                 Token&& token = boost::asio::default_completion_token_t<typename Stream::executor_type>());

}  // namespace http
}  // namespace asioctx

#include <asioctx/http/impl/request_scope.hpp>

#endif  // ASIOCTX_HTTP_REQUEST_SCOPE_HPP
