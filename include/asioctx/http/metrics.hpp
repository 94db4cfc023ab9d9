// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/metrics.hpp
//
// The HTTP module's counters, and their Prometheus text exposition.
//

#ifndef ASIOCTX_HTTP_METRICS_HPP
#define ASIOCTX_HTTP_METRICS_HPP

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace asioctx {
namespace http {

/// A server's counters. Every member may be read from any thread (relaxed atomics).
struct metrics {
  /// Requests read completely and dispatched (handled, or answered at once for a spent budget).
  std::atomic<std::uint64_t> requests_total{0};
  /// Requests answered with the deadline status (spent budget included).
  std::atomic<std::uint64_t> deadline_exceeded_total{0};
  /// Requests whose client closed or reset the connection while they were handled ("499").
  std::atomic<std::uint64_t> client_disconnects_total{0};
  /// Budget header values ignored because they were malformed.
  std::atomic<std::uint64_t> malformed_timeout_headers_total{0};
  /// In-flight requests cancelled because the shutdown grace period ran out.
  std::atomic<std::uint64_t> shutdown_canceled_total{0};
  /// Handlers that threw something other than their context's error (answered 500).
  std::atomic<std::uint64_t> handler_errors_total{0};
  /// Requests rejected before any handler ran: unparsable, or over a size limit.
  std::atomic<std::uint64_t> bad_requests_total{0};
  /// Connections closed because the client was too slow sending a request or reading a response.
  std::atomic<std::uint64_t> io_timeouts_total{0};
  /// Connections accepted.
  std::atomic<std::uint64_t> connections_total{0};
  /// Handlers running now (a handler abandoned at its deadline counts until it returns).
  std::atomic<std::int64_t> inflight_requests{0};
  /// Connections open now.
  std::atomic<std::int64_t> open_connections{0};

  /// Appends every metric in the Prometheus text format (version 0.0.4).
  void write_prometheus(std::string& out) const;

  /// write_prometheus() into a new string.
  std::string to_prometheus() const {
    std::string out;
    write_prometheus(out);
    return out;
  }
};

/// Appends one metric (HELP, TYPE, sample) in the Prometheus text format.
/**
 * `type` is "counter" or "gauge"; `name` must be a valid metric name.
 */
void write_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                  std::int64_t value);

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_METRICS_HPP
