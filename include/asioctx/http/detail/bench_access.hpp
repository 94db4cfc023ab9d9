// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/detail/bench_access.hpp
//
// Internal: the one door to server settings that exist for measuring, not for production.
//

#ifndef ASIOCTX_HTTP_DETAIL_BENCH_ACCESS_HPP
#define ASIOCTX_HTTP_DETAIL_BENCH_ACCESS_HPP

#include <asioctx/http/server.hpp>

namespace asioctx {
namespace http {
namespace detail {

/// Internal, for bench/: not part of the interface.
struct bench_access {
  /// Runs s's handlers without request contexts (background(), no deadline, no disconnect
  /// detection), to measure what the contexts cost. Call before start().
  static void disable_request_contexts(server& s);
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_DETAIL_BENCH_ACCESS_HPP
