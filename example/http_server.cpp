// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// An HTTP server whose every handler runs under its own context (asioctx::http::server).
//
//   http_server [--port N] [--address A] [--handler-timeout MS] [--shutdown-grace MS]
//               [--threads N] [--upstream HOST:PORT] [--proxy-client pool|fetch]
//
// Prints "listening on ADDR:PORT" first; SIGINT/SIGTERM shut it down gracefully (exit 0).
//   GET /sleep?ms=N            waits N ms on a timer bound to the request context: "slept N"
//   GET /echo-timeout          the handler's remaining budget in whole ms, or "none"
//   GET /proxy?ms=N            the upstream's /sleep?ms=N, called under the request context on a
//                              pooled connection (asioctx::http::client_pool; with
//                              --proxy-client fetch, http::async_fetch: a connection per request)
//   GET /proxy-echo-timeout    the upstream's /echo-timeout, likewise
//   GET /metrics               Prometheus text
#include <asioctx/bind.hpp>
#include <asioctx/http.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using namespace std::chrono_literals;

namespace {

struct settings {
  std::string address = "127.0.0.1";
  unsigned short port = 0;
  long handler_timeout_ms = 30000;
  long shutdown_grace_ms = 5000;
  int threads = 1;
  std::string upstream_host, upstream_port;
  bool pooled = true;  // --proxy-client pool (default) or fetch (a connection per request)
};

std::atomic<std::uint64_t> sleeps_started{0};
std::atomic<std::uint64_t> sleeps_canceled{0};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "http_server: " << why
            << "\nusage: http_server [--port N] [--address A] [--handler-timeout MS] [--shutdown-grace MS]"
               " [--threads N] [--upstream HOST:PORT] [--proxy-client pool|fetch]\n";
  std::exit(2);
}

long to_number(std::string_view s, const char* flag) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) usage(std::string("bad value for ") + flag);
  return v;
}

settings parse_args(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string_view {
      if (i + 1 >= argc) usage(std::string("missing value for ") + argv[i]);
      return argv[++i];
    };
    if (a == "--port") {
      s.port = static_cast<unsigned short>(to_number(next(), "--port"));
    } else if (a == "--address") {
      s.address = next();
    } else if (a == "--handler-timeout") {
      s.handler_timeout_ms = to_number(next(), "--handler-timeout");
    } else if (a == "--shutdown-grace") {
      s.shutdown_grace_ms = to_number(next(), "--shutdown-grace");
    } else if (a == "--threads") {
      s.threads = static_cast<int>(to_number(next(), "--threads"));
      if (s.threads < 1) usage("--threads must be at least 1");
    } else if (a == "--proxy-client") {
      std::string_view c = next();
      if (c != "pool" && c != "fetch") usage("--proxy-client wants pool or fetch");
      s.pooled = c == "pool";
    } else if (a == "--upstream") {
      std::string_view u = next();
      auto colon = u.rfind(':');
      if (colon == std::string_view::npos) usage("--upstream wants HOST:PORT");
      s.upstream_host = u.substr(0, colon);
      s.upstream_port = u.substr(colon + 1);
    } else {
      usage("unknown argument " + std::string(a));
    }
  }
  return s;
}

// The value of `name` in the target's query string.
std::optional<long> query_number(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      std::string_view v = pair.substr(name.size() + 1);
      long n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc() && p == v.data() + v.size() && n >= 0) return n;
      return std::nullopt;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

