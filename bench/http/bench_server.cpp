// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The server bench/http/run.sh measures: asioctx::http::server with the routes of the Go
// counterpart (bench/http/go). Built twice: http_bench_server on the library, and
// http_bench_server_bare, whose dispatch runs handlers without request contexts (to measure what
// they cost; see bench/http/dispatch_bare.cpp).
//
//   http_bench_server[_bare] [--port N] [--threads N] [--handler-timeout MS]
//
// Prints "listening on ADDR:PORT"; SIGINT/SIGTERM shut it down (grace 5 s).
//   GET /sleep?ms=N          a timer of N ms bound to the request context: "slept N"
//   GET /echo-timeout        the remaining budget in whole ms, or "none"
#include <asioctx/bind.hpp>
#include <asioctx/http.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;

namespace {

ahttp::response plain(const ahttp::request& req, bhttp::status s, std::string body) {
  ahttp::response res(s, req.version());
  res.set(bhttp::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

net::awaitable<ahttp::response> route(asioctx::context ctx, ahttp::request req) {
  const std::string_view target(req.target().data(), req.target().size());
  if (target == "/echo-timeout") {
    const auto d = ctx.deadline();
    if (!d) co_return plain(req, bhttp::status::ok, "none");
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(ahttp::remaining(*d, asioctx::clock::now()));
    co_return plain(req, bhttp::status::ok, std::to_string(left.count()));
  }
  if (target.substr(0, 10) == "/sleep?ms=") {
    const long ms = std::strtol(std::string(target.substr(10)).c_str(), nullptr, 10);
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(ms));
    // Like the Go handler, it just returns when its context ends (no exception): the server
    // answers for it with the deadline status.
    auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    if (ec) co_return plain(req, bhttp::status::gateway_timeout, "");
    co_return plain(req, bhttp::status::ok, "slept " + std::to_string(ms));
  }
  co_return plain(req, bhttp::status::not_found, "not found\n");
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  int threads = 1;
  ahttp::server_options options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--port" && has_value) {
      port = static_cast<unsigned short>(std::atoi(argv[++i]));
    } else if (a == "--threads" && has_value) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--handler-timeout" && has_value) {
      options.handler_timeout = std::chrono::milliseconds(std::atol(argv[++i]));
    } else {
      std::cerr << "usage: http_bench_server [--port N] [--threads N] [--handler-timeout MS]"
                   "\n";
      return 2;
    }
  }
  net::io_context io(threads);
  ahttp::server server(io.get_executor(), route, options);
  server.listen({net::ip::make_address("127.0.0.1"), port});
  server.start();
  std::cout << "listening on " << server.local_endpoint() << std::endl;
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { server.async_shutdown(std::chrono::seconds(5), [] {}); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}
