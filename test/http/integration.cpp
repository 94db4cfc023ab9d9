// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Loopback tests of asioctx/http/server.hpp and client.hpp with real sockets.
#include "test_support.hpp"

#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <poll.h>

using namespace http_test;

namespace {

long query_ms(const ahttp::request& req) {
  std::string t(req.target());
  auto p = t.find("ms=");
  return p == std::string::npos ? 0 : std::stol(t.substr(p + 3));
}

ahttp::response text(const ahttp::request& req, std::string body) {
  ahttp::response res(bhttp::status::ok, req.version());
  res.body() = std::move(body);
  return res;
}

// /sleep?ms=N: a timer bound to the request context. /echo: the budget left, in ms.
// /big?kb=N: N KiB of body. /stubborn?ms=N: swallows its context's cancellation and keeps waiting (unbound).
ahttp::handler test_handler(probe& p) {
  return [&p](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    p.record_start(ctx);
    const std::string target(req.target());
    if (target.rfind("/big", 0) == 0) {
      const auto kb = static_cast<std::size_t>(std::stol(target.substr(target.find("kb=") + 3)));
      co_return text(req, std::string(kb * 1024, 'x'));
    }
    if (target.rfind("/echo", 0) == 0) {
      auto d = ctx.deadline();
      co_return text(req, d ? std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 ahttp::remaining(*d, asioctx::clock::now()))
                                                 .count())
                            : "none");
    }
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(query_ms(req)));
    auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    if (ec) {
      p.record_cause(ctx);
      if (target.rfind("/stubborn", 0) != 0) throw boost::system::system_error(ec);
      timer.expires_after(std::chrono::milliseconds(query_ms(req)));
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      co_return text(req, "late");
    }
    p.finished.fetch_add(1);
    co_return text(req, "slept " + std::to_string(query_ms(req)));
  };
}

ahttp::server_options with_timeout(std::chrono::milliseconds t) {
  ahttp::server_options o;
  o.handler_timeout = t;
  return o;
}

bool is_deadline_answer(const ahttp::response& r) {
  return r.result_int() == 504 && r["x-asioctx-deadline-exceeded"] == "1";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_server)

BOOST_AUTO_TEST_CASE(handler_answers_and_keep_alive_works) {
  probe p;
  running_server srv(test_handler(p));
  raw_client c(srv.endpoint());
  for (int i = 0; i < 3; ++i) {
    c.send(get("/sleep?ms=1"));
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200);
    BOOST_TEST(r->body() == "slept 1");
    BOOST_TEST(r->keep_alive());
  }
  BOOST_TEST(srv.stats().requests_total == 3u);
  BOOST_TEST(srv.stats().connections_total == 1u);
}

// As Go's server does: when the handler returns, its context is cancelled, so work it started
// under that context and left running ends too; a request whose handler kept nothing is simply
// released.
BOOST_AUTO_TEST_CASE(work_left_running_ends_when_the_handler_returns) {
  std::atomic<int> ended{0};
  std::atomic<bool> canceled{true};
  auto h = [&](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    if (req.target() == "/leave-work") {
      // Detached work that holds the request's context and waits for it to end.
      asioctx::async_wait(ctx,
                          net::bind_executor(co_await net::this_coro::executor, [&](asioctx::error_code ec) {
                            if (ec != asioctx::error::canceled) canceled = false;
                            ++ended;
                          }));
    }
    co_return ahttp::response(bhttp::status::ok, req.version());
  };
  running_server srv(h);
  raw_client c(srv.endpoint());
  for (int i = 0; i < 3; ++i) {
    c.send(get(i == 1 ? "/plain" : "/leave-work"));
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200);
  }
  BOOST_TEST(wait_until([&] { return ended.load() == 2; }));
  BOOST_TEST(canceled.load());
}

