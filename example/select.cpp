// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tutorial step 3: Go's `select` on ctx.Done(). A worker takes jobs from a channel until its
// context is done. The receive itself is bound to the context, so it ends either with a job or
// with the context's error, never both: no job the producer saw delivered is ever dropped. Then
// the race that makes Asio's `||` drop one, and a check with 20,000 jobs handed to workers whose
// deadlines keep expiring.
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <vector>

namespace net = boost::asio;
using namespace net::experimental::awaitable_operators;
using namespace std::chrono_literals;

using job_channel = net::experimental::channel<void(asioctx::error_code, int)>;

//[select_done
// Returns ctx.err() once the context is done, like a Go worker's `return ctx.Err()`.
net::awaitable<asioctx::error_code> worker(asioctx::context ctx, job_channel& jobs,
                                           std::vector<int>& handled) {
  for (;;) {
    // select { case job := <-jobs: ... case <-ctx.Done(): return ctx.Err() }
    // One operation, bound to the context: it completes with a job, or with an error once the
    // context is done, never with both.
    auto [ec, job] = co_await jobs.async_receive(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    // Cancelled by the context, the receive reports ctx.err(): canceled or deadline_exceeded.
    if (ec) co_return ec;
    handled.push_back(job);
  }
}
//]

//[select_lossy
// Go's select spelled with Asio's `||`: two operations, a receive and a wait. Do not use it to
// take jobs: when the wait wins, the job the receive may already have taken is dropped.
net::awaitable<asioctx::error_code> lossy_worker(asioctx::context ctx, job_channel& jobs,
                                                 std::vector<int>& handled) {
  auto token = net::as_tuple(net::use_awaitable);
  for (;;) {
    auto result = co_await (jobs.async_receive(token) || asioctx::async_wait(ctx, token));
    if (result.index() == 1) co_return ctx.err();  // and the receive's result, if any, is gone
    auto [ec, job] = std::get<0>(result);
    if (ec) co_return ec;
    handled.push_back(job);
  }
}
//]

//[select_race
// The race, made to happen: the context is cancelled, and before the worker has resumed, the
// producer hands job 7 to the receive the worker still has pending. Returns whether it arrived.
template <class Worker>
bool race(Worker worker) {
  net::io_context io;
  job_channel jobs(io, 0);  // unbuffered: try_send succeeds only if a receive takes the job
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::vector<int> handled;
  net::co_spawn(io, worker(ctx, jobs, handled), net::detached);
  io.poll();  // the worker now waits for a job
  cancel();   // from a thread that is not running io: the worker hears of it later
  bool delivered = jobs.try_send(asioctx::error_code(), 7);
  io.run();
  return delivered && handled == std::vector<int>{7};
}
//]

//[select_check
// Sends jobs 1..n; a job counts as delivered when its send completes without error.
net::awaitable<void> produce(job_channel& jobs, int n, int& delivered) {
  for (int job = 1; job <= n; ++job) {
    auto [ec] = co_await jobs.async_send(asioctx::error_code(), job, net::as_tuple(net::use_awaitable));
    if (!ec) ++delivered;
  }
  jobs.close();
}

// Workers in shifts of 1ms each, one after the other, until the channel closes: most shifts end
// at their deadline while the producer is handing a job over.
net::awaitable<void> consume(job_channel& jobs, std::vector<int>& received, int& shifts) {
  for (;;) {
    auto [shift, end_shift] = asioctx::with_timeout(asioctx::background(), 1ms);
    asioctx::error_code ec = co_await worker(shift, jobs, received);
    end_shift();
    ++shifts;
    if (ec != asioctx::error::deadline_exceeded) co_return;  // channel_closed: every job was sent
  }
}
//]

int main() {
  // The tutorial's run: three jobs waiting, then nothing more; only the deadline ends the worker.
  {
    net::io_context io;
    job_channel jobs(io, 8);
    for (int job = 1; job <= 3; ++job) jobs.try_send(asioctx::error_code(), job);
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 100ms);
    std::vector<int> handled;
    asioctx::error_code stopped_by;
    net::co_spawn(io, worker(ctx, jobs, handled),
                  [&stopped_by](std::exception_ptr e, asioctx::error_code ec) {
                    if (e) std::rethrow_exception(e);
                    stopped_by = ec;
                  });
    io.run();
    cancel();
    for (int job : handled) std::cout << "job " << job << '\n';
    std::cout << "worker stopped after " << handled.size() << " jobs: " << stopped_by.message() << '\n';
    if (handled.size() != 3 || stopped_by != asioctx::error::deadline_exceeded) return 1;
  }

  bool bound_kept = race(worker), select_kept = race(lossy_worker);
  std::cout << "race: job 7 delivered and received by the bound receive: " << std::boolalpha << bound_kept
            << ", by the || select: " << select_kept << '\n';
  if (!bound_kept) return 1;

  // The check: an unbuffered channel (a send completes only when a receive takes the job), both
  // sides on one strand of a 2-thread pool, the deadlines firing on the pool's threads.
  constexpr int n = 20000;
  net::thread_pool pool(2);
  auto strand = net::make_strand(pool);
  job_channel jobs(strand, 0);
  int delivered = 0, shifts = 0;
  std::vector<int> received;
  auto rethrow = [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  };
  net::co_spawn(strand, produce(jobs, n, delivered), rethrow);
  net::co_spawn(strand, consume(jobs, received, shifts), rethrow);
  pool.join();

  bool in_order = true;
  for (int i = 0; i < static_cast<int>(received.size()); ++i) in_order = in_order && received[i] == i + 1;
  std::cout << "check: " << n << " jobs sent, " << delivered << " delivered, " << received.size()
            << " received, in order: " << std::boolalpha << in_order << '\n';
  return delivered == n && static_cast<int>(received.size()) == n && in_order && shifts > 1 ? 0 : 1;
}
