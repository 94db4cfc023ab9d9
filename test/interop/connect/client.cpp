// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// asioctx's client (async_fetch and client_pool, budget_format::connect_timeout_ms) calling a Connect
// server written with connect-es (server.mjs), unary JSON over HTTP/1.1 on loopback:
//   interop_connect_client PORT
// Prints a line per check and "connect interop passed"; exits 1 if any check failed.

#include <asioctx/error.hpp>
#include <asioctx/http/client.hpp>
#include <asioctx/http/client_pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using namespace std::chrono_literals;
using clock_type = asioctx::clock;

namespace {

bool failed = false;

void check(const std::string& what, bool ok, const std::string& detail = {}) {
  std::cout << (ok ? "ok" : "FAILED") << ": " << what << (detail.empty() ? "" : " (" + detail + ")")
            << std::endl;
  failed = failed || !ok;
}

std::string port;
std::optional<ahttp::client_pool> pool;

enum class via { fetch, pool };

struct outcome {
  asioctx::error_code ec;
  ahttp::response res;
  double ms = 0;
  std::string describe() const {
    const bool answered = res.begin() != res.end();  // a failure leaves the response empty
    return (ec ? ec.message() : "no error") +
           (answered ? ", HTTP " + std::to_string(res.result_int()) + " " + res.body() : ", no response") +
           ", " + std::to_string(static_cast<long>(ms)) + " ms";
  }
};

// POST /asioctx.interop.v1.WaitService/Wait, Connect unary with the JSON codec.
ahttp::request wait_request(int wait_ms, const char* timeout_header = nullptr) {
  ahttp::request req(bhttp::verb::post, "/asioctx.interop.v1.WaitService/Wait", 11);
  req.set(bhttp::field::content_type, "application/json");
  req.set("Connect-Protocol-Version", "1");
  if (timeout_header) req.set("connect-timeout-ms", timeout_header);
  req.body() = "{\"waitMs\":" + std::to_string(wait_ms) + "}";
  req.prepare_payload();
  return req;
}

net::awaitable<outcome> call(via v, asioctx::context ctx, ahttp::request req, ahttp::client_options options) {
  const auto start = clock_type::now();
  // No co_await inside ?: (g++ 12 destroys the temporaries of such an expression twice).
  std::tuple<asioctx::error_code, ahttp::response> result;
  if (v == via::fetch)
    result = co_await ahttp::async_fetch(ctx, "127.0.0.1", port, std::move(req), options,
                                         net::as_tuple(net::use_awaitable));
  else
    result = co_await pool->async_fetch(ctx, "127.0.0.1", port, std::move(req), options,
                                        net::as_tuple(net::use_awaitable));
  const auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
  co_return outcome{std::get<0>(result), std::move(std::get<1>(result)), ms};
}

// The string value of "name" in a flat JSON object, or "" if it is missing.
std::string json_string(const std::string& body, const std::string& name) {
  const auto key = "\"" + name + "\":\"";
  const auto at = body.find(key);
  if (at == std::string::npos) return {};
  const auto end = body.find('"', at + key.size());
  return end == std::string::npos ? std::string() : body.substr(at + key.size(), end - at - key.size());
}

// The connections the server has accepted so far (its GET /stats, on a connection of its own).
net::awaitable<long> server_connections() {
  auto [ec, res] = co_await ahttp::async_fetch(asioctx::background(), "127.0.0.1", port,
                                               ahttp::request(bhttp::verb::get, "/stats", 11), {},
                                               net::as_tuple(net::use_awaitable));
  const auto at = res.body().find("\"connections\":");
  co_return ec || at == std::string::npos ? -1 : std::stol(res.body().substr(at + 14));
}

bool is_deadline(const asioctx::error_code& ec) { return ec == asioctx::error::deadline_exceeded; }

net::awaitable<void> run_checks(via v) {
  ahttp::client_options connect_ms;
  connect_ms.budget_header = ahttp::budget_format::connect_timeout_ms;
  ahttp::client_options header_as_set;  // the request's own connect-timeout-ms, no timer of ours
  header_as_set.budget_header = ahttp::budget_format::none;

  {
    // (1) The header we send: the remaining budget in whole milliseconds, rounded up. Sent at
    // t_send, it is ceil((D - t_send) / 1 ms), so at least ceil((D - t_done) / 1 ms) and at most
    // 2001; truncating would send 2000 where rounding up sends 2001 (any send within 0.5 ms).
    const auto deadline = clock_type::now() + 2000ms + 500us;
    auto [ctx, cancel] = asioctx::with_deadline(asioctx::background(), deadline);
    const auto r = co_await call(v, ctx, wait_request(0), connect_ms);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    const auto header = json_string(r.res.body(), "timeoutHeader");
    check("a 2000.5 ms budget is answered", !r.ec && r.res.result() == bhttp::status::ok, r.describe());
    check("  ... connect-timeout-ms received, rounded up to whole ms",
          !header.empty() && header.size() <= 10 &&
              header.find_first_not_of("0123456789") == std::string::npos && std::stoll(header) <= 2001 &&
              std::stoll(header) >= left,
          "\"" + header + "\", at least " + std::to_string(left));
  }
  {
    // (2) Their deadline answer alone: the budget travels in the header, our context has none.
    const auto r = co_await call(v, asioctx::background(), wait_request(2000, "150"), header_as_set);
    check("their deadline answer (150 ms, 2 s wait) completes with error::deadline_exceeded",
          is_deadline(r.ec), r.describe());
    check("  ... with their answer as the response",
          r.res.result() == bhttp::status::gateway_timeout &&
              r.res.body().find("\"deadline_exceeded\"") != std::string::npos,
          r.describe());
    check("  ... after about 150 ms", r.ms >= 140 && r.ms < 1900, r.describe());
    auto raw = header_as_set;
    raw.raw_deadline_answers = true;
    const auto r2 = co_await call(v, asioctx::background(), wait_request(2000, "150"), raw);
    check("  ... raw_deadline_answers gives it as a response",
          !r2.ec && r2.res.result() == bhttp::status::gateway_timeout &&
              r2.res.body().find("\"deadline_exceeded\"") != std::string::npos,
          r2.describe());
  }
  {
    // (2) A shared budget that runs out mid-call: their answer or our own deadline, one outcome.
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 150ms);
    const auto r = co_await call(v, ctx, wait_request(2000), connect_ms);
    check("a 150 ms budget on a 2 s wait completes with error::deadline_exceeded", is_deadline(r.ec),
          r.describe() + (r.res.begin() != r.res.end() ? ", their answer first" : ", our deadline first"));
    check("  ... after about 150 ms", r.ms >= 140 && r.ms < 1900, r.describe());
  }
  {
    // (3) A budget spent on arrival fails at once, before any connection.
    const auto before = co_await server_connections();
    const auto opened = pool->get_metrics().connections_total.load();
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), -1ms);
    const auto r = co_await call(v, ctx, wait_request(0), connect_ms);
    const auto after = co_await server_connections();
    check("a spent budget completes with error::deadline_exceeded", is_deadline(r.ec), r.describe());
    check("  ... at once", r.ms < 1000, r.describe());
    check("  ... without a connection (the server's count grew only by our /stats query)",
          before >= 0 && after == before + 1 && pool->get_metrics().connections_total.load() == opened,
          std::to_string(before) + " -> " + std::to_string(after));
  }
  {
    // (4) The 24.8-day cap: a 30-day budget is sent as 2147483647, which connect-es accepts.
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), std::chrono::hours(24 * 30));
    const auto r = co_await call(v, ctx, wait_request(50), connect_ms);
    check("a 30-day budget with a 50 ms wait is answered", !r.ec && r.res.result() == bhttp::status::ok,
          r.describe());
    check("  ... connect-timeout-ms sent as 2147483647",
          json_string(r.res.body(), "timeoutHeader") == "2147483647", r.describe());
  }
}

net::awaitable<void> run_all() {
  pool.emplace(co_await net::this_coro::executor);
  for (const via v : {via::fetch, via::pool}) {
    std::cout << "--- " << (v == via::fetch ? "async_fetch" : "client_pool") << std::endl;
    co_await run_checks(v);
  }
  // What the cap avoids: the 30-day value itself makes connect-es (its timer overflows) answer at once.
  ahttp::client_options header_as_set;
  header_as_set.budget_header = ahttp::budget_format::none;
  const auto r =
      co_await call(via::fetch, asioctx::background(), wait_request(50, "2592000000"), header_as_set);
  check("control: connect-timeout-ms 2592000000 makes connect-es answer deadline_exceeded", is_deadline(r.ec),
        r.describe());
  pool->close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: interop_connect_client PORT\n";
    return 2;
  }
  port = argv[1];
  net::io_context io(1);
  std::exception_ptr error;
  net::co_spawn(io, run_all(), [&](std::exception_ptr e) { error = e; });
  io.run();
  pool.reset();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      check("no exception", false, e.what());
    }
  }
  if (failed) {
    std::cout << "connect interop FAILED" << std::endl;
    return 1;
  }
  std::cout << "connect interop passed" << std::endl;
  return 0;
}
