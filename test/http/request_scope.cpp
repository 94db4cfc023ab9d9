// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// request_scope: the request's budget, context, protocol and the answers made for its handler.
#include <asioctx/http/request_scope.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

namespace {

namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using namespace std::chrono_literals;

ahttp::request make(std::initializer_list<std::pair<std::string, std::string>> fields,
                    bhttp::verb method = bhttp::verb::post, std::string target = "/svc.v1.Svc/Call") {
  ahttp::request req(method, target, 11);
  for (const auto& [name, value] : fields) req.insert(name, value);
  return req;
}

ahttp::request connect_unary(std::initializer_list<std::pair<std::string, std::string>> more = {}) {
  ahttp::request req = make({{"Connect-Protocol-Version", "1"}, {"Content-Type", "application/json"}});
  for (const auto& [name, value] : more) req.insert(name, value);
  return req;
}

std::chrono::nanoseconds left(const asioctx::context& ctx) {
  BOOST_REQUIRE(ctx.deadline());
  return *ctx.deadline() - asioctx::clock::now();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_request_scope)

BOOST_AUTO_TEST_CASE(read_budget_takes_the_smallest_well_formed_value) {
  const auto b = ahttp::read_budget(make({{"grpc-timeout", "2S"},
                                          {"X-Envoy-Expected-Rq-Timeout-Ms", "1500"},
                                          {"connect-timeout-ms", "abc"},
                                          {"grpc-timeout", "1x"}}));
  BOOST_REQUIRE(b.left);
  BOOST_TEST(b.left->count() == 1'500'000'000);
  BOOST_TEST((b.source == ahttp::budget_source::envoy_timeout_ms));
  BOOST_TEST(b.malformed == 2u);
  BOOST_TEST(b.malformed_connect);

  const auto none = ahttp::read_budget(make({{"x-other", "5"}}));
  BOOST_TEST(!none.left);
  BOOST_TEST((none.source == ahttp::budget_source::none));
  BOOST_TEST(none.malformed == 0u);
  BOOST_TEST(!none.malformed_connect);

  const auto connect = ahttp::read_budget(make({{"Connect-Timeout-Ms", "150"}}));
  BOOST_TEST((connect.source == ahttp::budget_source::connect_timeout_ms));
  BOOST_TEST(connect.left->count() == 150'000'000);
}

BOOST_AUTO_TEST_CASE(detect_protocol_follows_connect) {
  using p = ahttp::request_protocol;
  BOOST_TEST((ahttp::detect_protocol(make({})) == p::http));
  // A plain JSON API is not Connect without the protocol header.
  BOOST_TEST((ahttp::detect_protocol(make({{"Content-Type", "application/json"}})) == p::http));
  BOOST_TEST((ahttp::detect_protocol(connect_unary()) == p::connect_unary));
  BOOST_TEST((ahttp::detect_protocol(make({{"connect-protocol-version", "1"}})) == p::connect_unary));
  BOOST_TEST(
      (ahttp::detect_protocol(make({{"Content-Type", "application/connect+json"}})) == p::connect_stream));
  BOOST_TEST(
      (ahttp::detect_protocol(make({{"Content-Type", "Application/Connect+Proto"}})) == p::connect_stream));
  BOOST_TEST((ahttp::detect_protocol(make({{"Content-Type", "application/connect+json; charset=utf-8"}})) ==
              p::connect_stream));
  BOOST_TEST((ahttp::detect_protocol(make({{"Content-Type", "application/connect+xml"}})) == p::http));
  BOOST_TEST((ahttp::detect_protocol(make({}, bhttp::verb::get,
                                          "/svc.v1.Svc/Call?encoding=json&connect=v1")) == p::connect_unary));
  BOOST_TEST((ahttp::detect_protocol(make({}, bhttp::verb::get, "/x?connect=v10")) == p::http));
}

BOOST_AUTO_TEST_CASE(deadline_is_the_smaller_of_timeout_and_budget) {
  ahttp::request_options o;
  o.handler_timeout = 10s;
  {
    ahttp::request_scope s(asioctx::background(), make({{"grpc-timeout", "200m"}}), o);
    BOOST_TEST((left(s.get_context()) <= 200ms));
    BOOST_TEST((left(s.get_context()) > 100ms));
    BOOST_TEST(!s.early_answer());
  }
  {
    ahttp::request_scope s(asioctx::background(), make({{"grpc-timeout", "1H"}}), o);
    BOOST_TEST((left(s.get_context()) <= 10s));
    BOOST_TEST((left(s.get_context()) > 9s));
  }
  for (auto none :
       {std::chrono::nanoseconds::zero(), std::chrono::nanoseconds(-5), std::chrono::nanoseconds::max()}) {
    o.handler_timeout = none;  // no limit of the server's own, never an overflow
    ahttp::request_scope s(asioctx::background(), make({}), o);
    BOOST_TEST(!s.get_context().deadline());
    BOOST_TEST(!s.get_context().done());
  }
}

BOOST_AUTO_TEST_CASE(the_scope_ends_its_context_and_never_its_parent) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  asioctx::context seen;
  {
    ahttp::request_scope s(parent, make({}));
    seen = s.get_context();
    BOOST_TEST(!seen.done());
    cancel_parent();
    BOOST_TEST((seen.err() == asioctx::error::canceled));  // the connection's end reaches it
  }
  auto [parent2, cancel2] = asioctx::with_cancel(asioctx::background());
  {
    ahttp::request_scope s(parent2, make({}));
    seen = s.get_context();
  }
  BOOST_TEST((seen.err() == asioctx::error::canceled));  // Go's defer cancel()
  BOOST_TEST(asioctx::cancel_site(seen).line() != 0u);
  BOOST_TEST(!parent2.done());
  cancel2();
}

BOOST_AUTO_TEST_CASE(a_spent_budget_is_known_before_the_handler) {
  for (const char* spent : {"0m", "0n", "0S"}) {
    ahttp::request_scope s(asioctx::background(), make({{"grpc-timeout", spent}}));
    BOOST_TEST((s.early_answer() == ahttp::answer_kind::budget_spent));
    const ahttp::response r = s.answer(*s.early_answer());
    BOOST_TEST(r.result_int() == 504u);
    BOOST_TEST(r["x-asioctx-deadline-exceeded"] == "1");
    BOOST_TEST(r[bhttp::field::content_type] == "text/plain");
  }
  ahttp::request_scope s(asioctx::background(), connect_unary({{"connect-timeout-ms", "0"}}));
  BOOST_TEST((s.early_answer() == ahttp::answer_kind::budget_spent));
  const ahttp::response r = s.answer(*s.early_answer());
  BOOST_TEST(r.result_int() == 504u);
  BOOST_TEST(r[bhttp::field::content_type] == "application/json");
  BOOST_TEST(r.body().find(R"("code":"deadline_exceeded")") != std::string::npos);
  BOOST_TEST(r["x-asioctx-deadline-exceeded"] == "1");
}

// What connect-es answers invalid_argument; anything else than ^[0-9]{1,10}$.
BOOST_AUTO_TEST_CASE(a_malformed_connect_timeout_refuses_a_connect_request_only) {
  for (const char* bad : {"-1", "abc", "12345678901", "1.5", "", "+150", "150 ms", "1e3"}) {
    BOOST_TEST_CONTEXT("connect-timeout-ms: '" << bad << "'") {
      ahttp::request_scope c(asioctx::background(), connect_unary({{"connect-timeout-ms", bad}}));
      BOOST_TEST((c.early_answer() == ahttp::answer_kind::invalid_budget));
      const ahttp::response r = c.answer(*c.early_answer());
      BOOST_TEST(r.result_int() == 400u);
      BOOST_TEST(r[bhttp::field::content_type] == "application/json");
      BOOST_TEST(r.body().find(R"({"code":"invalid_argument","message":")") == 0u);
      BOOST_TEST(r.count("x-asioctx-deadline-exceeded") == 0u);
      BOOST_TEST(r.keep_alive());

      // DESIGN: for others, counted and ignored; the handler timeout stands.
      ahttp::request_scope plain(asioctx::background(), make({{"connect-timeout-ms", bad}}));
      BOOST_TEST(!plain.early_answer());
      BOOST_TEST(plain.budget().malformed == 1u);
      BOOST_TEST((left(plain.get_context()) > 29s));
    }
  }
  // Surrounding blanks are not part of the value (Node trims them too).
  ahttp::request_scope ok(asioctx::background(), connect_unary({{"connect-timeout-ms", " 150 "}}));
  BOOST_TEST(!ok.early_answer());
  BOOST_TEST((left(ok.get_context()) <= 150ms));
  // A malformed grpc-timeout on a Connect request is counted and ignored.
  ahttp::request_scope g(asioctx::background(), connect_unary({{"grpc-timeout", "abc"}}));
  BOOST_TEST(!g.early_answer());
}

BOOST_AUTO_TEST_CASE(answers_in_plain_http) {
  ahttp::request_options o;
  o.deadline_status = 408;
  o.shutdown_status = 502;
  o.deadline_header = "x-deadline";
  ahttp::request req = make({});
  req.version(10);
  req.keep_alive(true);
  ahttp::request_scope s(asioctx::background(), req, o);
  const ahttp::response d = s.answer(ahttp::answer_kind::deadline_exceeded);
  BOOST_TEST(d.result_int() == 408u);
  BOOST_TEST(d.version() == 10u);
  BOOST_TEST(d.keep_alive());
  BOOST_TEST(d.body() == "deadline exceeded\n");
  BOOST_TEST(d["x-deadline"] == "1");
  BOOST_TEST(d[bhttp::field::content_length] == "18");
  const ahttp::response u = s.answer(ahttp::answer_kind::shutting_down);
  BOOST_TEST(u.result_int() == 502u);
  BOOST_TEST(!u.keep_alive());  // the connection closes
  BOOST_TEST(u.count("x-deadline") == 0u);
  BOOST_TEST(s.answer(ahttp::answer_kind::handler_failed).result_int() == 500u);
  o.deadline_header.clear();
  BOOST_TEST(s.answer(ahttp::answer_kind::deadline_exceeded).count("x-deadline") == 0u);
}

BOOST_AUTO_TEST_CASE(answers_in_connect_unary_format) {
  ahttp::request_scope s(asioctx::background(), connect_unary());
  const std::pair<ahttp::answer_kind, std::pair<unsigned, std::string>> cases[] = {
      {ahttp::answer_kind::deadline_exceeded, {504, "deadline_exceeded"}},
      {ahttp::answer_kind::budget_spent, {504, "deadline_exceeded"}},
      {ahttp::answer_kind::shutting_down, {503, "unavailable"}},
      {ahttp::answer_kind::handler_failed, {500, "internal"}},
      {ahttp::answer_kind::invalid_budget, {400, "invalid_argument"}},
  };
  for (const auto& [kind, expected] : cases) {
    const ahttp::response r = s.answer(kind);
    BOOST_TEST(r.result_int() == expected.first);
    BOOST_TEST(r[bhttp::field::content_type] == "application/json");
    BOOST_TEST(r.body().find("{\"code\":\"" + expected.second + "\",\"message\":\"") == 0u);
    BOOST_TEST(r.body().back() == '}');
    const bool deadline = expected.second == "deadline_exceeded";
    BOOST_TEST(r.count("x-asioctx-deadline-exceeded") == (deadline ? 1u : 0u));
  }
}

BOOST_AUTO_TEST_CASE(answers_a_connect_stream_with_its_end_of_stream_message) {
  for (const char* type : {"application/connect+json", "application/connect+proto"}) {
    ahttp::request_scope s(asioctx::background(), make({{"Content-Type", type}}));
    const ahttp::response r = s.answer(ahttp::answer_kind::deadline_exceeded);
    BOOST_TEST(r.result_int() == 200u);  // a stream's error travels in its last message
    BOOST_TEST(r[bhttp::field::content_type] == type);
    BOOST_TEST(r["x-asioctx-deadline-exceeded"] == "1");
    const std::string& body = r.body();
    BOOST_REQUIRE(body.size() > 5u);
    BOOST_TEST(int(body[0]) == 2);  // end of stream
    const std::uint32_t n =
        (std::uint32_t(std::uint8_t(body[1])) << 24) | (std::uint32_t(std::uint8_t(body[2])) << 16) |
        (std::uint32_t(std::uint8_t(body[3])) << 8) | std::uint32_t(std::uint8_t(body[4]));
    BOOST_TEST(n == body.size() - 5);
    BOOST_TEST(body.substr(5).find(R"({"error":{"code":"deadline_exceeded","message":")") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(shape_answer_sees_every_answer_and_the_request) {
  ahttp::request_options o;
  int calls = 0;
  o.shape_answer = [&](ahttp::answer_kind kind, const ahttp::request_header& req, ahttp::response& res) {
    ++calls;
    if (kind == ahttp::answer_kind::deadline_exceeded && req["content-type"] == "application/grpc-web") {
      res.result(bhttp::status::ok);
      res.set("grpc-status", "4");
    }
  };
  ahttp::request_scope s(asioctx::background(), make({{"Content-Type", "application/grpc-web"}}), o);
  const ahttp::response r = s.answer(ahttp::answer_kind::deadline_exceeded);
  BOOST_TEST(calls == 1);
  BOOST_TEST(r.result_int() == 200u);
  BOOST_TEST(r["grpc-status"] == "4");
  BOOST_TEST(r["x-asioctx-deadline-exceeded"] == "1");  // the marker stays unless the hook removes it
}

BOOST_AUTO_TEST_SUITE_END()
