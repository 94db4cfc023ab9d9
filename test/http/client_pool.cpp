// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// asioctx/http/client_pool.hpp over loopback: reuse, bounds, idle timeout, RFC 9112 keep-alive,
// stale connections, and what a request's context does to its connection.
#include "scripted_server.hpp"

#include <asioctx/bind.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <vector>

using namespace http_test;

namespace {

// /sleep?ms=N waits on a timer bound to the request context; anything else answers "ok".
ahttp::handler sleeper(probe& p) {
  return [&p](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    p.record_start(ctx);
    const std::string target(req.target());
    if (auto at = target.find("ms="); at != std::string::npos) {
      net::steady_timer timer(co_await net::this_coro::executor,
                              std::chrono::milliseconds(std::stol(target.substr(at + 3))));
      auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
      if (ec) {
        p.record_cause(ctx);
        throw boost::system::system_error(ec);
      }
    }
    ahttp::response res(bhttp::status::ok, req.version());
    res.body() = "ok";
    co_return res;
  };
}

ahttp::request get_request(const std::string& target, bhttp::verb v = bhttp::verb::get) {
  return ahttp::request(v, target, 11);
}

// A pool on io, and a helper that runs one request through it to completion.
struct pool_fixture {
  explicit pool_fixture(ahttp::client_pool_options o = {}) : pool(io.get_executor(), o) {}

  std::pair<asioctx::error_code, ahttp::response> fetch(const std::string& port, ahttp::request req,
                                                        asioctx::context ctx = asioctx::background()) {
    return run_fetch(io, [&](auto handler) {
      pool.async_fetch(ctx, "127.0.0.1", port, std::move(req), {}, std::move(handler));
    });
  }
  // Starts a GET of target without waiting; out gets its error.
  void start(const std::string& port, const std::string& target, std::optional<asioctx::error_code>& out,
             asioctx::context ctx = asioctx::background()) {
    pool.async_fetch(ctx, "127.0.0.1", port, get_request(target), {},
                     [&out](asioctx::error_code ec, ahttp::response) { out = ec; });
  }
  const ahttp::client_pool_metrics& m() const { return pool.get_metrics(); }

  net::io_context io;
  ahttp::client_pool pool;
};

action always_ok(int, int, const ahttp::request&) { return {ok_response("ok")}; }

ahttp::client_pool_options limits(std::size_t connections, std::size_t idle = 32) {
  ahttp::client_pool_options o;
  o.max_connections_per_host = connections;
  o.max_idle_per_host = idle;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_client_pool)

BOOST_AUTO_TEST_CASE(connection_is_reused) {
  scripted_server srv(always_ok);
  pool_fixture f;
  for (int i = 0; i < 5; ++i) {
    auto [ec, res] = f.fetch(srv.port(), get_request("/"));
    BOOST_TEST(!ec);
    BOOST_TEST(res.body() == "ok");
  }
  BOOST_TEST(srv.accepted() == 1);
  BOOST_TEST(f.m().connections_total == 1u);
  BOOST_TEST(f.m().reused_total == 4u);
  BOOST_TEST(f.m().idle_connections == 1);
}

// At most max_connections_per_host are open; the other requests wait their turn, and at most
// max_idle_per_host stay afterwards.
BOOST_AUTO_TEST_CASE(connections_are_bounded) {
  probe p;
  running_server srv(sleeper(p));
  pool_fixture f(limits(2, 1));
  std::vector<std::optional<asioctx::error_code>> got(6);
  for (auto& out : got) f.start(std::to_string(srv.port()), "/sleep?ms=30", out);
  BOOST_REQUIRE(asioctx_test::run_until(
      f.io, [&] { return std::all_of(got.begin(), got.end(), [](auto& g) { return g.has_value(); }); }));
  for (auto& g : got) BOOST_TEST(!*g);
  BOOST_TEST(srv.stats().connections_total == 2u);
  BOOST_TEST(f.m().connections_total == 2u);
  BOOST_TEST(f.m().idle_connections == 1);
  BOOST_TEST(f.m().open_connections == 1);
}

// A request waiting for a connection ends with its context; the pool keeps working.
BOOST_AUTO_TEST_CASE(waiting_request_ends_with_its_context) {
  probe p;
  running_server srv(sleeper(p));
  pool_fixture f(limits(1));
  const std::string port = std::to_string(srv.port());
  std::optional<asioctx::error_code> first;
  f.start(port, "/sleep?ms=300", first);
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  auto [ec, res] = f.fetch(port, get_request("/"), ctx);
  BOOST_TEST((ec == asioctx::error::deadline_exceeded));
  // The handler's own cancellation slot ends a wait too.
  net::cancellation_signal signal;
  std::optional<asioctx::error_code> slotted;
  f.pool.async_fetch(asioctx::background(), "127.0.0.1", port, get_request("/"), {},
                     net::bind_cancellation_slot(
                         signal.slot(), [&](asioctx::error_code e, ahttp::response) { slotted = e; }));
  f.io.poll();
  signal.emit(net::cancellation_type::terminal);
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return slotted.has_value(); }));
  BOOST_TEST((*slotted == net::error::operation_aborted));
  BOOST_TEST(!first.has_value());  // both ended while the first request still held the connection
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return first.has_value(); }));
  BOOST_TEST(!*first);
  auto [ec2, res2] = f.fetch(port, get_request("/"));
  BOOST_TEST(!ec2);
  BOOST_TEST(srv.stats().connections_total == 1u);
}