BOOST_AUTO_TEST_CASE(deadline_from_server_timeout) {
  probe p;
  running_server srv(test_handler(p), with_timeout(100ms));
  raw_client c(srv.endpoint());
  const auto start = asioctx::clock::now();
  c.send(get("/sleep?ms=20000"));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_deadline_answer(*r));
  BOOST_TEST((asioctx::clock::now() - start < 5s));
  BOOST_TEST(wait_until([&] { return p.finished == 1; }));
  BOOST_TEST((p.get_cause() == asioctx::error::deadline_exceeded));
  BOOST_TEST(srv.stats().deadline_exceeded_total == 1u);
  // The connection stays usable.
  c.send(get("/echo"));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST(std::stol(r->body()) <= 100);
}

BOOST_AUTO_TEST_CASE(deadline_from_each_header) {
  probe p;
  running_server srv(test_handler(p), with_timeout(30s));
  for (std::string header :
       {"grpc-timeout: 150m", "x-envoy-expected-rq-timeout-ms: 150", "GRPC-Timeout: 150000u"}) {
    BOOST_TEST_CONTEXT(header) {
      raw_client c(srv.endpoint());
      c.send(get("/echo", {header}));
      auto r = c.read();
      BOOST_REQUIRE(r);
      const long left = std::stol(r->body());
      BOOST_TEST(left <= 150);
      BOOST_TEST(left > 50);
      c.send(get("/sleep?ms=20000", {header}));
      r = c.read();
      BOOST_REQUIRE(r);
      BOOST_TEST(is_deadline_answer(*r));
    }
  }
  BOOST_TEST(srv.stats().deadline_exceeded_total == 3u);
  BOOST_TEST(srv.stats().malformed_timeout_headers_total == 0u);
}