ahttp::response text(const ahttp::request& req, bhttp::status status, std::string body) {
  ahttp::response res(status, req.version());
  res.set(bhttp::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

net::awaitable<ahttp::response> handle(const settings& s, const ahttp::server* srv, ahttp::client_pool* pool,
                                       asioctx::context ctx, ahttp::request req) {
  const std::string target(req.target());
  const std::string_view path = std::string_view(target).substr(0, target.find('?'));
  if (req.method() != bhttp::verb::get) co_return text(req, bhttp::status::method_not_allowed, "GET only\n");

  if (path == "/sleep") {
    auto ms = query_number(target, "ms");
    if (!ms) co_return text(req, bhttp::status::bad_request, "want /sleep?ms=N\n");
    sleeps_started.fetch_add(1, std::memory_order_relaxed);
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(*ms));
    try {
      co_await timer.async_wait(asioctx::bind(ctx, net::use_awaitable));
    } catch (const boost::system::system_error&) {
      sleeps_canceled.fetch_add(1, std::memory_order_relaxed);
      // Who ended it: the deadline's setter, the disconnect, or the shutdown call (cancel_site).
      std::clog << "sleep canceled: " << asioctx::cause(ctx).message() << " (" << asioctx::cancel_site(ctx)
                << ")\n";
      throw;
    }
    co_return text(req, bhttp::status::ok, "slept " + std::to_string(*ms));
  }
  if (path == "/echo-timeout") {
    auto d = ctx.deadline();
    if (!d) co_return text(req, bhttp::status::ok, "none");
    auto left = ahttp::remaining(*d, asioctx::clock::now());
    co_return text(req, bhttp::status::ok,
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
  }
  if (path == "/proxy" || path == "/proxy-echo-timeout") {
    if (s.upstream_host.empty()) co_return text(req, bhttp::status::not_found, "no --upstream\n");
    std::string upstream_target = "/echo-timeout";
    if (path == "/proxy") {
      auto ms = query_number(target, "ms");
      if (!ms) co_return text(req, bhttp::status::bad_request, "want /proxy?ms=N\n");
      upstream_target = "/sleep?ms=" + std::to_string(*ms);
    }
    ahttp::request out(bhttp::verb::get, upstream_target, 11);
    // On a pooled connection; the request context's remaining budget travels as grpc-timeout.
    // If the context is done, the upstream exchange is aborted (its connection closed, never
    // pooled again) and this throws; the server answers for the handler.
    constexpr auto tuple = net::as_tuple(net::use_awaitable);
    std::tuple<asioctx::error_code, ahttp::response> result;
    if (s.pooled)
      result = co_await pool->async_fetch(ctx, s.upstream_host, s.upstream_port, std::move(out), {}, tuple);
    else
      result = co_await ahttp::async_fetch(ctx, s.upstream_host, s.upstream_port, std::move(out), {}, tuple);
    auto& [ec, res] = result;
    if (ec == asioctx::error::deadline_exceeded && ahttp::is_deadline_answer(res)) {
      // The upstream's deadline passed before ours: pass its answer on as our deadline answer.
      auto answer = text(req, bhttp::status::gateway_timeout, "upstream deadline exceeded\n");
      answer.set("x-asioctx-deadline-exceeded", "1");
      co_return answer;
    }
    if (ec) throw boost::system::system_error(ec);
    ahttp::response mine(res.result(), req.version());
    mine.set(bhttp::field::content_type, "text/plain");
    mine.body() = std::move(res.body());
    co_return mine;
  }
  if (path == "/metrics") {
    std::string body = srv->get_metrics().to_prometheus();
    ahttp::write_metric(body, "asioctx_example_sleeps_started_total", "counter", "Sleeps started.",
                        static_cast<std::int64_t>(sleeps_started.load()));
    ahttp::write_metric(body, "asioctx_example_sleeps_canceled_total", "counter",
                        "Sleeps cut short by their request context.",
                        static_cast<std::int64_t>(sleeps_canceled.load()));
    const ahttp::client_pool_metrics& pm = pool->get_metrics();
    ahttp::write_metric(body, "asioctx_example_upstream_connections_total", "counter",
                        "Connections the pooled client opened to the upstream.",
                        static_cast<std::int64_t>(pm.connections_total.load()));
    ahttp::write_metric(body, "asioctx_example_upstream_reused_total", "counter",
                        "Upstream requests sent on a pooled connection.",
                        static_cast<std::int64_t>(pm.reused_total.load()));
    auto res = text(req, bhttp::status::ok, std::move(body));
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4");
    co_return res;
  }
  co_return text(req, bhttp::status::not_found, "not found\n");
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse_args(argc, argv);
  net::io_context io(s.threads);

  // Keeps connections to the upstream between requests (one strand of io owns it).
  ahttp::client_pool pool(io.get_executor());
  ahttp::server_options options;
  options.handler_timeout = std::chrono::milliseconds(s.handler_timeout_ms);
  ahttp::server* self = nullptr;
  ahttp::server server(
      io.get_executor(),
      [&s, &self, &pool](asioctx::context ctx, ahttp::request req) {
        return handle(s, self, &pool, std::move(ctx), std::move(req));
      },
      options);
  self = &server;
  try {
    server.listen({net::ip::make_address(s.address), s.port});
  } catch (const std::exception& e) {
    std::cerr << "http_server: cannot listen on " << s.address << ":" << s.port << ": " << e.what() << '\n';
    return 1;
  }
  server.start();
  const auto ep = server.local_endpoint();
  std::cout << "listening on " << ep.address().to_string() << ":" << ep.port() << std::endl;

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](asioctx::error_code ec, int) {
    if (ec) return;
    std::cerr << "http_server: shutting down\n";
    // Once everything is closed (the pool's idle connections too) nothing is left to run, and
    // run() returns.
    server.async_shutdown(std::chrono::milliseconds(s.shutdown_grace_ms), [&pool] { pool.close(); });
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < s.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  std::cerr << "http_server: stopped\n";
  return 0;
}
