// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// bind() with coroutines and real I/O objects (C++20).
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include "test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

namespace net = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;
using tcp = net::ip::tcp;

namespace {

// A connected loopback pair; the peer never sends anything.
struct socket_pair {
  tcp::socket client, server;
  explicit socket_pair(net::io_context& io) : client(io), server(io) {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

// What a coroutine's completion handler was told: {} or the system_error's code.
error_code error_of(std::exception_ptr e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const boost::system::system_error& err) {
    return err.code();
  }
  return error_code();
}

template <class T>
T run_coro(net::io_context& io, net::awaitable<T> a) {
  std::optional<T> out;
  std::exception_ptr failure;
  net::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    failure = e;
    out = std::move(v);
  });
  io.run_for(10s);
  if (failure) std::rethrow_exception(failure);
  BOOST_REQUIRE(out.has_value());
  return *out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_bind_coro)

BOOST_AUTO_TEST_CASE(co_await_throws_context_deadline_exceeded) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 10ms);
  std::string what = run_coro(io, [](asioctx::context c) -> net::awaitable<std::string> {
    net::steady_timer timer(co_await net::this_coro::executor, 1h);
    try {
      co_await timer.async_wait(asioctx::bind(c, net::use_awaitable));
    } catch (const boost::system::system_error& e) {
      if (e.code() != error::deadline_exceeded) co_return "wrong code: " + e.code().message();
      co_return e.what();
    }
    co_return "no exception";
  }(ctx));
  BOOST_TEST(what.find("context deadline exceeded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(as_tuple_with_use_awaitable) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  cancel();
  error_code got = run_coro(io, [](asioctx::context c) -> net::awaitable<error_code> {
    net::steady_timer timer(co_await net::this_coro::executor, 1h);
    auto [ec] = co_await timer.async_wait(asioctx::bind(c, net::as_tuple(net::use_awaitable)));
    co_return ec;
  }(ctx));
  BOOST_TEST((got == error::canceled));
}

BOOST_AUTO_TEST_CASE(awaitable_operators_slot_still_cancels) {
  // `a || b`: when b finishes first, a (bound to a live context) is cancelled through the
  // awaitable frame's slot, which bind() keeps working.
  using namespace net::experimental::awaitable_operators;
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  int which = run_coro(io, [](asioctx::context c) -> net::awaitable<int> {
    auto ex = co_await net::this_coro::executor;
    net::steady_timer slow(ex, 1h), fast(ex, 1ms);
    auto r = co_await (slow.async_wait(asioctx::bind(c, net::use_awaitable)) ||
                       fast.async_wait(net::use_awaitable));
    co_return static_cast<int>(r.index());
  }(ctx));
  BOOST_TEST(which == 1);
  BOOST_TEST(!ctx.done());
}

BOOST_AUTO_TEST_CASE(co_spawn_under_a_context) {
  // co_spawn(ex, coro, bind(ctx, token)): the coroutine's pending operation is cancelled when
  // the context is done.
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::optional<std::string> outcome;
  net::co_spawn(
      io,
      []() -> net::awaitable<void> {
        net::steady_timer timer(co_await net::this_coro::executor, 1h);
        co_await timer.async_wait(net::use_awaitable);
      },
      asioctx::bind(ctx, [&](std::exception_ptr e) {
        try {
          if (e) std::rethrow_exception(e);
          outcome = "finished";
        } catch (const boost::system::system_error& err) {
          outcome = err.code() == net::error::operation_aborted ? "aborted" : err.code().message();
        }
      }));
  io.poll();
  BOOST_TEST(!outcome.has_value());
  cancel();
  io.run_for(10s);
  BOOST_REQUIRE(outcome.has_value());
  // The coroutine's operation_aborted is translated like an error_code: the handler can tell a
  // cancel from a deadline (DESIGN rule 9).
  BOOST_TEST(*outcome == "context canceled");
}

BOOST_AUTO_TEST_CASE(co_spawn_tells_a_deadline_from_a_cancel) {
  // The coroutine's aborted operation ends it with operation_aborted; bound, the handler gets the
  // context's error instead, as a system_error in the exception_ptr.
  for (bool by_deadline : {true, false}) {
    net::io_context io;
    auto [ctx, cancel] = by_deadline ? asioctx::with_timeout(asioctx::background(), 5ms)
                                     : asioctx::with_cancel(asioctx::background());
    std::optional<error_code> got;
    net::co_spawn(
        io,
        []() -> net::awaitable<int> {
          net::steady_timer timer(co_await net::this_coro::executor, 1h);
          co_await timer.async_wait(net::use_awaitable);
          co_return 1;
        },
        asioctx::bind(ctx, [&](std::exception_ptr e, int) { got = error_of(e); }));
    if (!by_deadline) {
      io.poll();
      cancel();
    }
    io.run_for(10s);
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST((*got == (by_deadline ? error::deadline_exceeded : error::canceled)));
  }
  // A context already done when the coroutine is spawned: it starts, and is cancelled at once.
  net::io_context io;
  auto [done, cancel_done] = asioctx::with_cancel(asioctx::background());
  cancel_done();
  std::optional<error_code> got;
  net::co_spawn(
      io,
      []() -> net::awaitable<void> {
        net::steady_timer timer(co_await net::this_coro::executor, 1h);
        co_await timer.async_wait(net::use_awaitable);
      },
      asioctx::bind(done, [&](std::exception_ptr e) { got = error_of(e); }));
  io.run_for(10s);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST((*got == error::canceled));
}

BOOST_AUTO_TEST_CASE(async_wait_in_a_coroutine) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 5ms);
  error_code got = run_coro(io, [](asioctx::context c) -> net::awaitable<error_code> {
    auto [ec] = co_await asioctx::async_wait(c, net::as_tuple(net::use_awaitable));
    co_return ec;
  }(ctx));
  BOOST_TEST((got == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(tcp_read_cancelled_by_deadline) {
  net::io_context io;
  socket_pair pair(io);
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 20ms);
  char buf[16];
  error_code got;
  std::size_t n = 1;
  pair.client.async_read_some(net::buffer(buf), asioctx::bind(ctx, [&](error_code ec, std::size_t bytes) {
                                got = ec;
                                n = bytes;
                              }));
  io.run_for(10s);
  BOOST_TEST((got == error::deadline_exceeded));
  BOOST_TEST(n == 0u);
  // The socket is still usable: data sent now is read normally under a live context.
  auto [live, cancel_live] = asioctx::with_timeout(asioctx::background(), 10s);
  net::write(pair.server, net::buffer("hi", 2));
  pair.client.async_read_some(net::buffer(buf), asioctx::bind(live, [&](error_code ec, std::size_t bytes) {
                                got = ec;
                                n = bytes;
                              }));
  got = error::canceled;
  n = 0;
  BOOST_TEST(asioctx_test::run_until(io, [&] { return n != 0; }));
  BOOST_TEST(!got);
  BOOST_TEST(n == 2u);
}

BOOST_AUTO_TEST_CASE(beast_http_read_cancelled_by_deadline) {
  net::io_context io;
  socket_pair pair(io);
  boost::beast::tcp_stream stream(std::move(pair.client));
  // Half a request header, then silence.
  net::write(pair.server, net::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n")));
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  error_code got;
  http::async_read(stream, buffer, req, asioctx::bind(ctx, [&](error_code ec, std::size_t) { got = ec; }));
  // No executor is associated with the handler: the deadline is armed on the stream's.
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::armed_deadlines(io) == 1u, *ctx.deadline()));
  io.run_for(10s);
  BOOST_TEST((got == error::deadline_exceeded));
}

BOOST_AUTO_TEST_SUITE_END()
