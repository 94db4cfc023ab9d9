// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Load test: thousands of loopback requests over many keep-alive connections, half of them past
// their deadline; every one answered right, nothing left in flight, memory flat. Bounded in
// count and time; CI also runs it under AddressSanitizer.
#include "test_support.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>
#include <fstream>

using namespace http_test;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

constexpr int connections = 50;
constexpr int requests_per_connection = 40;  // per round: 2,000 requests

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

using asioctx::error_code;

struct tally {
  int ok = 0, deadline = 0, wrong = 0, failed = 0;
};

// One keep-alive connection sending its share of requests in turn. Odd requests are given a
// budget shorter than their work (504 expected), even ones a generous budget (200 expected).
net::awaitable<void> client(tcp::endpoint ep, int id, tally& t) {
  auto ex = co_await net::this_coro::executor;
  tcp::socket socket(ex);
  co_await socket.async_connect(ep, net::use_awaitable);
  boost::beast::flat_buffer buffer;
  for (int i = 0; i < requests_per_connection; ++i) {
    const bool late = (i + id) % 2 == 1;
    ahttp::request req(bhttp::verb::get, late ? "/sleep?ms=200" : "/sleep?ms=1", 11);
    req.set(bhttp::field::host, "127.0.0.1");
    // Some late requests come with their budget already spent.
    req.set("grpc-timeout", late ? (i % 10 == 1 ? "0m" : "20m") : "5S");
    auto [wec, wn] = co_await bhttp::async_write(socket, req, net::as_tuple(net::use_awaitable));
    ahttp::response res;
    auto [rec, rn] = co_await bhttp::async_read(socket, buffer, res, net::as_tuple(net::use_awaitable));
    if (wec || rec) {
      ++t.failed;
      co_return;
    }
    if (late && res.result_int() == 504 && res["x-asioctx-deadline-exceeded"] == "1")
      ++t.deadline;
    else if (!late && res.result_int() == 200 && res.body() == "slept 1")
      ++t.ok;
    else
      ++t.wrong;
  }
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

tally run_round(const tcp::endpoint& ep) {
  net::io_context io;
  tally t;
  for (int i = 0; i < connections; ++i) net::co_spawn(io, client(ep, i, t), net::detached);
  io.run_for(120s);
  return t;
}

ahttp::handler sleeper(std::atomic<int>& canceled) {
  return [&canceled](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    const std::string target(req.target());
    const long ms = std::stol(target.substr(target.find("ms=") + 3));
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(ms));
    auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    if (ec) {
      canceled.fetch_add(1);
      throw boost::system::system_error(ec);
    }
    ahttp::response res(bhttp::status::ok, req.version());
    res.body() = "slept " + std::to_string(ms);
    co_return res;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_load)

BOOST_AUTO_TEST_CASE(thousands_of_requests_half_past_their_deadline) {
  std::atomic<int> canceled{0};
  running_server srv(sleeper(canceled), {}, 2);
  const int per_round = connections * requests_per_connection;
  std::size_t rss_after_first = 0;
  for (int round = 0; round < 2; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      const auto start = asioctx::clock::now();
      tally t = run_round(srv.endpoint());
      BOOST_TEST_MESSAGE(
          "round "
          << round << ": " << per_round << " requests in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(asioctx::clock::now() - start).count()
          << " ms");
      BOOST_TEST(t.failed == 0);
      BOOST_TEST(t.wrong == 0);
      BOOST_TEST(t.ok == per_round / 2);
      BOOST_TEST(t.deadline == per_round / 2);
      // Nothing left: no handler, no connection, no armed deadline timer.
      BOOST_TEST(wait_until([&] {
        return srv.stats().inflight_requests == 0 && srv.stats().open_connections == 0 &&
               asioctx_test::armed_deadlines(srv.io()) == 0;
      }));
      BOOST_TEST(srv.stats().requests_total == static_cast<std::uint64_t>(per_round * (round + 1)));
      BOOST_TEST(srv.stats().deadline_exceeded_total ==
                 static_cast<std::uint64_t>(per_round / 2 * (round + 1)));
      BOOST_TEST(srv.stats().client_disconnects_total == 0u);
      if (round == 0) rss_after_first = resident_bytes();
    }
  }
  // The handlers that did run past their deadline were cancelled, not left behind.
  BOOST_TEST(canceled.load() > 0);
  const std::size_t rss = resident_bytes();
  BOOST_TEST_MESSAGE("resident: " << rss_after_first / 1024 << " KiB after round 1, " << rss / 1024
                                  << " KiB after round 2");
  // Sanitizer quarantines make RSS meaningless there; LeakSanitizer checks at exit instead.
  if (!sanitized) BOOST_TEST(rss < rss_after_first + 8 * 1024 * 1024);
}

BOOST_AUTO_TEST_SUITE_END()
