// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/timeout_header.hpp
//
// The caller's time budget as HTTP headers: gRPC's `grpc-timeout` and Envoy's
// `x-envoy-expected-rq-timeout-ms`, parsed and formatted, and the deadline arithmetic around them.
// Depends on the standard library only (the fuzz target builds it alone).
//

#ifndef ASIOCTX_HTTP_TIMEOUT_HEADER_HPP
#define ASIOCTX_HTTP_TIMEOUT_HEADER_HPP

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace asioctx {
namespace http {

/// The name of gRPC's budget header.
inline constexpr std::string_view grpc_timeout_field = "grpc-timeout";
/// The name of Envoy's budget header.
inline constexpr std::string_view envoy_timeout_field = "x-envoy-expected-rq-timeout-ms";

/// The name of Connect's budget header.
inline constexpr std::string_view connect_timeout_field = "connect-timeout-ms";

/// The largest value a `connect-timeout-ms` may carry: ten decimal digits.
inline constexpr long long connect_timeout_max_value = 9'999'999'999;

/// The largest value a `grpc-timeout` may carry: eight decimal digits.
inline constexpr long long grpc_timeout_max_value = 99'999'999;

/// Parses a `grpc-timeout` value, `^[0-9]{1,8}[HMSmun]$` (surrounding spaces and tabs ignored).
/**
 * Returns the budget, saturated at `nanoseconds::max()` (8 digits of hours overflow it), or
 * nullopt if the value is malformed. "0m" is a valid, spent budget.
 */
std::optional<std::chrono::nanoseconds> parse_grpc_timeout(std::string_view value) noexcept;

/// Parses an `x-envoy-expected-rq-timeout-ms` value: whole milliseconds, `^[0-9]+$`.
/**
 * Surrounding spaces and tabs are ignored; the result saturates at `nanoseconds::max()`; nullopt
 * if the value is malformed. 0 is a valid, spent budget.
 */
std::optional<std::chrono::nanoseconds> parse_envoy_timeout_ms(std::string_view value) noexcept;

/// Parses a `connect-timeout-ms` value: whole milliseconds, `^[0-9]{1,10}$` (Connect's limit).
/**
 * Surrounding spaces and tabs are ignored; nullopt if the value is malformed (eleven digits or
 * more included). 0 is a valid, spent budget.
 */
std::optional<std::chrono::nanoseconds> parse_connect_timeout_ms(std::string_view value) noexcept;

/// Formats a budget as whole milliseconds, rounded up (for `x-envoy-expected-rq-timeout-ms` and
/// `connect-timeout-ms`), at most `max_value`. A budget of zero or less gives "0".
std::string format_timeout_ms(std::chrono::nanoseconds budget,
                              long long max_value = connect_timeout_max_value);

/// Formats a budget as a `grpc-timeout` value, rounded up, in the finest unit that fits 8 digits.
/**
 * The result never promises less time than `budget`, and is the smallest value that does in
 * its unit. A budget of zero or less gives "0n".
 */
std::string format_grpc_timeout(std::chrono::nanoseconds budget);

/// `now + d`, saturating at the clock's maximum instead of overflowing (d may be negative).
std::chrono::steady_clock::time_point saturating_add(std::chrono::steady_clock::time_point now,
                                                     std::chrono::nanoseconds d) noexcept;

/// A request's deadline: now plus the smaller of the server's timeout and the caller's budget.
/**
 * A non-positive server timeout means none; no timeout and no budget gives nullopt.
 */
std::optional<std::chrono::steady_clock::time_point> request_deadline(
    std::chrono::steady_clock::time_point now, std::chrono::nanoseconds server_timeout,
    std::optional<std::chrono::nanoseconds> caller_budget) noexcept;

/// The time left until deadline, zero if it has passed (never negative).
std::chrono::nanoseconds remaining(std::chrono::steady_clock::time_point deadline,
                                   std::chrono::steady_clock::time_point now) noexcept;

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_TIMEOUT_HEADER_HPP
