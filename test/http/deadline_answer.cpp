// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The client side of deadline interop: a callee's deadline answer (our marker, Connect's
// deadline_exceeded, grpc-status 4) completes async_fetch, async_send and the pooled client with
// asioctx::error::deadline_exceeded, unless raw answers are asked for; the connect-timeout-ms
// the client sends is capped at 2^31 - 1 ms.
#include "scripted_server.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>

using namespace http_test;

namespace {

ahttp::response make(unsigned status, std::initializer_list<std::pair<std::string, std::string>> fields,
                     std::string body = "") {
  ahttp::response res(static_cast<bhttp::status>(status), 11);
  for (const auto& [name, value] : fields) res.set(name, value);
  res.body() = std::move(body);
  return res;
}

const std::string connect_deadline =
    R"({"code": "deadline_exceeded", "message": "the handler ran out of time"})";

// Answers each target as a peer of that kind would at its deadline.
action deadline_answers(int, int, const ahttp::request& req) {
  const std::string t(req.target());
  auto answer = [](std::string head, const std::string& body) {
    return action{head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body};
  };
  if (t == "/marker")
    return answer(
        "HTTP/1.1 504 Gateway Timeout\r\nx-asioctx-deadline-exceeded: 1\r\nContent-Type: text/plain\r\n",
        "deadline exceeded\n");
  if (t == "/connect")
    return answer("HTTP/1.1 504 Gateway Timeout\r\nContent-Type: application/json\r\n", connect_deadline);
  if (t == "/grpc") return answer("HTTP/1.1 200 OK\r\ngrpc-status: 4\r\ngrpc-message: deadline\r\n", "");
  if (t == "/plain-504")
    return answer("HTTP/1.1 504 Gateway Timeout\r\nContent-Type: text/plain\r\n", "upstream");
  return answer("HTTP/1.1 200 OK\r\n", "ok");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_client_deadline_answer)

BOOST_AUTO_TEST_CASE(recognised_forms) {
  BOOST_TEST(ahttp::is_deadline_answer(make(504, {{"x-asioctx-deadline-exceeded", "1"}})));
  BOOST_TEST(ahttp::is_deadline_answer(make(408, {{"x-asioctx-deadline-exceeded", "1"}})));  // any status
  BOOST_TEST(ahttp::is_deadline_answer(make(200, {{"grpc-status", "4"}})));
  BOOST_TEST(ahttp::is_deadline_answer(make(504, {{"Content-Type", "application/json"}}, connect_deadline)));
  BOOST_TEST(ahttp::is_deadline_answer(
      make(504, {{"Content-Type", "Application/JSON; charset=utf-8"}}, R"({"code":"deadline_exceeded"})")));
  BOOST_TEST(
      ahttp::is_deadline_answer(make(408, {{"Content-Type", "application/json"}},
                                     "{\n  \"message\": \"m\",\n  \"code\" :\t\"deadline_exceeded\"\n}")));
  // Not deadline answers: a plain 504, other codes, a success body, a non-JSON type, a quoted mention.
  BOOST_TEST(!ahttp::is_deadline_answer(make(504, {{"Content-Type", "text/plain"}}, "deadline_exceeded")));
  BOOST_TEST(!ahttp::is_deadline_answer(make(504, {{"x-asioctx-deadline-exceeded", "0"}})));
  BOOST_TEST(!ahttp::is_deadline_answer(make(200, {{"grpc-status", "14"}})));
  BOOST_TEST(!ahttp::is_deadline_answer(
      make(503, {{"Content-Type", "application/json"}}, R"({"code":"unavailable"})")));
  BOOST_TEST(!ahttp::is_deadline_answer(make(200, {{"Content-Type", "application/json"}}, connect_deadline)));
  BOOST_TEST(
      !ahttp::is_deadline_answer(make(504, {{"Content-Type", "application/jsonx"}}, connect_deadline)));
  BOOST_TEST(
      !ahttp::is_deadline_answer(make(504, {{"Content-Type", "application/json"}},
                                      R"({"code":"internal","message":"\"code\":\"deadline_exceeded\""})")));
}

// async_fetch: each form completes with deadline_exceeded and the callee's answer as the response
// (the cause: the callee answered); raw_deadline_answers gives it as a response; a plain 504 is
// a response.
BOOST_AUTO_TEST_CASE(async_fetch_completes_with_deadline_exceeded) {
  scripted_server srv(deadline_answers);
  for (bool raw : {false, true}) {
    for (std::string t : {"/marker", "/connect", "/grpc", "/plain-504", "/"}) {
      net::io_context io;
      ahttp::client_options o;
      o.raw_deadline_answers = raw;
      auto [ec, res] = run_fetch(io, [&](auto handler) {
        ahttp::async_fetch(asioctx::background(), "127.0.0.1", srv.port(),
                           ahttp::request(bhttp::verb::get, t, 11), o,
                           net::bind_executor(io.get_executor(), std::move(handler)));
      });
      const bool deadline = t == "/marker" || t == "/connect" || t == "/grpc";
      BOOST_TEST((ec == (deadline && !raw ? asioctx::error_code(asioctx::error::deadline_exceeded)
                                          : asioctx::error_code())),
                 t << " raw " << raw);
      BOOST_TEST(ahttp::is_deadline_answer(res) == deadline, t);  // the answer itself is kept
    }
  }
}

// The same through async_send, the pooled client, and co_await (which throws it); the pooled
// connection stays usable after a deadline answer.
BOOST_AUTO_TEST_CASE(async_send_and_pool_complete_with_deadline_exceeded) {
  scripted_server srv(deadline_answers);
  net::io_context io;
  tcp::socket socket(io);
  socket.connect({net::ip::address_v4::loopback(), static_cast<unsigned short>(std::stoi(srv.port()))});
  boost::beast::flat_buffer buffer;
  auto [ec, res] = run_fetch(io, [&](auto handler) {
    ahttp::async_send(asioctx::background(), socket, buffer, ahttp::request(bhttp::verb::get, "/connect", 11),
                      {}, std::move(handler));
  });
  BOOST_TEST((ec == asioctx::error::deadline_exceeded));
  BOOST_TEST(socket.is_open());  // a whole answer: the connection is fine

  ahttp::client_pool pool(io.get_executor());
  for (std::string t : {"/grpc", "/marker"}) {
    auto [pec, pres] = run_fetch(io, [&](auto handler) {
      pool.async_fetch(asioctx::background(), "127.0.0.1", srv.port(),
                       ahttp::request(bhttp::verb::get, t, 11), {}, std::move(handler));
    });
    BOOST_TEST((pec == asioctx::error::deadline_exceeded), t);
  }
  BOOST_TEST(pool.get_metrics().connections_total == 1u);

  std::optional<asioctx::error_code> thrown;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        co_await pool.async_fetch(asioctx::background(), "127.0.0.1", srv.port(),
                                  ahttp::request(bhttp::verb::get, "/marker", 11));
      },
      [&](std::exception_ptr e) {
        try {
          if (e) std::rethrow_exception(e);
          thrown.emplace();
        } catch (const boost::system::system_error& err) {
          thrown = err.code();
        }
      });
  BOOST_REQUIRE(asioctx_test::run_until(io, [&] { return thrown.has_value(); }));
  BOOST_TEST((*thrown == asioctx::error::deadline_exceeded));
  pool.close();
}

