// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// request_scope and async_serve over TLS: a server loop of one's own on
// boost::asio::ssl::stream<beast::tcp_stream>, called over loopback by a verifying TLS client.
#include <asioctx/http/request_scope.hpp>

#include "../unit/test_util.hpp"
#include "tls_certificate.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#ifdef BOOST_ASIO_SEPARATE_COMPILATION
// Asio's compiled SSL part: the asioctx library compiles only what it needs (no OpenSSL).
#include <boost/asio/ssl/impl/src.hpp>
#endif

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ahttp = asioctx::http;
using tcp = net::ip::tcp;
using tls_stream = ssl::stream<beast::tcp_stream>;
using namespace std::chrono_literals;

// "/slow" waits up to 20 s on a backend bound to the request; anything else answers at once.
net::awaitable<ahttp::response> handle(asioctx::context ctx, ahttp::request req) {
  if (req.target() == "/slow") {
    net::steady_timer backend(co_await net::this_coro::executor, 20s);
    co_await backend.async_wait(asioctx::bind(ctx, net::use_awaitable));
  }
  ahttp::response res(bhttp::status::ok, req.version());
  res.body() = "hello over tls";
  res.prepare_payload();
  co_return res;
}

// One connection of a server loop of one's own: handshake, then read, serve, write.
net::awaitable<void> session(tls_stream stream, asioctx::context root,
                             const ahttp::request_options& options) {
  auto [conn, end_conn] = asioctx::with_cancel_cause(root);
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    ahttp::request req;
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
    if (ec) break;
    ahttp::request_scope scope(conn, req, options);
    auto [serve_ec, res] =
        co_await ahttp::async_serve(stream, scope, std::move(req), handle, net::as_tuple(net::use_awaitable));
    if (serve_ec) break;
    const bool keep_alive = res.keep_alive();
    co_await bhttp::async_write(stream, res, net::use_awaitable);
    if (!keep_alive) break;
  }
  end_conn();
}

struct tls_fixture {
  net::io_context io;
  ssl::context server_tls{ssl::context::tls_server};
  ssl::context client_tls{ssl::context::tls_client};
  tcp::acceptor acceptor{io, {net::ip::address_v4::loopback(), 0}};
  ahttp::request_options options;

  tls_fixture() {
    server_tls.use_certificate_chain(
        net::buffer(http_test::tls_certificate, sizeof http_test::tls_certificate - 1));
    server_tls.use_private_key(net::buffer(http_test::tls_private_key, sizeof http_test::tls_private_key - 1),
                               ssl::context::pem);
    client_tls.add_certificate_authority(
        net::buffer(http_test::tls_certificate, sizeof http_test::tls_certificate - 1));
    client_tls.set_verify_mode(ssl::verify_peer);
    options.handler_timeout = 10s;
    net::co_spawn(io, accept_one(), net::detached);
  }

  net::awaitable<void> accept_one() {
    tcp::socket s = co_await acceptor.async_accept(net::make_strand(io), net::use_awaitable);
    co_await session(tls_stream(beast::tcp_stream(std::move(s)), server_tls), asioctx::background(), options);
  }

  // Sends each request on one verified TLS connection; the responses in order.
  std::vector<ahttp::response> call(std::vector<ahttp::request> requests) {
    std::vector<ahttp::response> out;
    bool done = false;
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          tls_stream stream(co_await net::this_coro::executor, client_tls);
          stream.set_verify_callback(ssl::host_name_verification("localhost"));
          co_await beast::get_lowest_layer(stream).async_connect(acceptor.local_endpoint(),
                                                                 net::use_awaitable);
          co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
          beast::flat_buffer buffer;
          for (auto& req : requests) {
            req.set(bhttp::field::host, "localhost");
            co_await bhttp::async_write(stream, req, net::use_awaitable);
            ahttp::response res;
            co_await bhttp::async_read(stream, buffer, res, net::use_awaitable);
            out.push_back(std::move(res));
          }
        },
        [&](std::exception_ptr e) {
          done = true;
          if (e) std::rethrow_exception(e);
        });
    BOOST_REQUIRE(asioctx_test::run_until(
        io, [&] { return done; }, 20s));
    return out;
  }
};

ahttp::request get(const char* target,
                   std::initializer_list<std::pair<const char*, const char*>> fields = {}) {
  ahttp::request req(bhttp::verb::get, target, 11);
  for (const auto& [name, value] : fields) req.set(name, value);
  return req;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(test_request_scope_tls, tls_fixture)

BOOST_AUTO_TEST_CASE(deadlines_over_tls) {
  const auto start = asioctx::clock::now();
  const auto res = call({
      get("/hello"), get("/slow", {{"grpc-timeout", "100m"}}),
      get("/slow", {{"Connect-Protocol-Version", "1"}, {"connect-timeout-ms", "100"}}),
      get("/slow", {{"Connect-Protocol-Version", "1"}, {"connect-timeout-ms", "-1"}}),
      get("/hello", {{"x-envoy-expected-rq-timeout-ms", "0"}}),
      get("/hello"),  // the connection still serves after every answer made for a handler
  });
  BOOST_REQUIRE(res.size() == 6u);
  BOOST_TEST(res[0].result_int() == 200u);
  BOOST_TEST(res[0].body() == "hello over tls");
  BOOST_TEST(res[1].result_int() == 504u);
  BOOST_TEST(res[1]["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST(res[1].body() == "deadline exceeded\n");
  BOOST_TEST(res[2].result_int() == 504u);
  BOOST_TEST(res[2][bhttp::field::content_type] == "application/json");
  BOOST_TEST(res[2].body().find(R"({"code":"deadline_exceeded")") == 0u);
  BOOST_TEST(res[3].result_int() == 400u);
  BOOST_TEST(res[3].body().find(R"({"code":"invalid_argument")") == 0u);
  BOOST_TEST(res[4].result_int() == 504u);
  BOOST_TEST(res[4]["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST(res[5].result_int() == 200u);
  // The two deadlines of 100 ms were kept, not the 10 s handler timeout.
  BOOST_TEST((asioctx::clock::now() - start < 8s));
}

BOOST_AUTO_TEST_SUITE_END()
