// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/client.cpp: outbound requests under a context.
//

#include <asioctx/bind.hpp>
#include <asioctx/http/client.hpp>
#include <asioctx/http/timeout_header.hpp>

#include "exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <limits>
#include <string_view>

namespace asioctx {
namespace http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

void close(tcp::socket& socket) {
  error_code ignored;
  socket.close(ignored);
}

std::string_view field_name(budget_format f) {
  switch (f) {
    case budget_format::envoy_timeout_ms:
      return envoy_timeout_field;
    case budget_format::connect_timeout_ms:
      return connect_timeout_field;
    case budget_format::grpc_timeout:
    case budget_format::none:
      break;
  }
  return grpc_timeout_field;
}

}  // namespace

namespace detail {

error_code context_error(const context& ctx) {
  if (error_code e = ctx.err()) return e;
  if (auto d = ctx.deadline(); d && *d <= clock::now()) return asioctx::error::deadline_exceeded;
  return {};
}

error_code budget_error(const context& ctx, const client_options& options) {
  if (error_code e = context_error(ctx)) return e;
  if (options.budget_header == budget_format::none ||
      options.budget_margin <= std::chrono::nanoseconds::zero())
    return {};
  if (auto d = ctx.deadline(); d && remaining(*d, clock::now()) <= options.budget_margin)
    return asioctx::error::deadline_exceeded;
  return {};
}

}  // namespace detail

using detail::context_error;

namespace {

bool set_budget(request& req, const context& ctx, budget_format format, std::chrono::nanoseconds margin) {
  if (context_error(ctx)) return false;
  if (format == budget_format::none) {
    if (auto d = ctx.deadline()) return remaining(*d, clock::now()) > std::chrono::nanoseconds::zero();
    return true;
  }
  const std::string_view name = field_name(format);
  const auto field = boost::beast::string_view(name.data(), name.size());
  if (auto d = ctx.deadline()) {
    // left >= 0, so taking off a positive margin cannot overflow.
    const auto left = remaining(*d, clock::now()) - std::max(margin, std::chrono::nanoseconds::zero());
    if (left <= std::chrono::nanoseconds::zero()) return false;
    switch (format) {
      case budget_format::grpc_timeout:
        req.set(field, format_grpc_timeout(left));
        break;
      case budget_format::envoy_timeout_ms:
        req.set(field, format_timeout_ms(left, std::numeric_limits<long long>::max()));
        break;
      case budget_format::connect_timeout_ms:
        req.set(field, format_timeout_ms(left, connect_timeout_send_max_value));
        break;
      case budget_format::none:
        break;
    }
  } else {
    req.erase(field);
  }
  return true;
}

}  // namespace

bool set_budget_header(request& req, const context& ctx) {
  return set_budget_header(req, ctx, budget_format::grpc_timeout);
}

bool set_budget_header(request& req, const context& ctx, budget_format format) {
  return set_budget(req, ctx, format, std::chrono::nanoseconds::zero());
}

namespace detail {

net::awaitable<exchange_outcome> exchange(const context& ctx, tcp::socket& socket,
                                          boost::beast::flat_buffer& buffer, request& req,
                                          const client_options& options) {
  exchange_outcome o;
  if (!set_budget(req, ctx, options.budget_header, options.budget_margin)) {
    o.ec = context_error(ctx);
    if (!o.ec) o.ec = asioctx::error::deadline_exceeded;
    co_return o;
  }
  req.prepare_payload();
  o.sent = true;
  auto [wec, wn] = co_await bhttp::async_write(socket, req, asioctx::bind(ctx, use_tuple));
  if (wec) {
    o.ec = wec;
    co_return o;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.body_limit);
  if (req.method() == bhttp::verb::head) parser.skip(true);  // a HEAD response has no body
  auto [rec, rn] = co_await bhttp::async_read(socket, buffer, parser, asioctx::bind(ctx, use_tuple));
  o.response_started = parser.got_some() || buffer.size() != 0;
  if (rec) {
    o.ec = rec;
    co_return o;
  }
  // keep_alive() is false for a response that ends at EOF; bytes past it leave the stream unclear.
  o.reusable = parser.keep_alive() && req.keep_alive() && buffer.size() == 0;
  o.res = parser.release();
  co_return o;
}

exchange_result settle(exchange_outcome o, const context& ctx, const client_options& options) {
  if (o.ec) {
    const error_code e = context_error(ctx);
    return {e ? e : o.ec, response()};
  }
  if (!options.raw_deadline_answers && is_deadline_answer(o.res))
    return {asioctx::error::deadline_exceeded, std::move(o.res)};
  return {error_code(), std::move(o.res)};
}

net::awaitable<exchange_result> send_exchange(context ctx, tcp::socket& socket,
                                              boost::beast::flat_buffer& buffer, request req,
                                              client_options options) {
  // Whatever ends an exchange early leaves the stream mid-message: the socket is closed.
  exchange_outcome o = co_await exchange(ctx, socket, buffer, req, options);
  if (o.ec && o.sent) close(socket);
  co_return settle(std::move(o), ctx, options);
}

net::awaitable<exchange_result> fetch_exchange(context ctx, std::string host, std::string port, request req,
                                               client_options options) {
  if (error_code e = budget_error(ctx, options)) co_return exchange_result{e, response()};
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, asioctx::bind(ctx, use_tuple));
  if (rec) co_return settle(exchange_outcome{rec}, ctx, options);
  tcp::socket socket(ex);
  auto [cec, ep] = co_await net::async_connect(socket, endpoints, asioctx::bind(ctx, use_tuple));
  if (cec) co_return settle(exchange_outcome{cec}, ctx, options);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, host + ":" + port);
  boost::beast::flat_buffer buffer;
  exchange_outcome o = co_await exchange(ctx, socket, buffer, req, options);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  close(socket);
  co_return settle(std::move(o), ctx, options);
}

}  // namespace detail

}  // namespace http
}  // namespace asioctx
