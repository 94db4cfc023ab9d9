// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/client_pool_impl.cpp: taking and giving back pooled connections, the bounds, the
// idle timeout and the queue of waiting requests (all on the pool's strand).
//

#include "client_pool_impl.hpp"

#include "exchange.hpp"

#include <asioctx/bind.hpp>
#include <asioctx/detail/chrono.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>

namespace asioctx {
namespace http {
namespace detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// An idle connection the server has not closed and has sent nothing on since its last response.
// A peek at the socket (non-blocking): would_block is the only healthy answer; EOF, a reset or
// stray bytes (a 408, say) all mean it must not carry a request.
bool still_open(pooled_connection& c) {
  if (c.buffer.size() != 0) return false;
  char byte;
  error_code ec;
  c.socket.receive(net::buffer(&byte, 1), tcp::socket::message_peek, ec);
  return ec == net::error::would_block;
}

}  // namespace

net::awaitable<bool> slot_cancelled() {
  co_return (co_await net::this_coro::cancellation_state).cancelled() != net::cancellation_type::none;
}

client_pool_impl::client_pool_impl(net::any_io_executor strand, client_pool_options options)
    : strand_(std::move(strand)), options_(options), sweep_(strand_) {}

net::awaitable<lease> client_pool_impl::acquire(const context& ctx, host_state& h, const std::string& host,
                                                const std::string& port) {
  for (;;) {
    if (closed_) co_return lease{net::error::operation_aborted, nullptr};
    expire(h, clock::now());
    while (!h.idle.empty()) {
      connection_ptr c = take_idle(h, true);
      if (still_open(*c)) co_return lease{error_code(), std::move(c)};
      metrics_.stale_total.fetch_add(1, std::memory_order_relaxed);
      drop(h, std::move(c));
    }
    if (options_.max_connections_per_host == 0 || h.open < options_.max_connections_per_host) {
      ++h.open;
      co_return co_await connect(ctx, h, host, port);
    }
    lease l = co_await wait(ctx, h, host, port);
    if (l.ec || l.conn) co_return l;
    // Woken with nothing: the pool was closed (the loop says so).
  }
}

net::awaitable<lease> client_pool_impl::connect(const context& ctx, host_state& h, const std::string& host,
                                                const std::string& port) {
  tcp::resolver resolver(strand_);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, asioctx::bind(ctx, use_tuple));
  if (rec) {
    free_slot(h);
    co_return lease{rec, nullptr};
  }
  auto c = std::make_unique<pooled_connection>(strand_);
  auto [cec, ep] = co_await net::async_connect(c->socket, endpoints, asioctx::bind(ctx, use_tuple));
  if (cec) {
    free_slot(h);
    co_return lease{cec, nullptr};
  }
  error_code ignored;
  c->socket.set_option(tcp::no_delay(true), ignored);
  c->socket.non_blocking(true, ignored);  // for still_open's peek; asynchronous operations are unaffected
  metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
  metrics_.open_connections.fetch_add(1, std::memory_order_relaxed);
  co_return lease{error_code(), std::move(c)};
}

net::awaitable<lease> client_pool_impl::wait(const context& ctx, host_state& h, const std::string& host,
                                             const std::string& port) {
  pool_waiter w(strand_);
  h.waiters.push_back(&w);
  co_await w.timer.async_wait(asioctx::bind(ctx, use_tuple));
  if (auto it = std::find(h.waiters.begin(), h.waiters.end(), &w); it != h.waiters.end()) h.waiters.erase(it);
  // The context, or the handler's cancellation slot, may have ended the wait, or have done so
  // just as a connection was handed over: the request ends either way, the gift goes back.
  error_code e = context_error(ctx);
  if (!e && co_await slot_cancelled()) e = net::error::operation_aborted;
  if (e) {
    if (w.conn)
      release(h, std::move(w.conn), true);
    else if (w.slot)
      free_slot(h);
    co_return lease{e, nullptr};
  }
  if (w.conn) co_return lease{error_code(), std::move(w.conn)};
  if (w.slot) co_return co_await connect(ctx, h, host, port);
  co_return lease{};
}

void client_pool_impl::release(host_state& h, connection_ptr c, bool reusable) {
  if (!reusable || closed_) return drop(h, std::move(c));
  c->reused = true;
  if (!h.waiters.empty()) {
    pool_waiter* w = h.waiters.front();
    h.waiters.pop_front();
    w->conn = std::move(c);
    w->timer.cancel();
    return;
  }
  if (options_.max_idle_per_host != 0 && h.idle.size() >= options_.max_idle_per_host)
    return drop(h, std::move(c));
  c->idle_since = clock::now();
  h.idle.push_back(std::move(c));
  metrics_.idle_connections.fetch_add(1, std::memory_order_relaxed);
  arm_sweep();
}

connection_ptr client_pool_impl::take_idle(host_state& h, bool newest) {
  connection_ptr c = std::move(newest ? h.idle.back() : h.idle.front());
  if (newest)
    h.idle.pop_back();
  else
    h.idle.pop_front();
  metrics_.idle_connections.fetch_sub(1, std::memory_order_relaxed);
  return c;
}

void client_pool_impl::drop(host_state& h, connection_ptr c) {
  error_code ignored;
  c->socket.close(ignored);
  metrics_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  free_slot(h);
}

void client_pool_impl::free_slot(host_state& h) {
  if (h.waiters.empty()) {
    --h.open;
    return;
  }
  pool_waiter* w = h.waiters.front();  // the slot passes to it: h.open stays
  h.waiters.pop_front();
  w->slot = true;
  w->timer.cancel();
}

bool client_pool_impl::expires() const noexcept {
  return options_.idle_timeout > std::chrono::milliseconds::zero() &&
         options_.idle_timeout != std::chrono::milliseconds::max();
}

void client_pool_impl::expire(host_state& h, clock::time_point now) {
  if (!expires()) return;
  while (!h.idle.empty() &&
         asioctx::detail::saturating_add(h.idle.front()->idle_since, options_.idle_timeout) <= now) {
    metrics_.idle_expired_total.fetch_add(1, std::memory_order_relaxed);
    drop(h, take_idle(h, false));
  }
}

// One timer for the whole pool, armed only while connections are idle, for the oldest one: an
// idle connection holds run() until it expires or the pool is closed, nothing longer.
void client_pool_impl::arm_sweep() {
  if (sweeping_ || closed_ || !expires()) return;
  std::optional<clock::time_point> oldest;
  for (auto& [key, h] : hosts_)
    if (!h.idle.empty() && (!oldest || h.idle.front()->idle_since < *oldest))
      oldest = h.idle.front()->idle_since;
  if (!oldest) return;
  sweeping_ = true;
  sweep_.expires_at(asioctx::detail::saturating_add(*oldest, options_.idle_timeout));
  sweep_.async_wait([self = shared_from_this()](error_code ec) {
    self->sweeping_ = false;
    if (ec || self->closed_) return;
    const auto now = clock::now();
    for (auto& [key, h] : self->hosts_) self->expire(h, now);
    self->arm_sweep();
  });
}

void client_pool_impl::close() {
  closed_ = true;
  sweep_.cancel();
  for (auto& [key, h] : hosts_) {
    // Waiters first, so that the slots the idle connections free are not handed to them.
    for (pool_waiter* w : h.waiters) w->timer.cancel();
    h.waiters.clear();
    while (!h.idle.empty()) drop(h, take_idle(h, true));
  }
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
