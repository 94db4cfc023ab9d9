// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection_state.cpp: the connection's states and transitions (no I/O).
//

#include "connection_state.hpp"
#include "message.hpp"

#include <asioctx/detail/chrono.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cstdint>

namespace asioctx {
namespace http {
namespace detail {

namespace bhttp = boost::beast::http;

connection_state::connection_state(const server_options& opts, metrics& m, clock::time_point now)
    : opts_(opts),
      m_(m),
      // Past the header limit, so an endless header is refused rather than paused on.
      read_ahead_(std::max(opts.read_ahead_limit, opts.header_limit + 4096)),
      idle_since_(now) {
  new_parser();
}

std::optional<clock::time_point> connection_state::after(clock::time_point t, std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds::zero()) return std::nullopt;
  const clock::time_point at = asioctx::detail::saturating_add(t, d);
  if (at == clock::time_point::max()) return std::nullopt;
  return at;
}

void connection_state::new_parser() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts_.header_limit, UINT32_MAX)));
  parser_->body_limit(opts_.body_limit);
  begun_ = false;
}

void connection_state::push(work_item it) { queue_.push_back(std::move(it)); }

bool connection_state::on_bytes(const void* data, std::size_t n, clock::time_point now) {
  if (in_ == read_phase::ended || in_ == read_phase::lingering || n == 0) return false;
  buffer_.commit(boost::asio::buffer_copy(buffer_.prepare(n), boost::asio::buffer(data, n)));
  return parse(now);
}

// Moves every whole request the buffer holds into the queue, while the intake is open and the
// queue has room; true if anything was queued.
bool connection_state::parse(clock::time_point now) {
  const std::size_t before = queue_.size();
  while (intake_ == intake::open && queue_.size() < opts_.max_pipelined && buffer_.size() > 0) {
    if (!begun_) {
      // The request's first byte: request_read_timeout bounds it from here, body included.
      begun_ = true;
      request_started_ = now;
    }
    auto& p = *parser_;
    const bool header_was_done = p.is_header_done();
    error_code ec;
    buffer_.consume(p.put(buffer_.data(), ec));
    if (ec == bhttp::error::need_more) break;
    if (ec) {
      reject(bad_request_status(ec));
      break;
    }
    if (!header_was_done && p.is_header_done()) {
      if (const unsigned status = header_status(p.get())) {
        reject(status);
        break;
      }
      // The client waits for "100 Continue" unless bytes of the body are already here
      // (RFC 9110 §10.1.1 lets the server omit it then).
      if (expects_continue(p.get()) && !p.is_done() && buffer_.size() == 0)
        push(work_item{work_item::interim, std::nullopt, 100});
      p.eager(true);
      if (!p.is_done()) continue;
    }
    if (p.is_done()) {
      http::request req = p.release();
      new_parser();
      if (!req.keep_alive() || shutting_) intake_ = intake::closed;
      push(work_item{work_item::request, std::move(req), 0});
    }
  }
  return queue_.size() != before;
}

void connection_state::reject(unsigned status) {
  m_.bad_requests_total.fetch_add(1, std::memory_order_relaxed);
  push(work_item{work_item::rejected, std::nullopt, status});
  intake_ = intake::closed;
  begun_ = false;
}

connection_state::read_phase connection_state::next_read() {
  if (in_ == read_phase::ended) return in_;
  if (out_ == write_phase::ended) return in_ = read_phase::lingering;
  // Nothing more is taken from the socket: TCP back-pressure holds the client.
  if (buffer_.size() >= read_ahead_) return in_ = read_phase::paused;
  return in_ = reading_phase();
}

// A request once begun must arrive whole; an idle connection waits for the next one; while
// requests are in hand (or none is taken any more) reading only watches for a disconnect.
connection_state::read_phase connection_state::reading_phase() const noexcept {
  if (begun_) return read_phase::request;
  if (intake_ == intake::open && queue_.empty() && out_ == write_phase::waiting) return read_phase::idle;
  return read_phase::watching;
}

// request_read_timeout from the first byte, idle_timeout from the last answer, or no limit.
connection_state::read_timer connection_state::timer() const {
  switch (reading_phase()) {
    case read_phase::request:
      return after(request_started_, opts_.request_read_timeout) ? read_timer::request : read_timer::none;
    case read_phase::idle:
      return after(idle_since_, opts_.idle_timeout) ? read_timer::idle : read_timer::none;
    default:
      return read_timer::none;
  }
}

std::optional<clock::time_point> connection_state::read_deadline() const {
  switch (timer()) {
    case read_timer::request:
      return after(request_started_, opts_.request_read_timeout);
    case read_timer::idle:
      return after(idle_since_, opts_.idle_timeout);
    case read_timer::none:
      break;
  }
  return std::nullopt;
}

connection_state::timeout_verdict connection_state::on_read_deadline(clock::time_point now) {
  const auto d = read_deadline();
  if (!d || *d > now) return timeout_verdict::rearm;  // an earlier phase's deadline
  if (timer() == read_timer::idle) return timeout_verdict::idle_expired;
  m_.io_timeouts_total.fetch_add(1, std::memory_order_relaxed);
  return timeout_verdict::request_expired;  // what is queued is still answered, then the close
}

void connection_state::on_peer_gone() {
  if (out_ == write_phase::serving) m_.client_disconnects_total.fetch_add(1, std::memory_order_relaxed);
  queue_.clear();
  intake_ = intake::closed;
  begun_ = false;
  in_ = read_phase::ended;
}

void connection_state::on_reader_ended() {
  in_ = read_phase::ended;
  intake_ = intake::closed;
  begun_ = false;
}

bool connection_state::nothing_more() const noexcept {
  return queue_.empty() && (in_ == read_phase::ended || intake_ == intake::closed || (shutting_ && !begun_));
}

work_item connection_state::take_item(clock::time_point now) {
  work_item it = std::move(queue_.front());
  queue_.pop_front();
  parse(now);  // a slot is free: take the next request the buffer holds
  return it;
}

bool connection_state::resume_reading() const noexcept {
  return in_ == read_phase::paused && buffer_.size() < read_ahead_;
}

// Keep-alive needs the request to ask for it and the handler not to refuse it, and neither a
// shutdown nor the end of the requests this connection takes.
bool connection_state::keep_alive_after(bool wanted) const noexcept {
  return wanted && !shutting_ && !(queue_.empty() && intake_ == intake::closed);
}

void connection_state::on_written(clock::time_point now) {
  if (queue_.empty()) idle_since_ = now;
}

bool connection_state::on_writer_ended() {
  if (out_ == write_phase::ended) return false;
  out_ = write_phase::ended;
  queue_.clear();
  intake_ = intake::closed;
  return true;
}

void connection_state::on_shutdown() {
  shutting_ = true;
  if (!begun_) intake_ = intake::closed;  // a request half read may still finish
}

void connection_state::on_shutdown_answer() {
  shutting_ = true;
  intake_ = intake::closed;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
