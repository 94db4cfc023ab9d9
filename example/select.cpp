// Tutorial step 3: Go's `select` on ctx.Done(). A worker takes jobs from a channel until its
// context's deadline passes, waiting on both at once, as a Go worker selects on a job channel and
// ctx.Done().
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <variant>

namespace net = boost::asio;
using namespace net::experimental::awaitable_operators;
using namespace std::chrono_literals;

using job_channel = net::experimental::channel<void(asioctx::error_code, int)>;

//[select_done
// Returns ctx.err() once the context is done, like a Go worker's `return ctx.Err()`.
net::awaitable<asioctx::error_code> worker(asioctx::context ctx, job_channel& jobs, int& handled) {
  auto token = net::as_tuple(net::use_awaitable);
  for (;;) {
    // select { case job := <-jobs: ... case <-ctx.Done(): return ctx.Err() }
    // `||` cancels the branch that loses. as_tuple matters: async_wait completes with the context's
    // error, and `||` waits for the first branch that *succeeds*, so a throwing branch would be
    // ignored.
    auto result = co_await (jobs.async_receive(token) || asioctx::async_wait(ctx, token));
    if (result.index() == 1) co_return std::get<0>(std::get<1>(result));
    auto [ec, job] = std::get<0>(result);
    if (ec) co_return ec;
    std::cout << "job " << job << '\n';
    ++handled;
  }
}
//]

int main() {
  net::io_context io;
  job_channel jobs(io, 8);
  for (int job = 1; job <= 3; ++job) jobs.try_send(asioctx::error_code(), job);

  // No more jobs come after the third: only the deadline ends the worker.
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 100ms);
  int handled = 0;
  asioctx::error_code stopped_by;
  net::co_spawn(io, worker(ctx, jobs, handled), [&stopped_by](std::exception_ptr e, asioctx::error_code ec) {
    if (e) std::rethrow_exception(e);
    stopped_by = ec;
  });
  io.run();
  cancel();

  std::cout << "worker stopped after " << handled << " jobs: " << stopped_by.message() << '\n';
  return handled == 3 && stopped_by == asioctx::error::deadline_exceeded ? 0 : 1;
}
