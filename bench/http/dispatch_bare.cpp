// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// bench/http/dispatch_bare.cpp: the request dispatch of http_bench_server_bare, which stands in
// for src/http/dispatch.cpp to measure what request contexts cost. Each handler runs under
// background(): no deadline, no budget header, no disconnect cancellation, no takeover.
// Never part of the library.
//

#include "connection.hpp"
#include "message.hpp"

namespace asioctx {
namespace http {
namespace detail {

net::awaitable<std::optional<response>> connection::dispatch(request req, std::shared_ptr<connection>&,
                                                             bool&) {
  m_.requests_total.fetch_add(1, std::memory_order_relaxed);
  st_.on_serving();
  const unsigned version = req.version();
  m_.inflight_requests.fetch_add(1, std::memory_order_relaxed);
  std::optional<response> res;
  try {
    res = co_await srv_->handler_(background(), std::move(req));
  } catch (...) {
    m_.handler_errors_total.fetch_add(1, std::memory_order_relaxed);
    res = status_response(500, version, "internal server error\n");
  }
  m_.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
  co_return res;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