BOOST_AUTO_TEST_CASE(idle_connection_expires) {
  scripted_server srv(always_ok);
  ahttp::client_pool_options o;
  o.idle_timeout = 100ms;
  pool_fixture f(o);
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  BOOST_TEST(f.m().idle_connections == 1);
  // The pool closes it by itself (its timer), and the server sees the close.
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return f.m().idle_connections == 0; }));
  BOOST_TEST(f.m().idle_expired_total == 1u);
  BOOST_TEST(f.m().open_connections == 0);
  BOOST_TEST(wait_until([&] { return srv.ended() == 1; }));
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  BOOST_TEST(srv.accepted() == 2);
}

// The server closed the idle connection: the pool sees it before sending, needs no retry.
BOOST_AUTO_TEST_CASE(closed_idle_connection_noticed_before_reuse) {
  scripted_server srv([](int, int, const ahttp::request&) { return action{ok_response("ok"), true}; });
  pool_fixture f;
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  BOOST_REQUIRE(wait_until([&] { return srv.ended() == 1; }));
  BOOST_TEST(f.m().idle_connections == 1);  // nothing told the client it would close
  auto [ec, res] = f.fetch(srv.port(), get_request("/"), asioctx::background());
  BOOST_TEST(!ec);
  BOOST_TEST(f.m().stale_total == 1u);
  BOOST_TEST(f.m().retries_total == 0u);
  BOOST_TEST(srv.accepted() == 2);
}

// The server closes a kept connection as the request arrives: an idempotent request is sent
// once more on a new connection; a POST is not.
BOOST_AUTO_TEST_CASE(stale_connection_retried_once_if_idempotent) {
  auto script = [](int connection, int request, const ahttp::request&) {
    if (connection == 0 && request == 1) return action{"", true};  // closed without an answer
    return action{ok_response("ok")};
  };
  {
    scripted_server srv(script);
    pool_fixture f;
    BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
    auto [ec, res] = f.fetch(srv.port(), get_request("/"));
    BOOST_TEST(!ec);
    BOOST_TEST(res.body() == "ok");
    BOOST_TEST(f.m().retries_total == 1u);
    BOOST_TEST(srv.accepted() == 2);
    BOOST_TEST(srv.requests() == 3);
  }
  {
    scripted_server srv(script);
    pool_fixture f;
    BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
    auto [ec, res] = f.fetch(srv.port(), get_request("/", bhttp::verb::post));
    BOOST_TEST((ec == bhttp::error::end_of_stream));
    BOOST_TEST(f.m().retries_total == 0u);
    BOOST_TEST(srv.accepted() == 1);
    BOOST_TEST(f.m().open_connections == 0);
  }
}

