// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// What asioctx is for, in a quarter of a second. One request has a deadline and four operations
// in flight, each on its own strand of a thread pool: a database query, a cache read on a socket,
// an upstream call under a child context, and a sibling sub-request. The main thread, which runs
// none of the strands, cancels the sibling; the deadline cancels the rest. Each operation says
// what it got and who ended it, on a timeline.
#include <asioctx.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using net::ip::tcp;

inline const asioctx::key<std::string> request_id{"request_id"};

// What one operation reported. Written by its handler, on its strand; read after pool.join().
struct outcome {
  const char* name;
  net::strand<net::thread_pool::executor_type> strand;
  asioctx::clock::duration at{};
  asioctx::error_code ec{};
  asioctx::source_location site{};
  bool on_strand = false;
};

// "demo.cpp:52": the file's name without its directories, and the line.
std::string where(const asioctx::source_location& site) {
  std::string file = site.file_name();
  return file.substr(file.find_last_of("/\\") + 1) + ':' + std::to_string(site.line());
}

long long ms(asioctx::clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

int main() {
  net::thread_pool pool(4);
  const auto start = asioctx::clock::now();

  // A server-wide root, and the request under it: an id and a 250 ms budget.
  auto [server, shutdown] = asioctx::with_cancel(asioctx::background());
  auto request = asioctx::with_value(server, request_id, "req-42");
  auto [ctx, cancel] = asioctx::with_timeout(request, 250ms);
  // A sub-request the caller may drop on its own, and an upstream call with a budget of its own
  // that the request's earlier deadline overrides.
  auto [sibling, cancel_sibling] = asioctx::with_cancel(ctx);
  auto upstream = asioctx::with_timeout(ctx, 5s).ctx;

  std::vector<outcome> ops;
  for (const char* name : {"recommendations", "db.query", "cache.get", "upstream.call"})
    ops.push_back({name, net::make_strand(pool)});
  // Each handler runs on its operation's strand, and so does the cancellation that reaches it.
  auto on_done = [start](outcome& op, const asioctx::context& c) {
    return net::bind_executor(op.strand, [start, &op, c](asioctx::error_code ec, auto&&...) {
      op.at = asioctx::clock::now() - start;
      op.on_strand = op.strand.running_in_this_thread();
      op.ec = ec;
      op.site = asioctx::cancel_site(c);  // who ended c: a cancel's call, or where a deadline was set
    });
  };

  // Three slow timers stand in for the query, the upstream call and the sibling's work; the cache
  // read is a real socket read from a peer that never writes.
  net::steady_timer query(pool, 10s), call(pool, 10s), recommend(pool, 10s);
  tcp::acceptor acceptor(pool, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  tcp::socket cache(pool);
  cache.connect(acceptor.local_endpoint());
  tcp::socket silent_cache = acceptor.accept();
  char byte = 0;

  recommend.async_wait(asioctx::bind(sibling, on_done(ops[0], sibling)));
  query.async_wait(asioctx::bind(ctx, on_done(ops[1], ctx)));
  cache.async_read_some(net::buffer(&byte, 1), asioctx::bind(ctx, on_done(ops[2], ctx)));
  call.async_wait(asioctx::bind(upstream, on_done(ops[3], upstream)));

  // The client stops caring about recommendations 50 ms in. (A scripted delay, not a wait for
  // anything: the deadline is 200 ms later.)
  std::this_thread::sleep_until(start + 50ms);
  cancel_sibling();

  // Returns once the four handlers have run: the deadline holds the pool only while something
  // waits on it.
  pool.join();

  std::cout << "request " << *ctx.value(request_id) << ": deadline 250 ms, 4 operations on 4 strands of a "
            << "4-thread pool\n";
  bool as_expected = true;
  for (const outcome& op : ops) {
    std::printf("  +%3lld ms  %-16s %-26s %s %s\n", ms(op.at), op.name, op.ec.message().c_str(),
                op.ec == asioctx::error::canceled ? "canceled at" : "deadline set at",
                where(op.site).c_str());
    as_expected = as_expected && op.on_strand;
  }
  std::cout << "request context: " << ctx << '\n';
  std::cout << "server context: " << (server.done() ? "done" : "live") << '\n';

  as_expected = as_expected && ops[0].ec == asioctx::error::canceled && !server.done();
  for (int i = 1; i < 4; ++i) as_expected = as_expected && ops[i].ec == asioctx::error::deadline_exceeded;
  cancel();
  shutdown();
  return as_expected ? 0 : 1;
}
