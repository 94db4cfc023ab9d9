// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/writer.cpp: the connection's write direction — serving the queue in order.
//

#include "connection.hpp"
#include "message.hpp"
#include "sites.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

#include <string_view>

namespace asioctx {
namespace http {
namespace detail {

namespace bhttp = boost::beast::http;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace

// Each writer coroutine has its own cancellation signal: a takeover emits it to cancel what the
// abandoned handler awaits, and starts the next writer with a new one.
void connection::spawn_writer(std::shared_ptr<connection> self, std::optional<response> first) {
  auto signal = std::make_shared<net::cancellation_signal>();
  self->writer_signal_ = signal;
  auto ex = self->socket_.get_executor();
  net::co_spawn(ex, write_loop(std::move(self), std::move(first)),
                net::bind_cancellation_slot(signal->slot(), [signal](std::exception_ptr) {}));
}

net::awaitable<void> connection::write_loop(std::shared_ptr<connection> self, std::optional<response> first) {
  connection* c = self.get();
  try {
    if (first) {
      if (!co_await c->write(*first) || !first->keep_alive()) co_return c->finish();
      c->st_.on_written(clock::now());
    }
    for (;;) {
      while (!c->st_.has_item()) {
        // Nothing left to answer and nothing more coming: the connection ends here.
        if (c->st_.nothing_more()) co_return c->finish();
        c->st_.on_writer_waiting();
        co_await c->writer_wake_.async_wait(net::use_awaitable);
      }
      work_item it = c->st_.take_item(clock::now());
      if (c->st_.resume_reading()) c->pause_signal_.emit(net::cancellation_type::terminal);

      if (it.kind == work_item::interim) {
        if (!co_await c->write_interim()) co_return c->finish();
        continue;
      }
      std::optional<response> res;
      if (it.kind == work_item::rejected) {
        res = status_response(it.status, 11, it.status == 501 ? "not implemented\n" : "bad request\n");
        res->keep_alive(false);
      } else {
        const unsigned version = it.req->version();
        const bool keep_alive = it.req->keep_alive();
        bool abandoned = false;
        res = co_await c->dispatch(std::move(*it.req), self, abandoned);
        if (abandoned) co_return;  // a takeover owns the connection now; *c may be gone
        if (!res) co_return c->finish();
        res->version(version);
        res->keep_alive(c->keep_alive_after(*res, keep_alive));
      }
      res->prepare_payload();
      if (!co_await c->write(*res) || !res->keep_alive()) co_return c->finish();
      c->st_.on_written(clock::now());
    }
  } catch (...) {
    // Only allocation failure gets here.
  }
  if (self) c->finish();
}

// Keep-alive needs the request to ask for it, the handler not to refuse it and the connection
// not to be ending; connection_state says whether the connection takes more requests.
bool connection::keep_alive_after(const response& res, bool request_keep_alive) const {
  return st_.keep_alive_after(request_keep_alive && !says_close(res) && !ctx_.done());
}

// A context below parent that ends after d, or only with parent when d sets no limit.
derived<cancel_func> connection::limited(const context& parent, std::chrono::milliseconds d) {
  if (const auto at = connection_state::after(clock::now(), d)) return with_deadline(parent, *at);
  return with_cancel(parent);
}

derived<cancel_func> connection::write_context() const { return limited(srv_->cut_, opts_.write_timeout); }

// Most responses fit the socket's buffer: they are written at once, and a context with the write
// timeout is made only for one that does not.
net::awaitable<bool> connection::write(response& res) {
  st_.on_writing();
  bhttp::response_serializer<bhttp::string_body> sr(res);
  error_code ec;
  while (!ec && !sr.is_done()) bhttp::write_some(socket_, sr, ec);
  if (ec == net::error::would_block || ec == net::error::try_again) {
    auto [wctx, wcancel] = write_context();
    auto [wec, n] = co_await bhttp::async_write(socket_, sr, asioctx::bind(wctx, use_tuple));
    if (wec == asioctx::error::deadline_exceeded)
      m_.io_timeouts_total.fetch_add(1, std::memory_order_relaxed);
    wcancel();
    ec = wec;
  }
  if (ec) abort();
  co_return !ec;
}

net::awaitable<bool> connection::write_interim() {
  static constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
  st_.on_writing();
  error_code ec;
  const std::size_t n = socket_.write_some(net::buffer(line.data(), line.size()), ec);
  if (!ec && n == line.size()) co_return true;
  if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return false;
  auto [wctx, wcancel] = write_context();
  auto [wec, m] = co_await net::async_write(socket_, net::buffer(line.data() + n, line.size() - n),
                                            asioctx::bind(wctx, use_tuple));
  wcancel();
  if (wec) abort();
  co_return !wec;
}

// A write cut short: the close resets the connection instead of queueing a FIN behind bytes the
// client may never read.
void connection::abort() {
  error_code ignored;
  socket_.set_option(net::socket_base::linger(true, 0), ignored);
}

// The writer is done: our FIN goes out, the reader is stopped (it lingers for the client's FIN).
void connection::finish() {
  if (!st_.on_writer_ended()) return;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  cancel_(error_code(), site::connection_ended);
  pause_signal_.emit(net::cancellation_type::terminal);
  maybe_close();
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
