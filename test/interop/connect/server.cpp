// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// asioctx::http::server serving a Connect service for connect-es's client (client.mjs):
//   asioctx.interop.v1.SlowService/Fast  answers {} at once
//   asioctx.interop.v1.SlowService/Slow  waits 20 s on a timer bound to the request's context
// Unary calls, JSON or binary codec, google.protobuf.Empty in and out. Serves 127.0.0.1 on a free port,
// prints "listening on 127.0.0.1:PORT", and shuts down on SIGTERM or SIGINT.
//   interop_connect_server HANDLER_TIMEOUT_MS

#include <asioctx/bind.hpp>
#include <asioctx/http/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using namespace std::chrono_literals;

net::awaitable<ahttp::response> handle(asioctx::context ctx, ahttp::request req) {
  ahttp::response res(bhttp::status::ok, req.version());
  if (req.target() == "/asioctx.interop.v1.SlowService/Slow") {
    net::steady_timer backend(co_await net::this_coro::executor, 20s);
    co_await backend.async_wait(asioctx::bind(ctx, net::use_awaitable));
  } else if (req.target() != "/asioctx.interop.v1.SlowService/Fast") {
    res.result(bhttp::status::not_found);
    res.set(bhttp::field::content_type, "application/json");
    res.body() = R"({"code":"unimplemented","message":"no such method"})";
    co_return res;
  }
  // Empty in the caller's codec: "{}" in JSON, no bytes in the binary one.
  const bool binary = req[bhttp::field::content_type] == "application/proto";
  res.set(bhttp::field::content_type, binary ? "application/proto" : "application/json");
  res.body() = binary ? "" : "{}";
  co_return res;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: interop_connect_server HANDLER_TIMEOUT_MS\n";
    return 2;
  }
  net::io_context io(1);
  ahttp::server_options options;
  options.handler_timeout = std::chrono::milliseconds(std::stol(argv[1]));
  ahttp::server server(io.get_executor(), handle, options);
  server.listen({net::ip::address_v4::loopback(), 0});
  server.start();
  std::cout << "listening on 127.0.0.1:" << server.local_endpoint().port() << std::endl;
  net::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](asioctx::error_code, int) { server.async_shutdown(1s, [] {}); });
  io.run();
  return 0;
}
