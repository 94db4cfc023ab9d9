// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tests asioctx/http/timeout_header.hpp: budget header parsing, formatting, deadline arithmetic.
#include <asioctx/http/timeout_header.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace std::chrono;
using namespace std::chrono_literals;
namespace ahttp = asioctx::http;

BOOST_AUTO_TEST_SUITE(test_timeout_header)

BOOST_AUTO_TEST_CASE(grpc_every_unit) {
  BOOST_TEST(ahttp::parse_grpc_timeout("7n").value() == 7ns);
  BOOST_TEST(ahttp::parse_grpc_timeout("7u").value() == 7us);
  BOOST_TEST(ahttp::parse_grpc_timeout("7m").value() == 7ms);
  BOOST_TEST(ahttp::parse_grpc_timeout("7S").value() == 7s);
  BOOST_TEST(ahttp::parse_grpc_timeout("7M").value() == 7min);
  BOOST_TEST(ahttp::parse_grpc_timeout("7H").value() == 7h);
  BOOST_TEST(ahttp::parse_grpc_timeout("0m").value() == 0ns);
  BOOST_TEST(ahttp::parse_grpc_timeout("00000001S").value() == 1s);
  BOOST_TEST(ahttp::parse_grpc_timeout("99999999m").value() == 99999999ms);
  BOOST_TEST(ahttp::parse_grpc_timeout(" \t100m\t ").value() == 100ms);  // OWS is not the value
}

BOOST_AUTO_TEST_CASE(grpc_malformed) {
  for (const char* bad :
       {"",    "m",    "1",     "12",         "100", "1s", "1h",  "1x",   "1 m",   "-1m",
        "+1m", "1.5S", "0x10m", "123456789m", "1mm", "m1", "１m", "1\0m", "100ms", "S100"}) {
    BOOST_TEST_CONTEXT("value '" << bad << "'") { BOOST_TEST(!ahttp::parse_grpc_timeout(bad).has_value()); }
  }
  BOOST_TEST(!ahttp::parse_grpc_timeout(std::string_view("1\0m", 3)).has_value());
}

BOOST_AUTO_TEST_CASE(grpc_overflow_saturates) {
  // 99999999 hours do not fit in int64 nanoseconds.
  BOOST_TEST(ahttp::parse_grpc_timeout("99999999H").value() == nanoseconds::max());
  BOOST_TEST(ahttp::parse_grpc_timeout("99999999M").value() == minutes(99999999));
  BOOST_TEST(ahttp::parse_grpc_timeout("99999999S").value() == 99999999s);
  BOOST_TEST(ahttp::parse_grpc_timeout("2562047H").value() == 2562047h);  // the largest that fits
  BOOST_TEST(ahttp::parse_grpc_timeout("2562048H").value() == nanoseconds::max());
}

BOOST_AUTO_TEST_CASE(envoy_values) {
  BOOST_TEST(ahttp::parse_envoy_timeout_ms("0").value() == 0ns);
  BOOST_TEST(ahttp::parse_envoy_timeout_ms("1500").value() == 1500ms);
  BOOST_TEST(ahttp::parse_envoy_timeout_ms(" 15 ").value() == 15ms);
  BOOST_TEST(ahttp::parse_envoy_timeout_ms("99999999999999999999999").value() == nanoseconds::max());
  BOOST_TEST(ahttp::parse_envoy_timeout_ms("9223372036854775807").value() == nanoseconds::max());
  for (const char* bad : {"", " ", "-1", "+1", "1.5", "1e3", "15ms", "1 5", "0x10", "abc"}) {
    BOOST_TEST_CONTEXT("value '" << bad << "'") {
      BOOST_TEST(!ahttp::parse_envoy_timeout_ms(bad).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(format_rounds_up_in_the_finest_unit) {
  BOOST_TEST(ahttp::format_grpc_timeout(0ns) == "0n");
  BOOST_TEST(ahttp::format_grpc_timeout(-5s) == "0n");
  BOOST_TEST(ahttp::format_grpc_timeout(1ns) == "1n");
  BOOST_TEST(ahttp::format_grpc_timeout(99999999ns) == "99999999n");
  BOOST_TEST(ahttp::format_grpc_timeout(100000000ns) == "100000u");
  BOOST_TEST(ahttp::format_grpc_timeout(100000001ns) == "100001u");  // rounded up
  BOOST_TEST(ahttp::format_grpc_timeout(1500ms) == "1500000u");
  BOOST_TEST(ahttp::format_grpc_timeout(100s + 1ns) == "100001m");
  BOOST_TEST(ahttp::format_grpc_timeout(hours(1000)) == "3600000S");
  BOOST_TEST(ahttp::format_grpc_timeout(hours(100000)) == "6000000M");
  BOOST_TEST(ahttp::format_grpc_timeout(nanoseconds::max()) == "2562048H");
}

BOOST_AUTO_TEST_CASE(format_parse_round_trip_never_shrinks) {
  for (nanoseconds d : {1ns, 999ns, 123456789ns, nanoseconds(1234567891234), nanoseconds(987654321987654321),
                        nanoseconds::max() - 1ns}) {
    const std::string s = ahttp::format_grpc_timeout(d);
    BOOST_TEST_CONTEXT(s) {
      BOOST_TEST(s.size() <= 9u);
      auto back = ahttp::parse_grpc_timeout(s);
      BOOST_REQUIRE(back.has_value());
      BOOST_TEST(back->count() >= d.count());
    }
  }
}

BOOST_AUTO_TEST_CASE(deadline_arithmetic) {
  const auto now = steady_clock::now();
  // min(server timeout, caller budget)
  BOOST_TEST((ahttp::request_deadline(now, 30s, std::nullopt).value() == now + 30s));
  BOOST_TEST((ahttp::request_deadline(now, 30s, nanoseconds(2s)).value() == now + 2s));
  BOOST_TEST((ahttp::request_deadline(now, 1s, nanoseconds(2s)).value() == now + 1s));
  BOOST_TEST((ahttp::request_deadline(now, 0s, nanoseconds(2s)).value() == now + 2s));
  BOOST_TEST(!ahttp::request_deadline(now, 0s, std::nullopt).has_value());
  BOOST_TEST((ahttp::request_deadline(now, 30s, nanoseconds(0)).value() == now));
  // A saturated budget does not overflow.
  BOOST_TEST(
      (ahttp::request_deadline(now, 0s, nanoseconds::max()).value() == steady_clock::time_point::max()));
  BOOST_TEST(
      (ahttp::saturating_add(steady_clock::time_point::max() - 1s, 2s) == steady_clock::time_point::max()));
  BOOST_TEST((ahttp::saturating_add(now, -1s) == now - 1s));
  BOOST_TEST(ahttp::remaining(now + 250ms, now) == 250ms);
  BOOST_TEST(ahttp::remaining(now - 1ms, now) == 0ns);
  BOOST_TEST(ahttp::remaining(steady_clock::time_point::max(), now) > hours(24 * 365));
}

BOOST_AUTO_TEST_SUITE_END()
