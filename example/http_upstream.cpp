// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tutorial step 6: an HTTP handler under a deadline that travels to the upstream it calls.
//
// Core library and Beast only. The asioctx HTTP module (include/asioctx/http/) does this for you
// (grpc-timeout, client disconnects, graceful shutdown); this is the mechanism underneath it.
//
// Three parties on 127.0.0.1, one io_context: a client; a front server whose handler has 200ms;
// an upstream that takes the remaining budget from x-envoy-expected-rq-timeout-ms and stops
// working once it is spent. /fast is answered at once, /slow would take five seconds.
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <tuple>
#include <utility>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;
using namespace std::chrono_literals;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

constexpr const char* budget_field = "x-envoy-expected-rq-timeout-ms";

response make_response(http::status status, std::string body) {
  response res(status, 11);
  res.body() = std::move(body);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

// What the upstream saw, checked by main.
struct upstream_log {
  bool budgets_within_front_deadline = true;
  asioctx::error_code slow_outcome;
};

// The upstream: its request context is the caller's budget. It is a child of background(), not of
// the server's context, so main can stop accepting without cutting the work in progress short.
net::awaitable<void> upstream_session(tcp::socket socket, upstream_log& log) {
  beast::flat_buffer buffer;
  request req;
  auto [ec, n] = co_await http::async_read(socket, buffer, req, net::as_tuple(net::use_awaitable));
  if (ec) co_return;
  long long budget_ms = -1;
  auto field = req[budget_field];
  std::from_chars(field.data(), field.data() + field.size(), budget_ms);
  log.budgets_within_front_deadline &= budget_ms >= 0 && budget_ms <= 200;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), std::chrono::milliseconds(budget_ms));

  response res = make_response(http::status::ok, "hello from upstream");
  if (req.target() == "/slow") {
    net::steady_timer work(socket.get_executor(), 5s);
    std::tie(ec) = co_await work.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    log.slow_outcome = ec;
    if (ec) res = make_response(http::status::gateway_timeout, ec.message());
  }
  co_await http::async_write(socket, res, net::as_tuple(net::use_awaitable));
}

//[http_upstream_handler
// The front's handler. Everything it does is bound to one 200ms deadline, and what is left of it
// goes out with the upstream request, so the upstream stops working for a caller that gave up.
net::awaitable<response> handle(asioctx::context server, const request& req, tcp::endpoint upstream) {
  auto [ctx, cancel] = asioctx::with_timeout(server, 200ms);
  auto token = asioctx::bind(ctx, net::as_tuple(net::use_awaitable));

  request out(http::verb::get, req.target(), 11);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*ctx.deadline() - asioctx::clock::now());
  out.set(budget_field, std::to_string(std::max<long long>(left.count(), 0)));  // rounded down

  tcp::socket socket(co_await net::this_coro::executor);
  beast::flat_buffer buffer;
  response res;
  auto [ec] = co_await socket.async_connect(upstream, token);
  if (!ec) std::tie(ec, std::ignore) = co_await http::async_write(socket, out, token);
  if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(socket, buffer, res, token);
  cancel();  // Go's `defer cancel()`

  // The upstream may give up first (its budget was rounded down) and say so with a 504.
  if (ec == asioctx::error::deadline_exceeded || (!ec && res.result() == http::status::gateway_timeout))
    co_return make_response(http::status::gateway_timeout, "deadline exceeded");
  if (ec) co_return make_response(http::status::bad_gateway, ec.message());
  co_return make_response(http::status::ok, res.body());
}
//]

net::awaitable<void> front_session(asioctx::context server, tcp::socket socket, tcp::endpoint upstream) {
  auto token = asioctx::bind(server, net::as_tuple(net::use_awaitable));
  beast::flat_buffer buffer;
  request req;
  auto [ec, n] = co_await http::async_read(socket, buffer, req, token);
  if (ec) co_return;
  response res = co_await handle(server, req, upstream);
  co_await http::async_write(socket, res, token);
}

// Accepts until the server's context is done; each connection runs `session`.
template <class Session>
net::awaitable<void> serve(asioctx::context server, tcp::acceptor acceptor, Session session) {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asioctx::bind(server, net::as_tuple(net::use_awaitable)));
    if (ec) co_return;
    net::co_spawn(acceptor.get_executor(), session(std::move(socket)), net::detached);
  }
}

net::awaitable<std::string> get(tcp::endpoint front, std::string target) {
  tcp::socket socket(co_await net::this_coro::executor);
  co_await socket.async_connect(front, net::use_awaitable);
  request req(http::verb::get, target, 11);
  co_await http::async_write(socket, req, net::use_awaitable);
  beast::flat_buffer buffer;
  response res;
  co_await http::async_read(socket, buffer, res, net::use_awaitable);
  co_return std::to_string(res.result_int()) + " " + res.body();
}

int main() {
  net::io_context io;
  auto loopback = tcp::endpoint(net::ip::address_v4::loopback(), 0);
  tcp::acceptor upstream_acceptor(io, loopback), front_acceptor(io, loopback);
  auto upstream = upstream_acceptor.local_endpoint(), front = front_acceptor.local_endpoint();

  auto [server, stop] = asioctx::with_cancel(asioctx::background());
  upstream_log log;
  net::co_spawn(io,
                serve(server, std::move(upstream_acceptor),
                      [&log](tcp::socket s) { return upstream_session(std::move(s), log); }),
                net::detached);
  net::co_spawn(io,
                serve(server, std::move(front_acceptor),
                      [server = server, upstream](tcp::socket s) {
                        return front_session(server, std::move(s), upstream);
                      }),
                net::detached);

  std::string fast, slow;
  auto client = [&]() -> net::awaitable<void> {
    fast = co_await get(front, "/fast");
    slow = co_await get(front, "/slow");
  };
  net::co_spawn(io, client(), [&, stop = stop](std::exception_ptr e) {
    stop();  // stop accepting; the upstream's /slow ends at its own deadline
    if (e) std::rethrow_exception(e);
  });
  io.run();

  std::cout << "GET /fast -> " << fast << '\n';
  std::cout << "GET /slow -> " << slow << '\n';
  std::cout << "upstream budgets within the front's 200ms: " << std::boolalpha
            << log.budgets_within_front_deadline << '\n';
  std::cout << "upstream /slow: " << log.slow_outcome.message() << '\n';
  bool ok = fast == "200 hello from upstream" && slow == "504 deadline exceeded" &&
            log.budgets_within_front_deadline && log.slow_outcome == asioctx::error::deadline_exceeded;
  if (!ok) return 1;
  std::cout << "the deadline reached the upstream\n";
}
