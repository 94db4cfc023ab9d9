// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Compiled with BOOST_ASIO_NO_TS_EXECUTORS (Asio's standard executors only: io_context's executor
// has no context() member): every way of reaching an executor's execution context compiles.
#include <asioctx/after_func.hpp>
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>

#if !defined(BOOST_ASIO_NO_TS_EXECUTORS)
#error "compile with -DBOOST_ASIO_NO_TS_EXECUTORS"
#endif

int main() {
  namespace net = boost::asio;
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(io, asioctx::background(), std::chrono::seconds(1));
  net::steady_timer timer(io);
  auto strand = net::make_strand(io);
  auto h = [](asioctx::error_code) {};
  timer.async_wait(asioctx::bind(ctx, h));  // an any_io_executor over an io_context
  timer.async_wait(asioctx::bind(ctx, net::bind_executor(io.get_executor(), h)));
  timer.async_wait(asioctx::bind(ctx, net::bind_executor(strand, h)));
  net::post(io, asioctx::bind(ctx, [] {}));
  asioctx::async_wait(ctx, net::bind_executor(io.get_executor(), h));
  auto stop = asioctx::after_func(ctx, io.get_executor(), [] {});
  (void)stop;
  cancel();
  io.run();
}
