// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The server's answers to a caller that speaks Connect: its unary error format for the
// deadline, a spent budget, the shutdown and a failed handler (the marker header kept), and 400
// invalid_argument for a malformed connect-timeout-ms, as connect-es answers. Plain requests
// keep the plain answers, and a malformed value stays counted and ignored for them.
#include "test_support.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace http_test;

namespace {

// /slow waits 20 s on a timer bound to the request; /fail throws; anything else answers at once.
ahttp::handler connect_handler(probe& p) {
  return [&p](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    p.record_start(ctx);
    if (req.target() == "/fail") throw std::runtime_error("boom");
    if (req.target() == "/slow") {
      net::steady_timer t(co_await net::this_coro::executor, 20s);
      co_await t.async_wait(asioctx::bind(ctx, net::use_awaitable));
    }
    ahttp::response res(bhttp::status::ok, req.version());
    res.set(bhttp::field::content_type, "application/json");
    res.body() = "{}";
    co_return res;
  };
}

// A Connect unary call as connect-es sends it, with extra header lines.
std::string connect_call(const std::string& target, std::initializer_list<std::string> more = {}) {
  std::string r = "POST " + target +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Connect-Protocol-Version: 1\r\nContent-Length: 2\r\n";
  for (const auto& h : more) r += h + "\r\n";
  return r + "\r\n{}";
}

bool is_connect_error(const ahttp::response& r, unsigned status, const std::string& code) {
  return r.result_int() == status && r[bhttp::field::content_type] == "application/json" &&
         r.body().rfind("{\"code\":\"" + code + "\",\"message\":\"", 0) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_server_connect)

BOOST_AUTO_TEST_CASE(deadline_is_connects_deadline_exceeded) {
  probe p;
  running_server srv(connect_handler(p));
  raw_client c(srv.endpoint());
  c.send(connect_call("/slow", {"connect-timeout-ms: 100"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_connect_error(*r, 504, "deadline_exceeded"));  // not a bare 504 (unavailable to it)
  BOOST_TEST((*r)["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST(r->keep_alive());
  // The same for a spent budget, without the handler.
  const int started = p.started;
  c.send(connect_call("/slow", {"connect-timeout-ms: 0"}));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_connect_error(*r, 504, "deadline_exceeded"));
  BOOST_TEST((*r)["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST(p.started == started);
  // A plain caller still gets the plain answer.
  c.send(get("/slow", {"grpc-timeout: 50m"}));
  r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 504);
  BOOST_TEST((*r)[bhttp::field::content_type] == "text/plain");
  BOOST_TEST(srv.stats().deadline_exceeded_total == 3u);
}

BOOST_AUTO_TEST_CASE(malformed_connect_timeout_is_invalid_argument_for_connect_only) {
  probe p;
  running_server srv(connect_handler(p));
  raw_client c(srv.endpoint());
  const char* bad[] = {"-1", "abc", "12345678901", "1.5", "", "+150", "150 ms", "1e3"};
  for (const char* value : bad) {
    BOOST_TEST_CONTEXT("connect-timeout-ms: '" << value << "'") {
      c.send(connect_call("/hello", {std::string("connect-timeout-ms: ") + value}));
      auto r = c.read();
      BOOST_REQUIRE(r);
      BOOST_TEST(is_connect_error(*r, 400, "invalid_argument"));
      BOOST_TEST(r->count("x-asioctx-deadline-exceeded") == 0u);
    }
  }
  BOOST_TEST(p.started == 0);  // answered before any handler
  BOOST_TEST(srv.stats().malformed_timeout_headers_total == 8u);
  // DESIGN for others: counted and ignored, the server's own timeout stands.
  c.send(get("/hello", {"connect-timeout-ms: 1e3"}));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST(p.started == 1);
  BOOST_TEST(srv.stats().malformed_timeout_headers_total == 9u);
}

BOOST_AUTO_TEST_CASE(no_budget_header_means_the_servers_own_timeout) {
  probe p;
  ahttp::server_options o;
  o.handler_timeout = 80ms;
  running_server srv(connect_handler(p), o);
  raw_client c(srv.endpoint());
  c.send(connect_call("/slow"));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_connect_error(*r, 504, "deadline_exceeded"));
}

BOOST_AUTO_TEST_CASE(failed_handler_and_shutdown_in_connects_format) {
  probe p;
  running_server srv(connect_handler(p));
  raw_client c(srv.endpoint());
  c.send(connect_call("/fail"));
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_connect_error(*r, 500, "internal"));
  BOOST_TEST(srv.stats().handler_errors_total == 1u);

  raw_client busy(srv.endpoint());
  busy.send(connect_call("/slow"));
  BOOST_REQUIRE(wait_until([&] { return p.started == 2; }));
  auto done = srv.begin_shutdown(50ms);
  r = busy.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(is_connect_error(*r, 503, "unavailable"));
  BOOST_TEST(!r->keep_alive());
  BOOST_TEST((done.wait_for(10s) == std::future_status::ready));
}

BOOST_AUTO_TEST_CASE(a_connect_stream_gets_its_end_of_stream_message) {
  probe p;
  running_server srv(connect_handler(p));
  raw_client c(srv.endpoint());
  c.send(
      "POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/connect+json\r\n"
      "connect-timeout-ms: 50\r\nContent-Length: 0\r\n\r\n");
  auto r = c.read();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->result_int() == 200);
  BOOST_TEST((*r)[bhttp::field::content_type] == "application/connect+json");
  BOOST_TEST((*r)["x-asioctx-deadline-exceeded"] == "1");
  BOOST_REQUIRE(r->body().size() > 5u);
  BOOST_TEST(int(r->body()[0]) == 2);
  BOOST_TEST(r->body().find(R"({"error":{"code":"deadline_exceeded")") == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