BOOST_AUTO_TEST_CASE(no_retry_after_response_bytes) {
  scripted_server srv([](int connection, int request, const ahttp::request&) {
    if (connection == 0 && request == 1)
      return action{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true};
    return action{ok_response("ok")};
  });
  pool_fixture f;
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  auto [ec, res] = f.fetch(srv.port(), get_request("/"));
  BOOST_TEST((ec == bhttp::error::partial_message));
  BOOST_TEST(f.m().retries_total == 0u);
  BOOST_TEST(srv.accepted() == 1);
  BOOST_TEST(f.m().open_connections == 0);
}

// A context that ends mid-exchange closes the connection (the server sees the disconnect) and
// never returns it; so does the handler's own cancellation slot.
BOOST_AUTO_TEST_CASE(cancelled_exchange_never_returns_its_connection) {
  probe p;
  running_server srv(sleeper(p));
  pool_fixture f;
  const std::string port = std::to_string(srv.port());
  BOOST_TEST(!f.fetch(port, get_request("/")).first);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::optional<asioctx::error_code> got;
  f.start(port, "/sleep?ms=20000", got, ctx);
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return p.started == 2; }));
  cancel();
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return got.has_value(); }));
  BOOST_TEST((*got == asioctx::error::canceled));
  BOOST_TEST(f.m().idle_connections == 0);
  BOOST_TEST(f.m().open_connections == 0);
  BOOST_TEST(wait_until([&] { return srv.stats().client_disconnects_total == 1u; }));

  net::cancellation_signal signal;
  got.reset();
  f.pool.async_fetch(
      asioctx::background(), "127.0.0.1", port, get_request("/sleep?ms=20000"), {},
      net::bind_cancellation_slot(signal.slot(), [&](asioctx::error_code ec, ahttp::response) { got = ec; }));
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return p.started == 3; }));
  signal.emit(net::cancellation_type::terminal);
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return got.has_value(); }));
  BOOST_TEST((*got == net::error::operation_aborted));
  BOOST_TEST(f.m().open_connections == 0);
  BOOST_TEST(wait_until([&] { return srv.stats().client_disconnects_total == 2u; }));
  BOOST_TEST(f.m().retries_total == 0u);
}

// A spent budget fails before a connection is taken: none opened, an idle one left idle. A
// cancellation signalled as the operation starts aborts it (co_spawn delivers the signal a little
// later, so it may reach the exchange), and leaves no connection behind.
BOOST_AUTO_TEST_CASE(spent_budget_takes_no_connection) {
  scripted_server srv(always_ok);
  pool_fixture f;
  auto [dead, cancel] = asioctx::with_timeout(asioctx::background(), -1ms);
  auto [ec, res] = f.fetch(srv.port(), get_request("/"), dead);
  BOOST_TEST((ec == asioctx::error::deadline_exceeded));
  BOOST_TEST(f.m().connections_total == 0u);
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  auto [ec2, res2] = f.fetch(srv.port(), get_request("/"), dead);
  BOOST_TEST((ec2 == asioctx::error::deadline_exceeded));
  BOOST_TEST(f.m().idle_connections == 1);
  BOOST_TEST(f.m().reused_total == 0u);
  BOOST_TEST(srv.requests() == 1);
  net::cancellation_signal signal;
  auto [aborted, r] = run_fetch(f.io, [&](auto handler) {
    f.pool.async_fetch(asioctx::background(), "127.0.0.1", srv.port(), get_request("/"), {},
                       net::bind_cancellation_slot(signal.slot(), std::move(handler)));
    signal.emit(net::cancellation_type::terminal);
  });
  BOOST_TEST((aborted == net::error::operation_aborted));
  BOOST_TEST(f.m().open_connections == f.m().idle_connections);  // none lost busy
}

