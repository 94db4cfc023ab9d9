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

#include <asioctx/detail/access.hpp>
#include <asioctx/detail/chrono.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/http/timeout_header.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>

namespace asioctx {
namespace http {
namespace detail {

// A request's turn at the writer, shared by the writer coroutine and the takeover.
struct turn {
  // Set once, when the connection makes the turn: it is reused for each of its requests.
  turn(std::shared_ptr<server_impl> s, const net::strand<net::any_io_executor>& st)
      : srv(std::move(s)), strand(st) {}

  std::shared_ptr<connection> conn;        // the writer's hold on the connection while the handler runs
  const std::shared_ptr<server_impl> srv;  // outlives the connection for an abandoned handler
  const net::strand<net::any_io_executor> strand;  // the connection's
  context rctx;
  std::shared_ptr<net::cancellation_signal> writer_signal;
  unsigned version = 11;
  bool keep_alive = false;
  stop_func watch;                    // the takeover's registration, once made
  std::atomic<bool> returned{false};  // the handler has returned (or thrown); read off the strand
  bool taken = false;                 // a takeover answered for it

  void reset() {
    rctx = context();
    watch = stop_func();
    returned.store(false, std::memory_order_relaxed);
    taken = false;
  }
};

response connection::deadline_response(unsigned version) const {
  response res = status_response(opts_.deadline_status, version, "deadline exceeded\n");
  if (!opts_.deadline_header.empty()) res.set(opts_.deadline_header, "1");
  return res;
}

// The answer for a request whose context is done before its handler answered: the deadline
// status, nothing for a client that is gone, else the shutdown status (the connection closes).
std::optional<response> connection::answer_for_done(const context& rctx, unsigned version) {
  if (rctx.err() == asioctx::error::deadline_exceeded) {
    m_.deadline_exceeded_total.fetch_add(1, std::memory_order_relaxed);
    return deadline_response(version);
  }
  const error_code why = cause(rctx);
  if (why == error::client_disconnected) return std::nullopt;  // counted where it was seen
  if (why == error::shutting_down) m_.shutdown_canceled_total.fetch_add(1, std::memory_order_relaxed);
  st_.on_shutdown_answer();
  return status_response(opts_.shutdown_status, version, "server shutting down\n");
}

net::awaitable<std::optional<response>> connection::dispatch(request req, std::shared_ptr<connection>& self,
                                                             bool& abandoned) {
  m_.requests_total.fetch_add(1, std::memory_order_relaxed);
  st_.on_serving();
  const unsigned version = req.version();
  const std::optional<budget> budget = caller_budget(req, m_);
  if (budget && budget->left <= std::chrono::nanoseconds::zero()) {
    m_.deadline_exceeded_total.fetch_add(1, std::memory_order_relaxed);
    co_return deadline_response(version);
  }
  // The turn of the last request is reused unless an abandoned handler still holds it.
  std::shared_ptr<turn> t = std::move(spare_turn_);
  if (t && t.use_count() == 1)
    t->reset();
  else
    t = std::make_shared<turn>(srv_, strand_);
  t->version = version;
  t->keep_alive = req.keep_alive();
  if (t->writer_signal != writer_signal_) t->writer_signal = writer_signal_;  // new after a takeover
  cancel_func rcancel;
  bool rcancel_owned = false;  // rctx is this request's own node, held by t->rctx and rcancel
  const auto server_timeout =
      asioctx::detail::saturating_cast<std::chrono::nanoseconds>(opts_.handler_timeout);
  const std::optional<std::chrono::nanoseconds> left =
      budget ? std::optional<std::chrono::nanoseconds>(budget->left) : std::nullopt;
  if (const auto deadline = request_deadline(clock::now(), server_timeout, left)) {
    // cancel_site() names what set it: the caller's header, or the server's handler_timeout.
    const bool caller_set =
        budget && (server_timeout <= std::chrono::nanoseconds::zero() || budget->left < server_timeout);
    const source_location& where = caller_set ? *budget->site : site::handler_timeout;
    std::tie(t->rctx, rcancel) = with_deadline(ctx_, *deadline, where);  // armed by what waits on it
    rcancel_owned = true;
  } else
    t->rctx = ctx_;
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
    res = co_await t->srv->handler_(t->rctx, std::move(req));
  } catch (...) {
    failed = true;
  }
  m.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
  t->returned.store(true, std::memory_order_release);
  if (t->taken) {
    abandoned = true;
    co_return std::nullopt;
  }
  t->watch();  // before rcancel(), which would fire it
  t->watch = stop_func();
  const bool done = t->rctx.done();
  // As Go does when the handler returns, what it started under rctx ends too: rcancel(). When
  // only the turn and rcancel hold the request's context (the handler kept no copy, derived
  // nothing and left nothing bound), no one can see that cancel: letting both go is enough.
  const asioctx::detail::node* rnode = asioctx::detail::access::get(t->rctx);
  if (!done && rcancel_owned && rnode != nullptr && rnode->use_count() == 2) {
    t->rctx = context();
    rcancel = cancel_func();
  } else {
    rcancel();
  }
  self = std::move(t->conn);
  spare_turn_ = t;
  if (done) co_return answer_for_done(t->rctx, version);
  if (failed) {
    m_.handler_errors_total.fetch_add(1, std::memory_order_relaxed);
    co_return status_response(500, version, "internal server error\n");
  }
  co_return res;
}

// On the connection's strand, after the handler has suspended: the takeover answers for it if
// its context ends first.
void connection::watch(const std::shared_ptr<turn>& t) {
  if (!t->returned) t->watch = after_func(t->rctx, t->strand, [t] { take_over(t); });
}

// Runs on the connection's strand once the request context is done, unless the handler returned
// first.
void connection::take_over(const std::shared_ptr<turn>& t) {
  if (t->returned || t->taken) return;
  t->taken = true;
  t->watch = stop_func();
  std::shared_ptr<connection> self = std::move(t->conn);
  t->writer_signal->emit(net::cancellation_type::terminal);
  std::optional<response> res = self->answer_for_done(t->rctx, t->version);
  if (!res) return self->finish();
  res->version(t->version);
  res->keep_alive(self->keep_alive_after(*res, t->keep_alive));
  res->prepare_payload();
  spawn_writer(std::move(self), std::move(res));
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
