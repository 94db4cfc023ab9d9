// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A TCP client with a per-request deadline, against a server that answers its second request too
// late; both run in this process, on 127.0.0.1, on one io_context.
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <tuple>
#include <utility>

namespace net = boost::asio;
using namespace std::chrono_literals;
using net::ip::tcp;

// Answers the n-th line with "pong n"; the second answer comes two seconds late.
net::awaitable<void> serve(tcp::acceptor acceptor) {
  tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
  std::string buffer;
  for (int n = 1;; ++n) {
    std::size_t len =
        co_await net::async_read_until(socket, net::dynamic_buffer(buffer), '\n', net::use_awaitable);
    buffer.erase(0, len);
    if (n == 2) {
      net::steady_timer slow(socket.get_executor(), 2s);
      co_await slow.async_wait(net::use_awaitable);
    }
    std::string reply = "pong " + std::to_string(n) + "\n";
    co_await net::async_write(socket, net::buffer(reply), net::use_awaitable);
  }
}

//[timeout_read_request
struct response {
  asioctx::error_code ec;
  std::string line;
};

// One exchange under its own 200ms deadline, derived from the caller's context as in Go. The
// write and the read share the deadline, so a slow write leaves less time for the reply.
net::awaitable<response> request(asioctx::context parent, tcp::socket& socket, std::string& buffer,
                                 std::string line) {
  auto [ctx, cancel] = asioctx::with_timeout(parent, 200ms);
  // as_tuple: a missed deadline is an expected outcome here, not an exception.
  auto token = asioctx::bind(ctx, net::as_tuple(net::use_awaitable));
  auto [ec, n] = co_await net::async_write(socket, net::buffer(line), token);
  if (!ec) std::tie(ec, n) = co_await net::async_read_until(socket, net::dynamic_buffer(buffer), '\n', token);
  cancel();  // Go's `defer cancel()`: release the deadline now, not 200ms from now
  if (ec) co_return response{ec, {}};
  response r{{}, buffer.substr(0, n - 1)};
  buffer.erase(0, n);
  co_return r;
}
//]

// Returns whether request 1 got its reply and request 2 missed its deadline.
net::awaitable<bool> client(asioctx::context app, tcp::endpoint server) {
  tcp::socket socket(co_await net::this_coro::executor);
  co_await socket.async_connect(server, net::use_awaitable);
  std::string buffer;
  bool as_expected = true;
  for (int i = 1; i <= 2; ++i) {
    auto [ec, reply] = co_await request(app, socket, buffer, "ping " + std::to_string(i) + "\n");
    std::cout << "request " << i << ": " << (ec ? ec.message() : "reply \"" + reply + "\"") << '\n';
    as_expected &= i == 1 ? !ec && reply == "pong 1" : ec == asioctx::error::deadline_exceeded;
    // A timed-out read leaves the stream out of step with its requests (the late reply would be
    // taken for the next one's), so the connection cannot be reused.
    if (ec) break;
  }
  co_return as_expected;
}

int main() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  tcp::endpoint server = acceptor.local_endpoint();

  // Everything in the process lives under app. Stopping it cancels whatever the server coroutine
  // is waiting for (its two-second sleep), so io.run() returns as soon as the client is done.
  auto [app, stop] = asioctx::with_cancel(asioctx::background());
  net::co_spawn(io, serve(std::move(acceptor)), asioctx::bind(app, net::detached));

  bool ok = false;
  net::co_spawn(io, client(app, server), [&, stop = stop](std::exception_ptr e, bool as_expected) {
    ok = !e && as_expected;
    stop();
  });
  io.run();
  return ok ? 0 : 1;
}
