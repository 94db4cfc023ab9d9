// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/client_pool.cpp: a request through the pool — take a connection, run the exchange
// under the request's context, give the connection back or close it, retry once when a reused
// connection turns out closed — and the public client_pool.
//

#include <asioctx/http/client_pool.hpp>

#include "client_pool_impl.hpp"
#include "exchange.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

namespace asioctx {
namespace http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace detail {

namespace {

// RFC 9110 9.2.2: methods whose repetition has the effect of one request.
bool idempotent(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::options:
    case bhttp::verb::trace:
    case bhttp::verb::put:
    case bhttp::verb::delete_:
      return true;
    default:
      return false;
  }
}

}  // namespace

net::awaitable<exchange_result> pool_exchange(std::shared_ptr<client_pool_impl> pool, context ctx,
                                              std::string host, std::string port, request req,
                                              client_options options) {
  // Failures come back as results: a cancelled operation must still give its connection back.
  co_await net::this_coro::throw_if_cancelled(false);
  client_pool_metrics& m = pool->metrics();
  m.requests_total.fetch_add(1, std::memory_order_relaxed);
  if (error_code e = budget_error(ctx, options))
    co_return exchange_result{e, response()};  // takes no connection
  if (co_await slot_cancelled()) co_return exchange_result{net::error::operation_aborted, response()};
  if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, host + ":" + port);
  host_state& h = pool->host(host + ":" + port);
  for (bool retried = false;; retried = true) {
    lease l = co_await pool->acquire(ctx, h, host, port);
    if (l.ec) co_return settle(exchange_outcome{l.ec}, ctx, options);
    if (co_await slot_cancelled()) {  // while connecting: the connection is untouched
      pool->release(h, std::move(l.conn), true);
      co_return exchange_result{net::error::operation_aborted, response()};
    }
    const bool reused = l.conn->reused;
    if (reused) m.reused_total.fetch_add(1, std::memory_order_relaxed);
    exchange_outcome o = co_await exchange(ctx, l.conn->socket, l.conn->buffer, req, options);
    if (!o.ec || !o.sent) {  // done, or the budget ran out before anything was sent
      pool->release(h, std::move(l.conn), o.ec ? true : o.reusable);
      co_return settle(std::move(o), ctx, options);
    }
    // Mid-exchange: whatever is left on the connection is unknowable; it is never given back.
    pool->drop(h, std::move(l.conn));
    const bool cancelled = co_await slot_cancelled();  // (not inside ||: g++ 12 miscompiles that)
    if (retried || !reused || o.response_started || !idempotent(req.method()) || cancelled ||
        context_error(ctx))
      co_return settle(std::move(o), ctx, options);
    m.retries_total.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace detail

client_pool::client_pool(const executor_type& ex, client_pool_options options)
    : impl_(std::make_shared<detail::client_pool_impl>(net::make_strand(ex), options)),
      strand_(impl_->strand()),
      metrics_(&impl_->metrics()) {}

client_pool::~client_pool() { close(); }

client_pool::executor_type client_pool::get_executor() const noexcept { return strand_; }

void client_pool::close() {
  net::dispatch(strand_, [impl = impl_] { impl->close(); });
}

const client_pool_metrics& client_pool::get_metrics() const noexcept { return *metrics_; }

}  // namespace http
}  // namespace asioctx