// RFC 9112 9.3: Connection: close (either side), HTTP/1.0 without keep-alive and a body that
// ends at EOF leave nothing to reuse; HTTP/1.0 with keep-alive is reused.
BOOST_AUTO_TEST_CASE(keep_alive_as_rfc_9112_allows) {
  auto script = [](int, int, const ahttp::request& req) {
    const std::string t(req.target());
    if (t == "/close") return action{ok_response("ok", "Connection: close\r\n"), true};
    if (t == "/http10") return action{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", true};
    if (t == "/http10-keep")
      return action{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"};
    if (t == "/eof") return action{"HTTP/1.1 200 OK\r\n\r\nuntil the end", true};
    return action{ok_response("ok")};
  };
  scripted_server srv(script);
  pool_fixture f;
  int expected_connections = 0;
  for (std::string t : {"/close", "/http10", "/eof"}) {
    auto [ec, res] = f.fetch(srv.port(), get_request(t));
    BOOST_TEST(!ec, t);
    BOOST_TEST(f.m().idle_connections == 0, t);
    BOOST_TEST(f.m().open_connections == 0, t);
    BOOST_TEST(srv.accepted() == ++expected_connections, t);
  }
  BOOST_TEST(f.fetch(srv.port(), get_request("/eof")).second.body() == "until the end");
  ++expected_connections;
  ahttp::request mine = get_request("/");
  mine.keep_alive(false);  // the client's own Connection: close
  BOOST_TEST(!f.fetch(srv.port(), std::move(mine)).first);
  BOOST_TEST(f.m().idle_connections == 0);
  ++expected_connections;
  BOOST_TEST(!f.fetch(srv.port(), get_request("/http10-keep")).first);
  BOOST_TEST(!f.fetch(srv.port(), get_request("/")).first);
  BOOST_TEST(srv.accepted() == expected_connections + 1);
  BOOST_TEST(f.m().stale_total == 0u);
}

// close() ends the waits, lets the request in flight finish (its connection closed, not kept)
// and refuses later requests.
BOOST_AUTO_TEST_CASE(close_ends_waits_and_refuses_requests) {
  probe p;
  running_server srv(sleeper(p));
  pool_fixture f(limits(1));
  const std::string port = std::to_string(srv.port());
  std::optional<asioctx::error_code> busy, waiting;
  f.start(port, "/sleep?ms=200", busy);
  f.start(port, "/", waiting);
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return p.started == 1; }));
  f.pool.close();
  BOOST_REQUIRE(asioctx_test::run_until(f.io, [&] { return busy && waiting; }));
  BOOST_TEST(!*busy);
  BOOST_TEST((*waiting == net::error::operation_aborted));
  BOOST_TEST(f.m().open_connections == 0);
  BOOST_TEST(f.m().idle_connections == 0);
  BOOST_TEST((f.fetch(port, get_request("/")).first == net::error::operation_aborted));
  BOOST_TEST(p.started == 1);
}

// A plain callback runs on the pool's strand (a plain counter, checked by ThreadSanitizer in the
// TSan build); many requests started from two threads share the bounds.
BOOST_AUTO_TEST_CASE(callbacks_on_the_pool_executor_from_two_threads) {
  probe p;
  running_server srv(sleeper(p), {}, 2);
  net::io_context io(2);
  ahttp::client_pool_options o;
  o.max_connections_per_host = 4;
  ahttp::client_pool pool(io.get_executor(), o);
  int on_strand = 0;  // touched by callbacks only: never concurrently if they run on the strand
  std::atomic<int> ok{0}, finished{0};
  constexpr int n = 64;
  auto start = [&] {
    for (int i = 0; i < n / 2; ++i)
      pool.async_fetch(asioctx::background(), "127.0.0.1", std::to_string(srv.port()),
                       get_request("/sleep?ms=1"), {}, [&](asioctx::error_code ec, ahttp::response) {
                         ++on_strand;
                         if (!ec) ok.fetch_add(1);
                         finished.fetch_add(1);
                       });
  };
  auto guard = net::make_work_guard(io);
  std::thread a([&] { io.run(); }), b([&] { io.run(); });
  std::thread s1(start), s2(start);
  s1.join();
  s2.join();
  BOOST_TEST(wait_until([&] { return finished == n; }, 30s));
  guard.reset();
  pool.close();
  a.join();
  b.join();
  BOOST_TEST(ok == n);
  BOOST_TEST(on_strand == n);
  BOOST_TEST(srv.stats().connections_total <= 4u);
  BOOST_TEST(pool.get_metrics().open_connections == 0);
}

