// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection.cpp: the connection's read direction — parsing, timeouts, disconnects.
//

#include "connection.hpp"
#include "hangup.hpp"
#include "message.hpp"
#include "sites.hpp"

#include <asioctx/bind.hpp>
#include <asioctx/detail/chrono.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace asioctx {
namespace http {
namespace detail {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace

// t + d for a limit d: none when d is zero or less (disabled) or too far to reach (max()).
std::optional<clock::time_point> connection::after(clock::time_point t, std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds::zero()) return std::nullopt;
  const clock::time_point at = asioctx::detail::saturating_add(t, d);
  if (at == clock::time_point::max()) return std::nullopt;
  return at;
}

connection::connection(std::shared_ptr<server_impl> srv, tcp::socket socket)
    : srv_(std::move(srv)),
      opts_(srv_->options_),
      m_(srv_->metrics_),
      socket_(std::move(socket)),
      strand_(*socket_.get_executor().target<net::strand<net::any_io_executor>>()),
      idle_since_(clock::now()),
      read_ahead_(0),
      writer_wake_(strand_) {
  // Past the header limit, so an endless header is refused rather than paused on.
  read_ahead_ = std::max(opts_.read_ahead_limit, opts_.header_limit + 4096);

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
  new_parser();
  auto self = shared_from_this();
  net::co_spawn(strand_, read_loop(self), net::detached);
  spawn_writer(std::move(self), std::nullopt);
}

void connection::begin_shutdown() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->shutting_ = true;
    if (!self->partial_) self->accepting_ = false;  // a request half read may still finish
    self->writer_wake_.notify();
  });
}

void connection::new_parser() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts_.header_limit, UINT32_MAX)));
  parser_->body_limit(opts_.body_limit);
  partial_ = false;
}

// Moves every whole request the buffer holds into the queue, while requests are accepted and the
// queue has room. Called by the reader after each read and by the writer when it frees a slot.
void connection::parse() {
  while (accepting_ && queue_.size() < opts_.max_pipelined && buffer_.size() > 0) {
    if (!partial_) {
      // The request's first byte: request_read_timeout bounds it from here, body included.
      partial_ = true;
      request_started_ = clock::now();
    }
    auto& p = *parser_;
    const bool header_was_done = p.is_header_done();
    error_code ec;
    buffer_.consume(p.put(buffer_.data(), ec));
    if (ec == bhttp::error::need_more) return;
    if (ec) return reject(bad_request_status(ec));
    if (!header_was_done && p.is_header_done()) {
      const unsigned status = header_status(p.get());
      if (status != 0) return reject(status);
      if (expects_continue(p.get()) && !p.is_done()) {
        queue_.push_back(item{item::interim, std::nullopt, 100});
        writer_wake_.notify();
      }
      p.eager(true);
      if (!p.is_done()) continue;
    }
    if (p.is_done()) {
      request req = p.release();
      new_parser();
      if (!req.keep_alive() || shutting_) accepting_ = false;
      queue_.push_back(item{item::request, std::move(req), 0});
      writer_wake_.notify();
    }
  }
}

void connection::reject(unsigned status) {
  m_.bad_requests_total.fetch_add(1, std::memory_order_relaxed);
  queue_.push_back(item{item::rejected, std::nullopt, status});
  accepting_ = false;
  partial_ = false;
  writer_wake_.notify();
}

// The read deadline of the phase the connection is in: a request once begun must arrive whole
// within request_read_timeout; an idle connection may wait idle_timeout; while requests are in
// hand (or none is accepted any more) reading only watches for a disconnect, without limit.
std::optional<clock::time_point> connection::phase_deadline() const {
  if (partial_) return after(request_started_, opts_.request_read_timeout);
  if (accepting_ && queue_.empty() && out_ == out_state::waiting)
    return after(idle_since_, opts_.idle_timeout);
  return std::nullopt;
}

// A context whose deadline is never later than the phase's. It is kept across reads, requests and
// phases while that holds; when it fires early the phase's own deadline is checked and a new one
// is made, so a busy keep-alive connection makes one about once per idle_timeout.
const context& connection::read_context() {
  const auto want = phase_deadline();
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
  self->in_ = in_state::done;
  self->reader_ended_ = true;
  self->accepting_ = false;
  self->partial_ = false;
  self->writer_wake_.notify();
  self->maybe_close();
}

net::awaitable<void> connection::read_requests() {
  for (;;) {
    if (out_ == out_state::done) co_return co_await linger();
    parse();
    if (buffer_.size() >= read_ahead_) {
      // Nothing more is taken from the socket: TCP back-pressure holds the client.
      in_ = in_state::paused;
      if (co_await wait_hangup(socket_, ctx_, pause_signal_.slot())) co_return client_gone();
      if (ctx_.done() && out_ != out_state::done) co_return;
      continue;
    }
    in_ = partial_ ? in_state::request : phase_deadline() ? in_state::idle : in_state::watching;
    auto [ec, n] =
        co_await socket_.async_read_some(net::buffer(chunk_), asioctx::bind(read_context(), use_tuple));
    if (n > 0) buffer_.commit(net::buffer_copy(buffer_.prepare(n), net::buffer(chunk_.data(), n)));
    if (!ec || out_ == out_state::done) continue;
    if (ctx_.done()) co_return;  // the grace period is over, or the connection is closing
    if (ec == asioctx::error::deadline_exceeded) {
      const auto d = phase_deadline();
      if (!d || *d > clock::now()) continue;  // an earlier phase's deadline: the next read re-arms
      if (partial_) m_.io_timeouts_total.fetch_add(1, std::memory_order_relaxed);
      co_return;  // what is queued is still answered, then the connection closes
    }
    co_return client_gone();
  }
}

// The client closed or reset the connection: the request in hand is cancelled, the queue dropped.
void connection::client_gone() {
  if (out_ == out_state::serving) m_.client_disconnects_total.fetch_add(1, std::memory_order_relaxed);
  queue_.clear();
  accepting_ = false;
  partial_ = false;
  in_ = in_state::done;
  cancel_(make_error_code(error::client_disconnected), site::client_disconnected);
  writer_wake_.notify();
}

// After the last response and our FIN: wait a little for the client's FIN, dropping at most
// read_ahead_ bytes, so unread bytes do not turn the close into a reset that destroys the response.
net::awaitable<void> connection::linger() {
  in_ = in_state::lingering;
  if (opts_.close_linger <= std::chrono::milliseconds::zero()) co_return;
  auto [lctx, lcancel] = limited(srv_->cut_, opts_.close_linger);
  for (std::size_t dropped = 0; dropped < read_ahead_;) {
    auto [ec, n] = co_await socket_.async_read_some(net::buffer(chunk_), asioctx::bind(lctx, use_tuple));
    if (ec) break;
    dropped += n;
  }
  lcancel();
}

void connection::maybe_close() {
  if (reader_ended_ && writer_ended_ && socket_.is_open()) {
    error_code ignored;
    socket_.close(ignored);
  }
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
