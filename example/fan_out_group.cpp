// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tutorial step 4: one request fans out to three upstream calls with asioctx::group, Go's
// errgroup.WithContext: the first failure cancels the siblings, its error is the cause they read
// back with asioctx::cause(), and cancel_site() names the spawn() of the task that failed. Then
// a group with a limit, as errgroup's SetLimit: six tasks, never more than two at once.
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>

namespace net = boost::asio;
using namespace std::chrono_literals;

// "fan_out_group.cpp:80": the file's name without its directories, and the line.
std::string where(const asioctx::source_location& site) {
  std::string file = site.file_name();
  return file.substr(file.find_last_of("/\\") + 1) + ':' + std::to_string(site.line());
}

// Stands in for an upstream call that takes `latency`, then fails with `failure` if it is set.
net::awaitable<void> call_upstream(asioctx::context ctx, std::string name, std::chrono::milliseconds latency,
                                   asioctx::error_code failure) {
  net::steady_timer timer(co_await net::this_coro::executor, latency);
  auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
  if (!ec) ec = failure;
  std::cout << name << ": " << (ec ? ec.message() : "ok");
  if (ec == asioctx::error::canceled)
    std::cout << " (cause: " << asioctx::cause(ctx).message() << ", at " << where(asioctx::cancel_site(ctx))
              << ')';
  std::cout << '\n';
  if (ec) throw boost::system::system_error(ec, name);
}

//[fan_out_group
net::awaitable<void> handle_request(asioctx::context request) {
  auto ex = co_await net::this_coro::executor;
  asioctx::group g(request);  // g, ctx := errgroup.WithContext(request)
  auto refused = make_error_code(boost::system::errc::connection_refused);
  // g.Go(func() error { ... }): each task is a coroutine function given the group's context.
  g.spawn(ex, [](asioctx::context ctx) { return call_upstream(ctx, "users", 10ms, {}); });
  g.spawn(ex, [refused](asioctx::context ctx) { return call_upstream(ctx, "orders", 30ms, refused); });
  g.spawn(ex, [](asioctx::context ctx) { return call_upstream(ctx, "recommendations", 10s, {}); });
  // g.Wait(): resumes once all three have ended, 30ms in, not 10s. Its handler gets the first
  // failure as an exception_ptr, which use_awaitable rethrows here.
  co_await g.async_wait(net::use_awaitable);
}
//]

//[fan_out_limit
// errgroup's SetLimit(2): six thumbnails, at most two rendered at once; the others queue, and no
// thread blocks. Returns how many were rendered.
net::awaitable<int> render_thumbnails(asioctx::context request, int& running, int& peak) {
  auto ex = co_await net::this_coro::executor;
  asioctx::group g(request, 2);
  int rendered = 0;
  for (int i = 0; i < 6; ++i) {
    g.spawn(ex, [&](asioctx::context ctx) -> net::awaitable<void> {
      peak = std::max(peak, ++running);
      net::steady_timer render(co_await net::this_coro::executor, 5ms);
      co_await render.async_wait(asioctx::bind(ctx, net::use_awaitable));
      --running;
      ++rendered;
    });
  }
  co_await g.async_wait(net::use_awaitable);
  co_return rendered;
}
//]

int main() {
  net::io_context io;
  // The request's own deadline still bounds the fan-out if nothing fails.
  auto [request, cancel] = asioctx::with_timeout(asioctx::background(), 2s);
  bool failed_as_expected = false;
  net::co_spawn(io, handle_request(request), [&](std::exception_ptr e) {
    try {
      if (e) std::rethrow_exception(e);
    } catch (const boost::system::system_error& failure) {
      std::cout << "request failed: " << failure.code().message() << '\n';
      failed_as_expected = failure.code() == boost::system::errc::connection_refused;
    }
  });
  int running = 0, peak = 0, rendered = 0;
  net::co_spawn(io, render_thumbnails(request, running, peak), [&](std::exception_ptr e, int n) {
    if (e) std::rethrow_exception(e);
    rendered = n;
  });
  io.run();
  cancel();
  std::cout << "thumbnails: " << rendered << " of 6 rendered, at most " << peak << " at once\n";
  return failed_as_expected && rendered == 6 && peak == 2 ? 0 : 1;
}
