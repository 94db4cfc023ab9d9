// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/timeout_header.cpp: budget headers and deadline arithmetic (standard library only).
//

#include <asioctx/http/timeout_header.hpp>

#include "text.hpp"

#include <asioctx/detail/chrono.hpp>

#include <cstdint>
#include <limits>

namespace asioctx {
namespace http {
namespace {

using std::chrono::nanoseconds;
using rep = nanoseconds::rep;

constexpr rep rep_max = std::numeric_limits<rep>::max();

using detail::trim_ows;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// value * unit_ns, saturating; both non-negative.
rep saturating_mul(rep value, rep unit_ns) noexcept {
  if (value != 0 && unit_ns > rep_max / value) return rep_max;
  return value * unit_ns;
}

struct unit {
  char suffix;
  rep ns;
};
constexpr unit units[] = {{'n', 1},
                          {'u', 1'000},
                          {'m', 1'000'000},
                          {'S', 1'000'000'000},
                          {'M', 60LL * 1'000'000'000},
                          {'H', 3600LL * 1'000'000'000}};

}  // namespace

std::optional<nanoseconds> parse_grpc_timeout(std::string_view value) noexcept {
  value = trim_ows(value);
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  const char suffix = value.back();
  value.remove_suffix(1);
  rep n = 0;
  for (char c : value) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + (c - '0');  // at most 8 digits: no overflow
  }
  for (const unit& u : units)
    if (u.suffix == suffix) return nanoseconds(saturating_mul(n, u.ns));
  return std::nullopt;
}

std::optional<nanoseconds> parse_envoy_timeout_ms(std::string_view value) noexcept {
  value = trim_ows(value);
  if (value.empty()) return std::nullopt;
  rep ms = 0;
  for (char c : value) {
    if (!is_digit(c)) return std::nullopt;
    const rep d = c - '0';
    ms = ms > (rep_max - d) / 10 ? rep_max : ms * 10 + d;
  }
  return nanoseconds(saturating_mul(ms, 1'000'000));
}

std::optional<nanoseconds> parse_connect_timeout_ms(std::string_view value) noexcept {
  const std::string_view digits = trim_ows(value);
  if (digits.size() > 10) return std::nullopt;
  return parse_envoy_timeout_ms(digits);
}

std::string format_timeout_ms(nanoseconds budget, long long max_value) {
  if (budget <= nanoseconds::zero()) return "0";
  const rep ns = budget.count();
  const rep ms = ns / 1'000'000 + (ns % 1'000'000 != 0 ? 1 : 0);
  return std::to_string(ms < max_value ? ms : max_value);
}

std::string format_grpc_timeout(nanoseconds budget) {
  if (budget <= nanoseconds::zero()) return "0n";
  const rep ns = budget.count();
  for (const unit& u : units) {
    // Rounded up: truncating would turn a small live budget into "0", a spent one.
    const rep v = ns / u.ns + (ns % u.ns != 0 ? 1 : 0);
    if (v <= grpc_timeout_max_value) return std::to_string(v) + u.suffix;
  }
  return std::to_string(grpc_timeout_max_value) + 'H';  // unreachable: int64 ns < 1e8 hours
}

std::chrono::steady_clock::time_point saturating_add(std::chrono::steady_clock::time_point now,
                                                     nanoseconds d) noexcept {
  return asioctx::detail::saturating_add(now, d);
}

std::optional<std::chrono::steady_clock::time_point> request_deadline(
    std::chrono::steady_clock::time_point now, nanoseconds server_timeout,
    std::optional<nanoseconds> caller_budget) noexcept {
  std::optional<nanoseconds> budget;
  if (server_timeout > nanoseconds::zero()) budget = server_timeout;
  if (caller_budget && (!budget || *caller_budget < *budget)) budget = caller_budget;
  if (!budget) return std::nullopt;
  return saturating_add(now, *budget);
}

nanoseconds remaining(std::chrono::steady_clock::time_point deadline,
                      std::chrono::steady_clock::time_point now) noexcept {
  return asioctx::detail::remaining<nanoseconds>(deadline, now);
}

}  // namespace http
}  // namespace asioctx