BOOST_AUTO_TEST_CASE(smaller_of_server_timeout_and_budget) {
  probe p;
  running_server srv(test_handler(p), with_timeout(200ms));
  raw_client c(srv.endpoint());
  c.send(get("/echo", {"grpc-timeout: 5S"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(std::stol(r->body()) <= 200);
  // Both headers: the smaller wins.
  c.send(get("/echo", {"grpc-timeout: 5S", "x-envoy-expected-rq-timeout-ms: 80"}));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(std::stol(r->body()) <= 80);
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_counted_never_400) {
  probe p;
  running_server srv(test_handler(p), with_timeout(30s));
  raw_client c(srv.endpoint());
  c.send(get("/echo",
             {"grpc-timeout: 1.5S", "grpc-timeout: 123456789m", "x-envoy-expected-rq-timeout-ms: 10ms"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST(std::stol(r->body()) > 20000);  // the server's 30 s
  BOOST_TEST(srv.stats().malformed_timeout_headers_total == 3u);
  // A malformed value next to a valid one: the valid one counts.
  c.send(get("/echo", {"grpc-timeout: x", "grpc-timeout: 100m"}));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(std::stol(r->body()) <= 100);
  BOOST_TEST(srv.stats().malformed_timeout_headers_total == 4u);
}

BOOST_AUTO_TEST_CASE(spent_budget_answered_without_the_handler) {
  probe p;
  running_server srv(test_handler(p));
  raw_client c(srv.endpoint());
  for (std::string header : {"grpc-timeout: 0m", "x-envoy-expected-rq-timeout-ms: 0", "grpc-timeout: 0H"}) {
    c.send(get("/sleep?ms=1", {header}));
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(is_deadline_answer(*r));
  }
  BOOST_TEST(p.started == 0);
  BOOST_TEST(srv.stats().deadline_exceeded_total == 3u);
}

BOOST_AUTO_TEST_CASE(handler_ignoring_its_context_still_gets_one_answer) {
  probe p;
  ahttp::server_options o = with_timeout(50ms);
  o.deadline_status = 503;
  o.deadline_header = "x-budget";
  running_server srv(test_handler(p), o);
  raw_client c(srv.endpoint());
  c.send(get("/stubborn?ms=300") + get("/echo"));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 503);
  BOOST_TEST((*r)["x-budget"] == "1");
  r = c.read();  // the next answer is the pipelined /echo, not the stubborn handler's "late"
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST(r->body() != "late");
  BOOST_TEST(wait_until([&] { return srv.stats().inflight_requests == 0; }));
}

BOOST_AUTO_TEST_CASE(client_fin_cancels_the_request) {
  probe p;
  running_server srv(test_handler(p));
  raw_client c(srv.endpoint());
  c.send(get("/sleep?ms=20000"));
  BOOST_REQUIRE(wait_until([&] { return p.started == 1; }));
  c.shutdown_send();
  BOOST_TEST(wait_until([&] { return p.finished == 1; }));
  BOOST_TEST((p.get_cause() == ahttp::error::client_disconnected));
  BOOST_TEST(srv.stats().client_disconnects_total == 1u);
  BOOST_TEST(c.wait_closed());  // no answer, the connection is closed
  BOOST_TEST(
      wait_until([&] { return srv.stats().inflight_requests == 0 && srv.stats().open_connections == 0; }));
}

BOOST_AUTO_TEST_CASE(client_reset_cancels_the_request) {
  probe p;
  running_server srv(test_handler(p));
  {
    raw_client c(srv.endpoint());
    c.send(get("/sleep?ms=20000"));
    BOOST_REQUIRE(wait_until([&] { return p.started == 1; }));
    c.reset();
  }
  BOOST_TEST(wait_until([&] { return p.finished == 1; }));
  BOOST_TEST((p.get_cause() == ahttp::error::client_disconnected));
  BOOST_TEST(srv.stats().client_disconnects_total == 1u);
  BOOST_TEST(wait_until([&] { return srv.stats().open_connections == 0; }));
}

BOOST_AUTO_TEST_CASE(pipelined_requests_answered_in_order) {
  probe p;
  running_server srv(test_handler(p));
  raw_client c(srv.endpoint());
  // One write: the second and third requests arrive while the first handler runs.
  c.send(get("/sleep?ms=100") + get("/sleep?ms=1") + get("/echo"));
  auto r1 = c.read();
  auto r2 = c.read();
  auto r3 = c.read();
  BOOST_REQUIRE(r1);
  BOOST_REQUIRE(r2);
  BOOST_REQUIRE(r3);
  BOOST_TEST(r1->body() == "slept 100");
  BOOST_TEST(r2->body() == "slept 1");
  BOOST_TEST(r3->result_int() == 200);
  BOOST_TEST(srv.stats().client_disconnects_total == 0u);
  BOOST_TEST(p.finished == 2);
  BOOST_TEST(!p.get_cause());
}

BOOST_AUTO_TEST_CASE(connection_close_is_honoured) {
  probe p;
  running_server srv(test_handler(p));
  raw_client c(srv.endpoint());
  c.send(get("/sleep?ms=1", {"Connection: close"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body() == "slept 1");
  BOOST_TEST(!r->keep_alive());
  BOOST_TEST(c.wait_closed());
}

BOOST_AUTO_TEST_CASE(size_limits) {
  probe p;
  ahttp::server_options o;
  o.header_limit = 1024;
  o.body_limit = 16;
  running_server srv(test_handler(p), o);
  {
    raw_client c(srv.endpoint());
    c.send(get("/echo", {"x-big: " + std::string(2000, 'a')}));
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 431);
    BOOST_TEST(c.wait_closed());
  }
  {
    raw_client c(srv.endpoint());
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 413);
  }
  {
    raw_client c(srv.endpoint());
    c.send("NOT HTTP AT ALL\r\n\r\n");
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 400);
  }
  BOOST_TEST(p.started == 0);
  BOOST_TEST(srv.stats().bad_requests_total == 3u);
}

BOOST_AUTO_TEST_CASE(slow_client_is_cut) {
  probe p;
  ahttp::server_options o;
  o.request_read_timeout = 100ms;
  o.idle_timeout = 200ms;
  running_server srv(test_handler(p), o);
  raw_client slow(srv.endpoint());
  slow.send("GET /echo HTTP/1.1\r\nHost: x\r\n");  // never finished
  raw_client idle(srv.endpoint());
  BOOST_TEST(slow.wait_closed(5s));
  BOOST_TEST(idle.wait_closed(5s));
  BOOST_TEST(srv.stats().io_timeouts_total == 1u);
  BOOST_TEST(p.started == 0);
}

// request_read_timeout bounds the whole request from its first byte, body included: a client
// that sends its headers at once and then trickles the body is cut like one trickling headers.
BOOST_AUTO_TEST_CASE(slow_body_is_cut) {
  probe p;
  ahttp::server_options o;
  o.request_read_timeout = 300ms;  // idle_timeout stays at its minute
  running_server srv(test_handler(p), o);
  raw_client slow(srv.endpoint());
  slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  tcp::socket& s = slow.socket();
  s.non_blocking(true);
  bool closed = false;
  const auto until = asioctx::clock::now() + 10s;
  while (!closed && asioctx::clock::now() < until) {
    asioctx::error_code ec;
    s.write_some(net::buffer("b", 1), ec);           // one byte of the body
    if (ec && ec != net::error::would_block) break;  // the server has closed
    // The client's own pace, a byte every 200 ms; a close shows up as readable.
    pollfd fd{s.native_handle(), POLLIN, 0};
    if (::poll(&fd, 1, 200) > 0) {
      char c;
      s.read_some(net::buffer(&c, 1), ec);
      closed = ec && ec != net::error::would_block;
    }
  }
  s.non_blocking(false);
  BOOST_TEST(closed);
  BOOST_TEST(srv.stats().io_timeouts_total == 1u);
  BOOST_TEST(p.started == 0);
}

// max() of a duration option means no limit: requests are answered and the connection stays
// open for the next one (max() + now once overflowed into a deadline in the past).
BOOST_AUTO_TEST_CASE(max_durations_mean_no_limit) {
  constexpr auto forever = std::chrono::milliseconds::max();
  for (int which = 0; which < 4; ++which) {
    BOOST_TEST_CONTEXT("option " << which) {
      ahttp::server_options o;
      if (which == 0) o.idle_timeout = forever;
      if (which == 1) o.request_read_timeout = forever;
      if (which == 2) o.write_timeout = forever;
      if (which == 3) o.handler_timeout = forever;
      probe p;
      running_server srv(test_handler(p), o);
      raw_client c(srv.endpoint());
      bool answered = true;
      for (int i = 0; i < 2 && answered; ++i) {
        c.send(get("/sleep?ms=20"));
        auto r = c.read(5s);
        answered = r.has_value();
        BOOST_TEST(answered);
        if (!answered) break;
        BOOST_TEST(r->result_int() == 200);
        BOOST_TEST(r->body() == "slept 20");
        BOOST_TEST(r->keep_alive());
      }
      // A request in two writes (the request phase's deadline), answered with more than the
      // socket's buffer holds (the write's deadline).
      if (!answered) continue;
      c.send("GET /big?kb=4096 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n");
      c.send("ok");
      auto r = c.read(10s);
      BOOST_REQUIRE(r);
      BOOST_TEST(r->result_int() == 200);
      BOOST_TEST(r->body().size() == 4096u * 1024);
      BOOST_TEST(srv.stats().io_timeouts_total == 0u);
      BOOST_TEST(srv.stats().deadline_exceeded_total == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(metrics_text_names_every_metric) {
  probe p;
  running_server srv(test_handler(p));
  const std::string text = srv.stats().to_prometheus();
  for (const char* name :
       {"asioctx_http_requests_total", "asioctx_http_deadline_exceeded_total",
        "asioctx_http_client_disconnects_total", "asioctx_http_malformed_timeout_headers_total",
        "asioctx_http_inflight_requests"}) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(text.find(std::string("# TYPE ") + name) != std::string::npos);
      BOOST_TEST(text.find(std::string("\n") + name + " 0\n") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(test_shutdown)

BOOST_AUTO_TEST_CASE(in_flight_finishes_within_grace) {
  probe p;
  running_server srv(test_handler(p));
  raw_client busy(srv.endpoint());
  raw_client idle(srv.endpoint());
  busy.send(get("/sleep?ms=300"));
  BOOST_REQUIRE(wait_until([&] { return p.started == 1; }));
  BOOST_REQUIRE(wait_until([&] { return srv.stats().open_connections == 2; }));
  auto done = srv.begin_shutdown(10s);
  BOOST_TEST(idle.wait_closed(5s));  // idle connections are closed at once
  auto r = busy.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST(r->body() == "slept 300");
  BOOST_TEST(!r->keep_alive());
  BOOST_TEST(busy.wait_closed());
  BOOST_TEST((done.wait_for(5s) == std::future_status::ready));
  BOOST_TEST(srv.stats().shutdown_canceled_total == 0u);
  asioctx::error_code ec;
  net::io_context io;
  tcp::socket s(io);
  s.connect(srv.endpoint(), ec);
  BOOST_TEST(!!ec);  // no longer accepting
}

BOOST_AUTO_TEST_CASE(grace_runs_out) {
  probe p;
  running_server srv(test_handler(p));
  raw_client busy(srv.endpoint());
  busy.send(get("/sleep?ms=20000"));
  BOOST_REQUIRE(wait_until([&] { return p.started == 1; }));
  const auto start = asioctx::clock::now();
  auto done = srv.begin_shutdown(100ms);
  auto r = busy.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 503);
  BOOST_TEST(!r->keep_alive());
  BOOST_TEST((done.wait_for(5s) == std::future_status::ready));
  BOOST_TEST((asioctx::clock::now() - start < 5s));
  BOOST_TEST((p.get_cause() == ahttp::error::shutting_down));
  BOOST_TEST(srv.stats().shutdown_canceled_total == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(test_client)

namespace {

// Runs a coroutine on io until it finishes (bounded); returns its exception, if any.
template <class F>
std::exception_ptr run_client(F f, std::chrono::milliseconds timeout = 10s) {
  net::io_context io;
  std::optional<std::exception_ptr> out;
  net::co_spawn(io, f(), [&](std::exception_ptr e) { out = e; });
  io.run_for(timeout);
  BOOST_REQUIRE(out.has_value());
  return *out;
}

asioctx::error_code code_of(std::exception_ptr e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const boost::system::system_error& err) {
    return err.code();
  }
  return {};
}

// /proxy?ms=N and /proxy-echo call the upstream's /sleep and /echo under the request context.
ahttp::handler proxy_handler(unsigned short upstream) {
  return [upstream](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    const std::string target(req.target());
    ahttp::request out(bhttp::verb::get, target.rfind("/proxy-echo", 0) == 0 ? "/echo" : target.substr(6),
                       11);
    co_return co_await ahttp::async_fetch(ctx, "127.0.0.1", std::to_string(upstream), std::move(out));
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(spent_budget_fails_without_connecting) {
  probe p;
  running_server srv(test_handler(p));
  auto [dead, cancel] = asioctx::with_timeout(asioctx::background(), -1ms);
  auto e = run_client([&, ctx = dead]() -> net::awaitable<void> {
    co_await ahttp::async_fetch(ctx, "127.0.0.1", std::to_string(srv.port()),
                                ahttp::request(bhttp::verb::get, "/echo", 11));
  });
  BOOST_TEST((code_of(e) == asioctx::error::deadline_exceeded));
  auto [canceled, cancel2] = asioctx::with_cancel(asioctx::background());
  cancel2();
  e = run_client([&, ctx = canceled]() -> net::awaitable<void> {
    co_await ahttp::async_fetch(ctx, "127.0.0.1", std::to_string(srv.port()),
                                ahttp::request(bhttp::verb::get, "/echo", 11));
  });
  BOOST_TEST((code_of(e) == asioctx::error::canceled));
  BOOST_TEST(srv.stats().connections_total == 0u);
}

BOOST_AUTO_TEST_CASE(budget_travels_rounded_up) {
  ahttp::request req(bhttp::verb::get, "/", 11);
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1500ms);
  BOOST_TEST(ahttp::set_budget_header(req, ctx));
  auto budget = ahttp::parse_grpc_timeout(std::string(req["grpc-timeout"]));
  BOOST_REQUIRE(budget);
  BOOST_TEST(*budget <= std::chrono::nanoseconds(1500ms));
  BOOST_TEST(*budget > std::chrono::nanoseconds(1000ms));
  BOOST_TEST(req["grpc-timeout"].size() <= 9u);
  BOOST_TEST(ahttp::set_budget_header(req, asioctx::background()));
  BOOST_TEST((req.find("grpc-timeout") == req.end()));
}

BOOST_AUTO_TEST_CASE(context_done_aborts_and_closes) {
  probe p;
  running_server srv(test_handler(p));
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(srv.endpoint());
  boost::beast::flat_buffer buffer;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::optional<std::exception_ptr> out;
  net::co_spawn(
      io,
      [&, ctx = ctx]() -> net::awaitable<void> {
        co_await ahttp::async_send(ctx, socket, buffer,
                                   ahttp::request(bhttp::verb::get, "/sleep?ms=20000", 11));
      },
      [&](std::exception_ptr e) { out = e; });
  BOOST_REQUIRE(asioctx_test::run_until(io, [&] { return p.started == 1; }));
  cancel();
  BOOST_REQUIRE(asioctx_test::run_until(io, [&] { return out.has_value(); }));
  BOOST_TEST((code_of(*out) == asioctx::error::canceled));
  BOOST_TEST(!socket.is_open());  // never reused
  BOOST_TEST(wait_until([&] { return p.finished == 1; }));
  BOOST_TEST((p.get_cause() == ahttp::error::client_disconnected));
}

BOOST_AUTO_TEST_CASE(chained_servers_see_the_callers_budget) {
  probe up;
  running_server upstream(test_handler(up), with_timeout(30s));
  running_server front(proxy_handler(upstream.port()), with_timeout(30s));
  raw_client c(front.endpoint());
  c.send(get("/proxy-echo", {"grpc-timeout: 800m"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  const long left = std::stol(r->body());
  BOOST_TEST(left <= 800);
  BOOST_TEST(left > 300);
  // The caller's budget runs out: the front answers 504 and the upstream's work is cancelled.
  c.send(get("/proxy/sleep?ms=20000", {"grpc-timeout: 200m"}));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_deadline_answer(*r));
  BOOST_TEST(wait_until([&] { return up.finished == 1; }));
  BOOST_TEST(!!up.get_cause());
  BOOST_TEST(wait_until([&] { return upstream.stats().inflight_requests == 0; }));
}

BOOST_AUTO_TEST_CASE(chained_servers_cancel_when_the_caller_gives_up) {
  probe up;
  running_server upstream(test_handler(up), with_timeout(30s));
  running_server front(proxy_handler(upstream.port()), with_timeout(30s));
  {
    raw_client c(front.endpoint());
    c.send(get("/proxy/sleep?ms=20000"));
    BOOST_REQUIRE(wait_until([&] { return up.started == 1; }));
    c.close();
  }
  BOOST_TEST(wait_until([&] { return up.finished == 1; }));
  BOOST_TEST((up.get_cause() == ahttp::error::client_disconnected));
  BOOST_TEST(front.stats().client_disconnects_total == 1u);
  BOOST_TEST(upstream.stats().client_disconnects_total == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
