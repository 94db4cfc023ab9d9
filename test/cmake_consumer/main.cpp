// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Uses only the public API: a deadline enforced on an io_context, and the HTTP module's budget
// header for what is left of it (a function compiled into asioctx::http).
#include <asioctx.hpp>
#include <asioctx/http/timeout_header.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>

static_assert(ASIOCTX_VERSION >= 100, "asioctx/version.hpp comes with <asioctx.hpp>");

int main() {
  boost::asio::io_context io;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [ctx, cancel] = asioctx::with_timeout(io, parent, std::chrono::milliseconds(1));
  std::string budget = asioctx::http::format_grpc_timeout(*ctx.deadline() - asioctx::clock::now());
  bool ran = false;
  auto stop = asioctx::after_func(ctx, io, [&] { ran = true; });
  io.run();
  std::cout << "asioctx " << ASIOCTX_VERSION_STRING << ": " << ctx << ", budget was " << budget << '\n';
  cancel();
  cancel_parent();
  return ran && ctx.err() == asioctx::error::deadline_exceeded && !stop() && !budget.empty() ? 0 : 1;
}
