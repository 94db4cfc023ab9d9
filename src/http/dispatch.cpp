// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/dispatch.cpp: one request's way through the server — budget, context, handler,
// response.
//
// The handler is awaited inline by the writer coroutine: no coroutine of its own, no post. If
// its context becomes done first (deadline, disconnect, end of the grace period), a takeover,
// registered with after_func, answers for it and starts a new writer on the connection; the old
// writer's coroutine is cancelled (so is what the handler awaits, bound or not), and when the
// handler finally returns it finds itself abandoned and ends without touching the connection.
//

#include "connection.hpp"
#include "message.hpp"
#include "sites.hpp"

#include <asioctx/after_func.hpp>
#include <asioctx/detail/chrono.hpp>
#include <asioctx/http/request_scope.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>

namespace asioctx {
namespace http {
namespace detail {

namespace {

// The server's settings, as a request scope reads them.
request_options request_options_of(const server_options& o) {
  request_options r;
  r.handler_timeout = asioctx::detail::saturating_cast<std::chrono::nanoseconds>(o.handler_timeout);
  r.deadline_status = o.deadline_status;
  r.deadline_header = o.deadline_header;
  r.shutdown_status = o.shutdown_status;
  return r;
}

}  // namespace

// A request's turn at the writer, shared by the writer coroutine and the takeover.
struct turn {
  // Set once, when the connection makes the turn: it is reused for each of its requests.
  turn(std::shared_ptr<server_impl> s, const net::strand<net::any_io_executor>& st)
      : srv(std::move(s)), strand(st), options(request_options_of(srv->options_)) {}

  std::shared_ptr<connection> conn;        // the writer's hold on the connection while the handler runs
  const std::shared_ptr<server_impl> srv;  // outlives the connection for an abandoned handler
  const net::strand<net::any_io_executor> strand;  // the connection's
  const request_options options;                   // the scope's answers refer to them
  std::optional<request_scope> scope;              // the request's context and answers
  std::shared_ptr<net::cancellation_signal> writer_signal;
  unsigned version = 11;
  bool keep_alive = false;
  stop_func watch;                    // the takeover's registration, once made
  std::atomic<bool> returned{false};  // the handler has returned (or thrown); read off the strand
  bool taken = false;                 // a takeover answered for it

  void reset() {
    scope.reset();
    watch = stop_func();
    returned.store(false, std::memory_order_relaxed);
    taken = false;
  }

  // The answer for a request whose context is done before its handler answered: the deadline
  // answer, nothing for a client that is gone, else the shutdown answer (the connection closes).
  std::optional<response> answer_for_done(connection& c) const {
    const context& rctx = scope->get_context();
    if (rctx.err() == asioctx::error::deadline_exceeded) {
      c.m_.deadline_exceeded_total.fetch_add(1, std::memory_order_relaxed);
      return scope->answer(answer_kind::deadline_exceeded);
    }
    const error_code why = cause(rctx);
    if (why == error::client_disconnected) return std::nullopt;  // counted where it was seen
    if (why == error::shutting_down) c.m_.shutdown_canceled_total.fetch_add(1, std::memory_order_relaxed);
    c.st_.on_shutdown_answer();
    return scope->answer(answer_kind::shutting_down);
  }
};

net::awaitable<std::optional<response>> connection::dispatch(request req, std::shared_ptr<connection>& self,
                                                             bool& abandoned) {
  m_.requests_total.fetch_add(1, std::memory_order_relaxed);
  st_.on_serving();
  const unsigned version = req.version();

  // The turn of the last request is reused unless an abandoned handler still holds it.
  std::shared_ptr<turn> t = std::move(spare_turn_);
  if (t && t.use_count() == 1)
    t->reset();
  else
    t = std::make_shared<turn>(srv_, strand_);
  // The request's context and answers: budget headers, deadline, the caller's protocol.
  t->scope.emplace(ctx_, req, t->options, site::handler_returned);
  if (const unsigned malformed = t->scope->budget().malformed)
    m_.malformed_timeout_headers_total.fetch_add(malformed, std::memory_order_relaxed);
  if (const std::optional<answer_kind> early = t->scope->early_answer()) {
    (*early == answer_kind::budget_spent ? m_.deadline_exceeded_total : m_.bad_requests_total)
        .fetch_add(1, std::memory_order_relaxed);
    response res = t->scope->answer(*early);
    t->scope.reset();
    spare_turn_ = std::move(t);
    co_return res;
  }
  t->version = version;
  t->keep_alive = req.keep_alive();
  if (t->writer_signal != writer_signal_) t->writer_signal = writer_signal_;  // new after a takeover
  t->conn = std::move(self);
  // Most handlers answer without suspending: the takeover is registered only once the strand
  // runs something else while this one is still out, so they never arm a deadline.
  // One reference to the turn travels with the check; the strand is the turn's own copy.
  if (io_ex_) {
    // Through the io_context's own queue (no strand lock); only a handler still out then
    // needs the strand.
    net::post(*io_ex_, [t]() mutable {
      if (t->returned.load(std::memory_order_acquire)) return;
      const auto& strand = t->strand;  // read before t moves into the function
      net::post(strand, [t = std::move(t)] { watch(t); });
    });
  } else {
    net::post(strand_, [t] { watch(t); });
  }

  metrics& m = t->srv->metrics_;  // not m_: *this may be gone once the handler returns
  m.inflight_requests.fetch_add(1, std::memory_order_relaxed);
  std::optional<response> res;
  bool failed = false;
  try {
    res = co_await t->srv->handler_(t->scope->get_context(), std::move(req));
  } catch (...) {
    failed = true;
  }
  m.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
  t->returned.store(true, std::memory_order_release);
  if (t->taken) {
    t->scope.reset();
    abandoned = true;
    co_return std::nullopt;
  }
  t->watch();  // before the scope ends, which would fire it
  t->watch = stop_func();
  self = std::move(t->conn);
  if (t->scope->get_context().done()) {
    res = t->answer_for_done(*this);
  } else if (failed) {
    m_.handler_errors_total.fetch_add(1, std::memory_order_relaxed);
    res = t->scope->answer(answer_kind::handler_failed);
  }
  t->scope.reset();  // as Go does when the handler returns, what it started under its context ends
  spare_turn_ = std::move(t);
  co_return res;
}

// On the connection's strand, after the handler has suspended: the takeover answers for it if
// its context ends first.
void connection::watch(const std::shared_ptr<turn>& t) {
  if (!t->returned) t->watch = after_func(t->scope->get_context(), t->strand, [t] { take_over(t); });
}

// Runs on the connection's strand once the request context is done, unless the handler returned
// first.
void connection::take_over(const std::shared_ptr<turn>& t) {
  if (t->returned || t->taken) return;
  t->taken = true;
  t->watch = stop_func();
  std::shared_ptr<connection> self = std::move(t->conn);
  t->writer_signal->emit(net::cancellation_type::terminal);
  std::optional<response> res = t->answer_for_done(*self);
  if (!res) return self->finish();
  res->version(t->version);
  res->keep_alive(self->keep_alive_after(*res, t->keep_alive));
  res->prepare_payload();
  spawn_writer(std::move(self), std::move(res));
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
