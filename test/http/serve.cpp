// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// async_serve: a handler run under its request's context, answered for at its deadline.
#include <asioctx/http/request_scope.hpp>

#include "../unit/test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <stdexcept>

namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using namespace std::chrono_literals;
using asioctx_test::run_until;

ahttp::request get(std::initializer_list<std::pair<std::string, std::string>> fields = {}) {
  ahttp::request req(bhttp::verb::get, "/", 11);
  for (const auto& [name, value] : fields) req.insert(name, value);
  return req;
}

// A handler that answers at once.
net::awaitable<ahttp::response> hello(asioctx::context, ahttp::request req) {
  ahttp::response res(bhttp::status::ok, req.version());
  res.body() = "hello";
  co_return res;
}

// A handler that waits up to 20 s on an unbound timer, and says how its wait ended.
struct sleeper {
  std::shared_ptr<std::optional<asioctx::error_code>> ended =
      std::make_shared<std::optional<asioctx::error_code>>();
  net::awaitable<ahttp::response> operator()(asioctx::context, ahttp::request) const {
    net::steady_timer t(co_await net::this_coro::executor, 20s);
    auto [ec] = co_await t.async_wait(net::as_tuple(net::use_awaitable));
    *ended = ec;
    co_return ahttp::response(bhttp::status::ok, 11);
  }
};

struct result {
  std::optional<asioctx::error_code> ec;
  ahttp::response res;
  auto handler() {
    return [this](asioctx::error_code e, ahttp::response r) {
      ec = e;
      res = std::move(r);
    };
  }
};