// Our own server's deadline answer, end to end: the callee's handler timeout passes first.
BOOST_AUTO_TEST_CASE(our_servers_deadline_answer) {
  ahttp::server_options so;
  so.handler_timeout = 100ms;
  running_server srv(
      [](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
        net::steady_timer timer(co_await net::this_coro::executor, 20s);
        co_await timer.async_wait(asioctx::bind(ctx, net::use_awaitable));
        co_return ahttp::response(bhttp::status::ok, req.version());
      },
      so);
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 10s);
  auto [ec, res] = run_fetch(io, [&](auto handler) {
    ahttp::async_fetch(ctx, "127.0.0.1", std::to_string(srv.port()),
                       ahttp::request(bhttp::verb::get, "/", 11), {},
                       net::bind_executor(io.get_executor(), std::move(handler)));
  });
  BOOST_TEST((ec == asioctx::error::deadline_exceeded));
  BOOST_TEST(!ctx.err());  // not the caller's deadline: the callee's, whose answer is the response
  BOOST_TEST(res.result_int() == 504u);
}

// connect-timeout-ms: at most 2^31 - 1 ms goes out (connect-es overflows a longer timer).
BOOST_AUTO_TEST_CASE(connect_timeout_capped_at_int32_max_ms) {
  auto [long_ctx, c1] = asioctx::with_timeout(asioctx::background(), std::chrono::hours(24 * 30));
  ahttp::request req(bhttp::verb::get, "/", 11);
  BOOST_TEST(ahttp::set_budget_header(req, long_ctx, ahttp::budget_format::connect_timeout_ms));
  BOOST_TEST(req["connect-timeout-ms"] == "2147483647");
  auto [short_ctx, c2] = asioctx::with_timeout(asioctx::background(), std::chrono::hours(24 * 24));
  BOOST_TEST(ahttp::set_budget_header(req, short_ctx, ahttp::budget_format::connect_timeout_ms));
  const long long ms = std::stoll(std::string(req["connect-timeout-ms"]));
  BOOST_TEST(ms <= 24LL * 24 * 3600 * 1000);
  BOOST_TEST(ms > 24LL * 24 * 3600 * 1000 - 60'000);
}

BOOST_AUTO_TEST_SUITE_END()
