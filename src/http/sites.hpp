// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/sites.hpp: the call sites the server's own cancels record (internal).
//
// cancel_site() of a request context says who ended it. A shutdown records the user's call that
// led to it (async_shutdown, or the server's construction for ~server); the events no user call
// causes are named by these sites, whose function_name() says what happened.
//

#ifndef ASIOCTX_SRC_HTTP_SITES_HPP
#define ASIOCTX_SRC_HTTP_SITES_HPP

#include <asioctx/context.hpp>
#include <asioctx/http/request_scope.hpp>

namespace asioctx {
namespace http {
namespace detail {
namespace site {

constexpr source_location handler_timeout{__FILE__, __LINE__,
                                          "asioctx::http: the handler timeout (handler_timeout)"};
constexpr source_location grpc_timeout{__FILE__, __LINE__, "asioctx::http: the caller's grpc-timeout"};
constexpr source_location envoy_timeout{__FILE__, __LINE__,
                                        "asioctx::http: the caller's x-envoy-expected-rq-timeout-ms"};
constexpr source_location connect_timeout{__FILE__, __LINE__,
                                          "asioctx::http: the caller's connect-timeout-ms"};
// The site of a budget header (of(none) is the handler timeout's).
constexpr const source_location& of(budget_source source) noexcept {
  switch (source) {
    case budget_source::grpc_timeout:
      return grpc_timeout;
    case budget_source::envoy_timeout_ms:
      return envoy_timeout;
    case budget_source::connect_timeout_ms:
      return connect_timeout;
    case budget_source::none:
      break;
  }
  return handler_timeout;
}

constexpr source_location client_disconnected{__FILE__, __LINE__,
                                              "asioctx::http: the client closed or reset the connection"};
constexpr source_location handler_returned{__FILE__, __LINE__, "asioctx::http: the handler returned"};
constexpr source_location connection_ended{__FILE__, __LINE__, "asioctx::http: the connection ended"};

}  // namespace site
}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_SITES_HPP
