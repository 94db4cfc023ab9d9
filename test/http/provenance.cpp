// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Who ended a request: cancel_site() of a request context names the shutdown call, the server's
// construction (for ~server), the parent's cancel, the disconnect, or what set the deadline.
#include "test_support.hpp"

#include <asioctx/async_wait.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstring>
#include <string_view>

using namespace http_test;

namespace {

// What the handler of /wait saw when its context ended.
struct seen {
  std::mutex mutex;
  std::atomic<int> started{0};
  std::atomic<int> ended{0};
  asioctx::error_code cause;
  asioctx::source_location site;

  asioctx::source_location get_site() {
    std::lock_guard<std::mutex> lock(mutex);
    return site;
  }
  asioctx::error_code get_cause() {
    std::lock_guard<std::mutex> lock(mutex);
    return cause;
  }
};

ahttp::handler waiter(seen& s) {
  return [&s](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    s.started.fetch_add(1);
    co_await asioctx::async_wait(ctx, net::as_tuple(net::use_awaitable));
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.cause = asioctx::cause(ctx);
      s.site = asioctx::cancel_site(ctx);
    }
    s.ended.fetch_add(1);
    co_return ahttp::response(bhttp::status::ok, req.version());
  };
}

bool names(const asioctx::source_location& site, std::string_view what) {
  return site.line() != 0 && std::string_view(site.function_name()).find(what) != std::string_view::npos;
}

bool in_this_file(const asioctx::source_location& site, unsigned line) {
  const std::string_view file = site.file_name();
  return site.line() == line && file.size() >= 14 && file.substr(file.size() - 14) == "provenance.cpp";
}

// A server constructed at a known line, run by one thread; the test ends it itself.
struct own_server {
  net::io_context io;
  std::optional<ahttp::server> srv;
  std::thread runner;
  unsigned line = 0;

  own_server(ahttp::handler h, const asioctx::context& parent = asioctx::background()) {
    // Through emplace the default argument would name std::_Construct: the site is passed.
    line = __LINE__ + 1;
    srv.emplace(io.get_executor(), std::move(h), ahttp::server_options{}, parent, BOOST_CURRENT_LOCATION);
    srv->listen({net::ip::address_v4::loopback(), 0});
    srv->start();
    runner = std::thread([this] { io.run(); });
  }
  ~own_server() {
    srv.reset();
    runner.join();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(test_http_provenance)

BOOST_AUTO_TEST_CASE(deadline_names_what_set_it) {
  seen s;
  ahttp::server_options o;
  o.handler_timeout = 40ms;
  running_server srv(waiter(s), o);
  const std::pair<std::string, std::string_view> cases[] = {
      {"", "handler_timeout"},  // no budget header: the server's own timeout
      {"grpc-timeout: 30m", "grpc-timeout"},
      {"x-envoy-expected-rq-timeout-ms: 30", "x-envoy-expected-rq-timeout-ms"},
      {"connect-timeout-ms: 30", "connect-timeout-ms"},
      {"grpc-timeout: 10S", "handler_timeout"},  // the longer of the two does not set it
  };
  for (const auto& [header, what] : cases) {
    BOOST_TEST_CONTEXT(header) {
      const int before = s.ended.load();
      raw_client c(srv.endpoint());
      c.send(header.empty() ? get("/wait") : get("/wait", {header}));
      auto r = c.read();
      BOOST_REQUIRE(r);
      BOOST_TEST(r->result_int() == 504);
      // The 504 is answered at the deadline; the handler resumes after it.
      BOOST_REQUIRE(wait_until([&] { return s.ended.load() > before; }, 10s));
      BOOST_TEST((s.get_cause() == asioctx::error::deadline_exceeded));
      BOOST_TEST(names(s.get_site(), what), s.get_site());
    }
  }
}

BOOST_AUTO_TEST_CASE(disconnect_names_the_client) {
  seen s;
  running_server srv(waiter(s));
  for (bool reset : {false, true}) {
    const int before = s.ended.load();
    raw_client c(srv.endpoint());
    c.send(get("/wait"));
    BOOST_REQUIRE(wait_until([&] { return s.started.load() > before; }, 10s));
    if (reset)
      c.reset();
    else
      c.close();
    BOOST_REQUIRE(wait_until([&] { return s.ended.load() > before; }, 10s));
    BOOST_TEST((s.get_cause() == ahttp::error::client_disconnected));
    BOOST_TEST(names(s.get_site(), "the client closed or reset the connection"), s.get_site());
  }
}

BOOST_AUTO_TEST_CASE(shutdown_names_its_caller) {
  seen s;
  own_server os(waiter(s));
  raw_client c(os.srv->local_endpoint());
  c.send(get("/wait"));
  BOOST_REQUIRE(wait_until([&] { return s.started.load() == 1; }, 10s));
  const unsigned line = __LINE__ + 1;
  auto done = os.srv->async_shutdown(20ms, net::use_future);
  BOOST_REQUIRE(done.wait_for(10s) == std::future_status::ready);
  BOOST_TEST((s.get_cause() == ahttp::error::shutting_down));
  BOOST_TEST(in_this_file(s.get_site(), line), s.get_site());
  // A second call adds a waiter; the first grace and its site stand.
  auto again = os.srv->async_shutdown(0ms, net::use_future);
  BOOST_TEST((again.wait_for(10s) == std::future_status::ready));
  BOOST_TEST(in_this_file(s.get_site(), line), s.get_site());
}

BOOST_AUTO_TEST_CASE(destruction_names_the_construction) {
  seen s;
  std::optional<own_server> os(std::in_place, waiter(s));
  const unsigned line = os->line;
  raw_client c(os->srv->local_endpoint());
  c.send(get("/wait"));
  BOOST_REQUIRE(wait_until([&] { return s.started.load() == 1; }, 10s));
  os.reset();  // ~server, then the thread runs what is left and returns
  BOOST_REQUIRE(s.ended.load() == 1);
  BOOST_TEST((s.get_cause() == ahttp::error::shutting_down));
  BOOST_TEST(in_this_file(s.get_site(), line), s.get_site());
}

BOOST_AUTO_TEST_CASE(parent_cancel_names_its_call) {
  seen s;
  auto [parent, cancel] = asioctx::with_cancel(asioctx::background());
  own_server os(waiter(s), parent);
  raw_client c(os.srv->local_endpoint());
  c.send(get("/wait"));
  BOOST_REQUIRE(wait_until([&] { return s.started.load() == 1; }, 10s));
  const unsigned line = __LINE__ + 1;
  cancel();
  BOOST_REQUIRE(wait_until([&] { return s.ended.load() == 1; }, 10s));
  BOOST_TEST((s.get_cause() == asioctx::error::canceled));
  BOOST_TEST(in_this_file(s.get_site(), line), s.get_site());
}

BOOST_AUTO_TEST_SUITE_END()
