// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A loopback HTTP server whose every answer is raw bytes from a script, for the client tests:
// it can close a connection without answering, answer part of a response, or send what no
// well-behaved server would. Runs on its own thread.
#ifndef ASIOCTX_TEST_HTTP_SCRIPTED_SERVER_HPP
#define ASIOCTX_TEST_HTTP_SCRIPTED_SERVER_HPP

#include "test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>

namespace http_test {

// What the server does with one request: write `bytes` (if any), then close if `close`.
struct action {
  std::string bytes;
  bool close = false;
};

// A 200 response with a Content-Length, and extra header lines ("Name: value\r\n").
inline std::string ok_response(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

class scripted_server {
 public:
  // script(connection index, request index on that connection, request) -> action
  using script = std::function<action(int, int, const ahttp::request&)>;

  explicit scripted_server(script s)
      : script_(std::move(s)), acceptor_(io_, {net::ip::address_v4::loopback(), 0}) {
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, accept_loop(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~scripted_server() {
    io_.stop();
    thread_.join();
  }

  std::string port() const { return std::to_string(port_); }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  int ended() const { return ended_.load(); }  // connections the server saw end (either side)

 private:
  net::awaitable<void> accept_loop() {
    for (int n = 0;; ++n) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      accepted_.fetch_add(1);
      net::co_spawn(io_, session(std::move(socket), n), net::detached);
    }
  }

  net::awaitable<void> session(tcp::socket socket, int connection) {
    boost::beast::flat_buffer buffer;
    for (int i = 0;; ++i) {
      ahttp::request req;
      auto [ec, n] = co_await bhttp::async_read(socket, buffer, req, net::as_tuple(net::use_awaitable));
      if (ec) break;
      requests_.fetch_add(1);
      const action a = script_(connection, i, req);
      if (!a.bytes.empty()) {
        auto [wec, wn] =
            co_await net::async_write(socket, net::buffer(a.bytes), net::as_tuple(net::use_awaitable));
        if (wec) break;
      }
      if (a.close) break;
    }
    asioctx::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    ended_.fetch_add(1);
  }

  script script_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> accepted_{0}, requests_{0}, ended_{0};
  std::thread thread_;
};

// Runs one request through fetch(token) on io, bounded; returns the handler's arguments.
template <class Start>
std::pair<asioctx::error_code, ahttp::response> run_fetch(net::io_context& io, Start start,
                                                          std::chrono::milliseconds timeout = 10s) {
  std::optional<std::pair<asioctx::error_code, ahttp::response>> out;
  start([&](asioctx::error_code ec, ahttp::response res) { out.emplace(ec, std::move(res)); });
  BOOST_REQUIRE(asioctx_test::run_until(
      io, [&] { return out.has_value(); }, timeout));
  return std::move(*out);
}

}  // namespace http_test

#endif
