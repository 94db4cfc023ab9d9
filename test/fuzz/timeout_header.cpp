// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// libFuzzer target for asioctx/http/timeout_header.hpp: the budget header parsers never crash,
// accept exactly gRPC's and Connect's grammars, and what they accept formats back to a budget no
// smaller.
#include <asioctx/http/timeout_header.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// ^[0-9]{1,8}[HMSmun]$ after trimming spaces and tabs, written independently of the parser.
bool grpc_grammar(std::string_view v) {
  while (!v.empty() && is_ows(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_ows(v.back())) v.remove_suffix(1);
  if (v.size() < 2 || v.size() > 9) return false;
  if (std::string_view("HMSmun").find(v.back()) == std::string_view::npos) return false;
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

// ^[0-9]{1,10}$ after trimming spaces and tabs (Connect's connect-timeout-ms).
bool connect_grammar(std::string_view v) {
  while (!v.empty() && is_ows(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_ows(v.back())) v.remove_suffix(1);
  if (v.empty() || v.size() > 10) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  namespace ahttp = asioctx::http;

  const auto grpc = ahttp::parse_grpc_timeout(input);
  check(grpc.has_value() == grpc_grammar(input));
  if (grpc) {
    check(grpc->count() >= 0);
    const std::string formatted = ahttp::format_grpc_timeout(*grpc);
    check(formatted.size() <= 9 && grpc_grammar(formatted));
    const auto back = ahttp::parse_grpc_timeout(formatted);
    check(back.has_value() && *back >= *grpc);
  }

  const auto envoy = ahttp::parse_envoy_timeout_ms(input);
  if (envoy) check(envoy->count() >= 0);

  const auto connect = ahttp::parse_connect_timeout_ms(input);
  check(connect.has_value() == connect_grammar(input));
  if (connect) {
    check(connect->count() >= 0);
    const auto back = ahttp::parse_connect_timeout_ms(ahttp::format_timeout_ms(*connect));
    check(back.has_value() && *back == *connect);
  }

  // Deadline arithmetic with arbitrary budgets never overflows.
  if (grpc || envoy || connect) {
    const auto now = std::chrono::steady_clock::now();
    const auto d = ahttp::request_deadline(now, std::chrono::seconds(30),
                                           grpc    ? grpc
                                           : envoy ? envoy
                                                   : connect);
    check(d.has_value() && *d >= now && *d <= now + std::chrono::seconds(30));
  }
  return 0;
}
