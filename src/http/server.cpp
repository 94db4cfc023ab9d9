// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/server.cpp: the listener and the graceful shutdown; the public server's functions.
//
// The mutex guards the state, the connection set and the waiters only: nothing that can run a
// user's code (cancelling a context, calling a waiter) is done while it is held.
//

#include "connection.hpp"
#include "server_impl.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace asioctx {
namespace http {
namespace detail {

server_impl::server_impl(net::any_io_executor ex, handler h, server_options options, const context& parent)
    : ex_(std::move(ex)),
      handler_(std::move(h)),
      options_(std::move(options)),
      acceptor_(net::make_strand(ex_)),
      backoff_timer_(acceptor_.get_executor()),
      grace_timer_(acceptor_.get_executor()),
      close_timer_(acceptor_.get_executor()) {
  std::tie(root_, root_cancel_) = with_cancel_cause(parent);
  std::tie(cut_, cut_cancel_) = with_cancel(background());
}

void server_impl::listen(const tcp::endpoint& ep) {
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(net::socket_base::max_listen_connections);
  acceptor_.non_blocking(true);  // for accept_backlog's synchronous accepts; async ones wait anyway
  endpoint_ = acceptor_.local_endpoint();
}

void server_impl::start() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != state::created) return;
    state_ = state::accepting;
    accept_pending_ = true;
  }
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void server_impl::do_accept() {
  acceptor_.async_accept(net::make_strand(ex_), [self = shared_from_this()](error_code ec, tcp::socket s) {
    if (!self->acceptor_.is_open()) return self->accept_ended();
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      self->backoff_timer_.expires_after(std::chrono::milliseconds(50));
      self->backoff_timer_.async_wait([self](error_code) {
        if (self->acceptor_.is_open())
          self->do_accept();
        else
          self->accept_ended();
      });
      return;
    }
    self->start_connection(std::move(s));
    self->accept_backlog();
    self->do_accept();
  });
}

// Takes the connections already waiting in the listen backlog, up to a bound, before waiting
// again: one asynchronous accept per connection would let a saturated thread accept one per
// pass through its whole queue, and a client connected meanwhile would wait that long for its
// first answer (the kernel completed its handshake, so its request is already sent).
void server_impl::accept_backlog() {
  error_code ec;  // the acceptor is non-blocking (listen() made it so): no accept here waits
  for (int i = 0; !ec && i < accept_batch; ++i) {
    tcp::socket s(net::make_strand(ex_));
    acceptor_.accept(s, ec);  // would_block once the backlog is empty; other errors: the async
    if (!ec) start_connection(std::move(s));  // accept that follows meets them and backs off
  }
}

void server_impl::start_connection(tcp::socket socket) {
  metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
  auto c = std::make_shared<connection>(shared_from_this(), std::move(socket));
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace(c.get(), c);
    stopping = state_ != state::accepting;
  }
  c->start();
  if (stopping) c->begin_shutdown();  // accepted just before the acceptor closed
}

void server_impl::accept_ended() {
  bool finished_now = false;
  std::vector<shutdown_waiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accept_pending_ = false;
    waiters = take_waiters_if_finished(finished_now);
  }
  run_waiters(std::move(waiters), finished_now);
}

void server_impl::connection_closed(connection* c) {
  bool finished_now = false;
  std::vector<shutdown_waiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(c);
    waiters = take_waiters_if_finished(finished_now);
  }
  run_waiters(std::move(waiters), finished_now);
}

std::vector<std::shared_ptr<connection>> server_impl::live_connections() {
  std::vector<std::shared_ptr<connection>> out;
  std::lock_guard<std::mutex> lock(mutex_);
  out.reserve(connections_.size());
  for (auto& [p, weak] : connections_)
    if (auto c = weak.lock()) out.push_back(std::move(c));
  return out;
}

std::vector<shutdown_waiter> server_impl::take_waiters_if_finished(bool& finished_now) {
  if (state_ == state::stopping && !accept_pending_ && connections_.empty()) {
    state_ = state::finished;
    finished_now = true;
  }
  if (state_ != state::finished) return {};
  return std::move(waiters_);
}

void server_impl::run_waiters(std::vector<shutdown_waiter> waiters, bool finished_now) {
  if (finished_now) {
    // Nothing is left to wait for: end what handlers abandoned at their deadline still hold,
    // and release the timers' references to this object.
    root_cancel_(make_error_code(error::shutting_down), shutdown_site_);
    cut_cancel_(shutdown_site_);
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      self->grace_timer_.cancel();
      self->close_timer_.cancel();
    });
  }
  for (auto& w : waiters) w.complete();
}

void server_impl::shutdown(std::chrono::steady_clock::duration grace, shutdown_waiter done,
                           const source_location& where) {
  bool first = false, finished_now = false;
  std::vector<shutdown_waiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done) waiters_.push_back(std::move(done));
    if (state_ == state::created || state_ == state::accepting) {
      first = true;
      state_ = state::stopping;
      shutdown_site_ = where;  // read after this lock, by the grace timer and the last waiter
    }
    waiters = take_waiters_if_finished(finished_now);
  }
  if (first) {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this(), grace] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_timer_.cancel();
      self->grace_timer_.expires_after(grace);
      self->grace_timer_.async_wait([self](error_code ec) {
        if (!ec) self->grace_over();
      });
    });
    for (auto& c : live_connections()) c->begin_shutdown();
  }
  run_waiters(std::move(waiters), finished_now);
}

void server_impl::grace_over() {
  // In-flight requests are cancelled and answered; a response already being written gets the
  // close period to finish, then every write and linger is cut.
  root_cancel_(make_error_code(error::shutting_down), shutdown_site_);
  const auto close = options_.shutdown_close_timeout;
  if (close <= std::chrono::milliseconds::zero()) {
    cut_cancel_(shutdown_site_);
    return;
  }
  close_timer_.expires_after(close);
  close_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->cut_cancel_(self->shutdown_site_);
  });
}

}  // namespace detail

server::server(boost::asio::any_io_executor ex, handler h, server_options options, const context& parent,
               const source_location& where)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(h), std::move(options), parent)),
      created_(where) {}

server::~server() { impl_->shutdown(std::chrono::steady_clock::duration::zero(), {}, created_); }

void server::listen(const boost::asio::ip::tcp::endpoint& ep) { impl_->listen(ep); }

boost::asio::ip::tcp::endpoint server::local_endpoint() const { return impl_->endpoint_; }

void server::start() { impl_->start(); }

void server::shutdown_impl(const std::shared_ptr<detail::server_impl>& impl,
                           std::chrono::steady_clock::duration grace, detail::shutdown_waiter done,
                           const source_location& where) {
  impl->shutdown(grace, std::move(done), where);
}

const metrics& server::get_metrics() const noexcept { return impl_->metrics_; }

boost::asio::any_io_executor server::get_executor() const noexcept { return impl_->ex_; }

}  // namespace http
}  // namespace asioctx