// budget_margin: the callee is sent the budget less the margin; a request with no more than the
// margin left fails at once and opens no connection; budget_format::none sends no budget at all.
BOOST_AUTO_TEST_CASE(budget_margin_is_taken_off_the_budget_sent) {
  running_server srv([](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    ahttp::response res(bhttp::status::ok, req.version());
    const auto d = ctx.deadline();
    res.body() = d ? std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        ahttp::remaining(*d, asioctx::clock::now()))
                                        .count())
                   : "none";
    co_return res;
  });
  const std::string port = std::to_string(srv.port());
  pool_fixture f;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1500ms);
  auto fetch = [&](ahttp::client_options o) {
    return run_fetch(f.io, [&](auto handler) {
      f.pool.async_fetch(ctx, "127.0.0.1", port, get_request("/"), o, std::move(handler));
    });
  };
  ahttp::client_options o;
  o.budget_margin = 600ms;
  auto [ec, res] = fetch(o);
  BOOST_REQUIRE(!ec);
  const long left = std::stol(res.body());
  BOOST_TEST((left > 0 && left <= 900));
  BOOST_TEST(f.m().connections_total == 1u);

  o.budget_margin = 5s;  // more than is left: nothing is sent, no connection taken
  auto [spent, spent_res] = fetch(o);
  BOOST_TEST((spent == asioctx::error::deadline_exceeded));
  BOOST_TEST(srv.stats().requests_total == 1u);
  BOOST_TEST(f.m().idle_connections == 1);
  auto [once, once_res] = run_fetch(f.io, [&](auto handler) {
    ahttp::async_fetch(ctx, "127.0.0.1", port, get_request("/"), o,
                       net::bind_executor(f.io.get_executor(), std::move(handler)));
  });
  BOOST_TEST((once == asioctx::error::deadline_exceeded));
  BOOST_TEST(srv.stats().connections_total == 1u);  // async_fetch did not connect either

  o.budget_header = ahttp::budget_format::none;  // no header, so nothing to take a margin off
  auto [none, none_res] = fetch(o);
  BOOST_REQUIRE(!none);
  BOOST_TEST(std::stol(none_res.body()) > 1500);  // the server's own timeout
  BOOST_TEST(srv.stats().requests_total == 2u);
}

// A cancellation that reaches the pool's strand after the exchange completed, when the awaiting
// coroutine has moved on (its slot holds another operation's handler), finds nothing to cancel.
// Through co_spawn's own forwarding (Asio before 1.29) it was a use after free: bench/chain's
// front crashed when a request's deadline took over from a handler awaiting the pool.
BOOST_AUTO_TEST_CASE(cancellation_after_completion_is_harmless) {
  scripted_server srv(always_ok);
  net::io_context pool_io;
  ahttp::client_pool pool(pool_io.get_executor());
  net::io_context io;
  net::cancellation_signal outer;
  bool fetched = false, done = false;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        co_await net::this_coro::throw_if_cancelled(false);
        auto [ec, res] = co_await pool.async_fetch(asioctx::background(), "127.0.0.1", srv.port(),
                                                   get_request("/"), {}, net::as_tuple(net::use_awaitable));
        fetched = !ec;
        net::steady_timer t(co_await net::this_coro::executor, 1ms);  // takes over the slot
        co_await t.async_wait(net::as_tuple(net::use_awaitable));
        done = true;
      },
      net::bind_cancellation_slot(outer.slot(), net::detached));
  io.poll();  // the fetch starts on the pool's strand
  net::post(io, [&] { outer.emit(net::cancellation_type::terminal); });  // before the result
  BOOST_REQUIRE(asioctx_test::run_until(pool_io, [&] { return pool.get_metrics().idle_connections == 1; }));
  pool_io.poll();  // the result is queued for io, behind the cancellation
  BOOST_REQUIRE(asioctx_test::run_until(io, [&] { return done; }));
  pool_io.poll();  // the forwarded cancellation arrives now
  BOOST_TEST(fetched);
  BOOST_TEST(pool.get_metrics().idle_connections == 1);
}

BOOST_AUTO_TEST_SUITE_END()
