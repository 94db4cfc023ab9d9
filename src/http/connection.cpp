// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection.cpp: the connection's read direction — bytes in, timeouts, disconnects.
//

#include "connection.hpp"
#include "hangup.hpp"
#include "sites.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asioctx {
namespace http {
namespace detail {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace

connection::connection(std::shared_ptr<server_impl> srv, tcp::socket socket)
    : srv_(std::move(srv)),
      opts_(srv_->options_),
      m_(srv_->metrics_),
      socket_(std::move(socket)),
      strand_(*socket_.get_executor().target<net::strand<net::any_io_executor>>()),
      st_(opts_, m_, clock::now()),
      writer_wake_(strand_) {
  const net::any_io_executor inner = strand_.get_inner_executor();
  if (const auto* io = inner.target<net::io_context::executor_type>()) io_ex_ = *io;
  std::tie(ctx_, cancel_) = with_cancel_cause(srv_->root_);
  read_ctx_ = ctx_;
  m_.open_connections.fetch_add(1, std::memory_order_relaxed);
}

connection::~connection() {
  cancel_(error_code(), site::connection_ended);
  m_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  srv_->connection_closed(this);
}

void connection::start() {
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);  // writes are tried at once, without a timer
  auto self = shared_from_this();
  net::co_spawn(strand_, read_loop(self), net::detached);
  spawn_writer(std::move(self), std::nullopt);
}

void connection::begin_shutdown() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->st_.on_shutdown();
    self->writer_wake_.notify();
  });
}

// A context whose deadline is never later than the phase's. It is kept across reads, requests and
// phases while that holds; when it fires early the phase's own deadline is checked and a new one
// is made, so a busy keep-alive connection makes one about once per idle_timeout.
const context& connection::read_context() {
  const auto want = st_.read_deadline();
  if (read_ctx_.done() || (want && (!read_ctx_deadline_ || *read_ctx_deadline_ > *want))) {
    read_ctx_ = want ? with_deadline(ctx_, *want).ctx : ctx_;
    read_ctx_deadline_ = want;
  }
  return read_ctx_;
}

net::awaitable<void> connection::read_loop(std::shared_ptr<connection> self) {
  try {
    co_await self->read_requests();
  } catch (...) {
    // Only allocation failure gets here; the connection closes.
  }
  self->st_.on_reader_ended();
  self->writer_wake_.notify();
  self->maybe_close();
}

net::awaitable<void> connection::read_requests() {
  using phase = connection_state::read_phase;
  for (;;) {
    switch (st_.next_read()) {
      case phase::ended:
        co_return;
      case phase::lingering:
        co_return co_await linger();
      case phase::paused:
        if (co_await wait_hangup(socket_, ctx_, pause_signal_.slot())) co_return client_gone();
        if (ctx_.done() && st_.write_state() != connection_state::write_phase::ended) co_return;
        continue;
      default:
        break;
    }
    auto [ec, n] =
        co_await socket_.async_read_some(net::buffer(chunk_), asioctx::bind(read_context(), use_tuple));
    if (st_.on_bytes(chunk_.data(), n, clock::now())) writer_wake_.notify();
    if (!ec || st_.write_state() == connection_state::write_phase::ended) continue;
    if (ctx_.done()) co_return;  // the grace period is over, or the connection is closing
    if (ec == asioctx::error::deadline_exceeded) {
      // An earlier phase's deadline: the next read re-arms. Else what is queued is still
      // answered, then the connection closes.
      if (st_.on_read_deadline(clock::now()) == connection_state::timeout_verdict::rearm) continue;
      co_return;
    }
    co_return client_gone();
  }
}

// The client closed or reset the connection: the request in hand is cancelled, the queue dropped.
void connection::client_gone() {
  st_.on_peer_gone();
  cancel_(make_error_code(error::client_disconnected), site::client_disconnected);
  writer_wake_.notify();
}

// After the last response and our FIN: wait a little for the client's FIN, dropping at most
// read_ahead bytes, so unread bytes do not turn the close into a reset that destroys the response.
net::awaitable<void> connection::linger() {
  if (opts_.close_linger <= std::chrono::milliseconds::zero()) co_return;
  auto [lctx, lcancel] = limited(srv_->cut_, opts_.close_linger);
  for (std::size_t dropped = 0; dropped < st_.read_ahead();) {
    auto [ec, n] = co_await socket_.async_read_some(net::buffer(chunk_), asioctx::bind(lctx, use_tuple));
    if (ec) break;
    dropped += n;
  }
  lcancel();
}

void connection::maybe_close() {
  if (st_.both_ended() && socket_.is_open()) {
    error_code ignored;
    socket_.close(ignored);
  }
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