struct fixture {
  net::io_context io;
  net::ip::tcp::socket stream{net::make_strand(io)};  // stands for any stream: only its executor is used
  ahttp::request_options options;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(test_async_serve, fixture)

BOOST_AUTO_TEST_CASE(completes_with_the_handlers_response) {
  ahttp::request_scope scope(asioctx::background(), get(), options);
  result r;
  ahttp::async_serve(stream, scope, get(), hello, r.handler());
  BOOST_TEST(!r.ec);  // never inside the initiating function
  BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
  BOOST_TEST(!*r.ec);
  BOOST_TEST(r.res.body() == "hello");
  BOOST_TEST(!scope.answered());
  // As Go's server does when the handler returns.
  BOOST_TEST((scope.get_context().err() == asioctx::error::canceled));
}

BOOST_AUTO_TEST_CASE(answers_at_the_deadline_and_cancels_what_the_handler_awaits) {
  options.handler_timeout = 50ms;
  ahttp::request_scope scope(asioctx::background(), get(), options);
  result r;
  sleeper s;
  const auto start = asioctx::clock::now();
  ahttp::async_serve(stream, scope, get(), s, r.handler());
  BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
  BOOST_TEST(!*r.ec);
  BOOST_TEST(r.res.result_int() == 504u);
  BOOST_TEST(r.res["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST((scope.answered() == ahttp::answer_kind::deadline_exceeded));
  BOOST_TEST((scope.get_context().err() == asioctx::error::deadline_exceeded));
  BOOST_TEST((asioctx::clock::now() - start >= 50ms));
  // The handler's unbound wait was cancelled too; its late answer is dropped.
  BOOST_REQUIRE(run_until(io, [&] { return s.ended->has_value(); }));
  BOOST_TEST((**s.ended == net::error::operation_aborted));
  BOOST_TEST((asioctx::clock::now() - start < 15s));
}

BOOST_AUTO_TEST_CASE(a_caller_budget_shortens_it_and_connect_gets_its_error) {
  auto req = get({{"Connect-Protocol-Version", "1"}, {"connect-timeout-ms", "40"}});
  ahttp::request_scope scope(asioctx::background(), req, options);
  result r;
  ahttp::async_serve(stream, scope, req, sleeper{}, r.handler());
  BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
  BOOST_TEST(r.res.result_int() == 504u);
  BOOST_TEST(r.res[bhttp::field::content_type] == "application/json");
  BOOST_TEST(r.res.body().find(R"({"code":"deadline_exceeded")") == 0u);
  BOOST_TEST(r.res["x-asioctx-deadline-exceeded"] == "1");
  BOOST_TEST(
      std::string(asioctx::cancel_site(scope.get_context()).function_name()).find("connect-timeout-ms") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_early_answer_never_calls_the_handler) {
  for (auto fields : {std::pair<std::string, std::string>{"grpc-timeout", "0m"},
                      std::pair<std::string, std::string>{"connect-timeout-ms", "1.5"}}) {
    auto req = get({fields, {"connect-protocol-version", "1"}});
    ahttp::request_scope scope(asioctx::background(), req, options);
    bool called = false;
    result r;
    ahttp::async_serve(
        stream, scope, req,
        [&](asioctx::context c, ahttp::request q) {
          called = true;
          return hello(c, q);
        },
        r.handler());
    BOOST_TEST(!r.ec);
    BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
    BOOST_TEST(!called);
    BOOST_TEST(r.res.result_int() == (fields.first == "grpc-timeout" ? 504u : 400u));
    BOOST_TEST((scope.answered() == scope.early_answer()));
  }
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_gets_500) {
  ahttp::request_scope scope(asioctx::background(), get(), options);
  result r;
  ahttp::async_serve(
      stream, scope, get(),
      [](asioctx::context, ahttp::request) -> net::awaitable<ahttp::response> {
        throw std::runtime_error("boom");
        co_return ahttp::response();
      },
      r.handler());
  BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
  BOOST_TEST(!*r.ec);
  BOOST_TEST(r.res.result_int() == 500u);
  BOOST_TEST((scope.answered() == ahttp::answer_kind::handler_failed));
}

BOOST_AUTO_TEST_CASE(the_connections_end_decides_the_answer) {
  const std::pair<asioctx::error_code, std::optional<unsigned>> cases[] = {
      {make_error_code(ahttp::error::client_disconnected), std::nullopt},  // nothing to write
      {make_error_code(ahttp::error::shutting_down), 503u},
      {asioctx::error_code(), 503u},
  };
  for (const auto& [why, status] : cases) {
    auto [conn, cancel_conn] = asioctx::with_cancel_cause(asioctx::background());
    ahttp::request_scope scope(conn, get(), options);
    result r;
    sleeper s;
    ahttp::async_serve(stream, scope, get(), s, r.handler());
    BOOST_REQUIRE(run_until(
                      io, [&] { return r.ec || s.ended->has_value(); }, 100ms) == false);  // suspended
    cancel_conn(why);
    BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
    if (status) {
      BOOST_TEST(!*r.ec);
      BOOST_TEST(r.res.result_int() == *status);
      BOOST_TEST(!r.res.keep_alive());
      BOOST_TEST((scope.answered() == ahttp::answer_kind::shutting_down));
    } else {
      BOOST_TEST((*r.ec == ahttp::error::client_disconnected));
      BOOST_TEST(!scope.answered());
    }
    BOOST_REQUIRE(run_until(io, [&] { return s.ended->has_value(); }));
  }
}

BOOST_AUTO_TEST_CASE(per_operation_cancellation_aborts_the_request) {
  ahttp::request_scope scope(asioctx::background(), get(), options);
  result r;
  sleeper s;
  net::cancellation_signal signal;
  ahttp::async_serve(stream, scope, get(), s, net::bind_cancellation_slot(signal.slot(), r.handler()));
  BOOST_REQUIRE(run_until(
                    io, [&] { return r.ec.has_value(); }, 100ms) == false);
  signal.emit(net::cancellation_type::terminal);
  BOOST_REQUIRE(run_until(io, [&] { return r.ec.has_value(); }));
  BOOST_TEST((*r.ec == net::error::operation_aborted));
  BOOST_TEST(scope.get_context().done());
  BOOST_REQUIRE(run_until(io, [&] { return s.ended->has_value(); }));
}

BOOST_AUTO_TEST_CASE(co_await_gets_the_deadline_answer_without_throwing) {
  options.handler_timeout = 30ms;
  std::optional<unsigned> status;
  net::co_spawn(
      stream.get_executor(),
      [&]() -> net::awaitable<void> {
        ahttp::request_scope scope(asioctx::background(), get(), options);
        // A named handler: g++ 12 destroys a temporary among a co_await's arguments twice.
        const sleeper s;
        ahttp::response res = co_await ahttp::async_serve(stream, scope, get(), s, net::use_awaitable);
        status = res.result_int();
      },
      net::detached);
  BOOST_REQUIRE(run_until(io, [&] { return status.has_value(); }));
  BOOST_TEST(*status == 504u);
}

BOOST_AUTO_TEST_SUITE_END()
