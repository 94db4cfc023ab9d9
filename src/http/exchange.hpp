// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/exchange.hpp: one request and its response on an open connection, under a context;
// shared by async_send, async_fetch and the pooled client.
//

#ifndef ASIOCTX_SRC_HTTP_EXCHANGE_HPP
#define ASIOCTX_SRC_HTTP_EXCHANGE_HPP

#include <asioctx/http/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace asioctx {
namespace http {
namespace detail {

// How one exchange ended. The caller decides what becomes of the connection.
struct exchange_outcome {
  error_code ec;
  response res;
  bool sent = false;              // something was written: on failure the connection is unusable
  bool response_started = false;  // bytes of the response arrived: the request must not be retried
  bool reusable = false;          // RFC 9112 keep-alive: the connection may carry another request
};

// The error a context reports, counting a passed deadline whose timer has not run yet.
error_code context_error(const context& ctx);

// context_error, or deadline_exceeded if no more than options.budget_margin is left (a budget
// header would carry nothing): checked before a connection is taken or opened.
error_code budget_error(const context& ctx, const client_options& options);

// Sets req's budget header from ctx, writes it and reads the response, both bound to ctx. A
// spent budget sends nothing. Never closes the socket.
boost::asio::awaitable<exchange_outcome> exchange(const context& ctx, boost::asio::ip::tcp::socket& socket,
                                                  boost::beast::flat_buffer& buffer, request& req,
                                                  const client_options& options);

// The operation's result: a failure gives the context's error if it is done (else the failure),
// and an empty response; a callee's deadline answer gives error::deadline_exceeded unless the
// options ask for raw answers.
exchange_result settle(exchange_outcome o, const context& ctx, const client_options& options);

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_EXCHANGE_HPP
