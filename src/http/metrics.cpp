// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/metrics.cpp: Prometheus text exposition and the http error category.
//

#include <asioctx/http/error.hpp>
#include <asioctx/http/metrics.hpp>

namespace asioctx {
namespace http {
namespace {

class http_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "asioctx.http"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::client_disconnected:
        return "client disconnected";
      case error::shutting_down:
        return "server shutting down";
    }
    return "unknown asioctx.http error";
  }
};

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const http_category_impl instance;
  return instance;
}

void write_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                  std::int64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void metrics::write_prometheus(std::string& out) const {
  const auto counter = [&](std::string_view name, std::string_view help, const auto& v) {
    write_metric(out, name, "counter", help, static_cast<std::int64_t>(v.load(std::memory_order_relaxed)));
  };
  const auto gauge = [&](std::string_view name, std::string_view help, const auto& v) {
    write_metric(out, name, "gauge", help, static_cast<std::int64_t>(v.load(std::memory_order_relaxed)));
  };
  counter("asioctx_http_requests_total", "Requests dispatched.", requests_total);
  counter("asioctx_http_deadline_exceeded_total", "Requests answered with the deadline status.",
          deadline_exceeded_total);
  counter("asioctx_http_client_disconnects_total", "Requests cancelled because the client went away.",
          client_disconnects_total);
  counter("asioctx_http_malformed_timeout_headers_total", "Malformed budget header values ignored.",
          malformed_timeout_headers_total);
  counter("asioctx_http_shutdown_canceled_total",
          "In-flight requests cancelled at the end of the grace period.", shutdown_canceled_total);
  counter("asioctx_http_handler_errors_total", "Handlers that failed (answered 500).", handler_errors_total);
  counter("asioctx_http_bad_requests_total", "Requests rejected before a handler ran.", bad_requests_total);
  counter("asioctx_http_io_timeouts_total", "Connections closed for a slow client.", io_timeouts_total);
  counter("asioctx_http_connections_total", "Connections accepted.", connections_total);
  gauge("asioctx_http_inflight_requests", "Handlers running now.", inflight_requests);
  gauge("asioctx_http_open_connections", "Connections open now.", open_connections);
}

}  // namespace http
}  // namespace asioctx
