// Tutorial step 4: one request fans out to three upstream calls under one context, as Go's
// errgroup.WithContext does: the first failure cancels the siblings, and its error is the cause
// they read back with asioctx::cause().
#include <asioctx.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

namespace net = boost::asio;
using namespace std::chrono_literals;

//[fan_out_group
// Go's errgroup.Group made WithContext, for tasks on one single-threaded io_context.
class group {
 public:
  explicit group(const asioctx::context& parent) : tasks_(asioctx::with_cancel_cause(parent)) {}

  // The context every task runs under.
  const asioctx::context& context() const noexcept { return tasks_.ctx; }

  // Go's g.Go(f). The task is started later by the io_context; spawn them all before wait().
  void spawn(const net::any_io_executor& ex, net::awaitable<void> task) {
    ++pending_;
    net::co_spawn(ex, std::move(task), [this](std::exception_ptr e) {
      if (e && !first_error_) {
        first_error_ = e;
        tasks_.cancel(code_of(e));  // siblings see err() == canceled, cause() == this error
      }
      if (--pending_ == 0) finished_.cancel();
    });
  }

  // Go's g.Wait(): resumes when every task has ended; rethrows the first failure.
  net::awaitable<void> wait() {
    // A context nobody else cancels is a channel closed once: waiting on it is Go's `<-done`.
    if (pending_ > 0) co_await asioctx::async_wait(finished_.ctx, net::as_tuple(net::use_awaitable));
    tasks_.cancel();  // as errgroup does, so the context cannot outlive its tasks' purpose
    if (first_error_) std::rethrow_exception(first_error_);
  }

 private:
  static asioctx::error_code code_of(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const boost::system::system_error& failure) {
      return failure.code();
    } catch (...) {
      return make_error_code(boost::system::errc::io_error);
    }
  }

  asioctx::derived<asioctx::cancel_cause_func> tasks_;
  asioctx::derived<asioctx::cancel_func> finished_ = asioctx::with_cancel(asioctx::background());
  int pending_ = 0;
  std::exception_ptr first_error_;
};
//]

// Stands in for an upstream call that takes `latency`, then fails with `failure` if it is set.
net::awaitable<void> call_upstream(asioctx::context ctx, std::string name, std::chrono::milliseconds latency,
                                   asioctx::error_code failure, int& canceled) {
  net::steady_timer timer(co_await net::this_coro::executor, latency);
  auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
  if (!ec) ec = failure;
  std::cout << name << ": " << (ec ? ec.message() : "ok");
  if (ec == asioctx::error::canceled) {
    std::cout << " (cause: " << asioctx::cause(ctx).message() << ')';
    ++canceled;
  }
  std::cout << '\n';
  if (ec) throw boost::system::system_error(ec, name);
}

//[fan_out
net::awaitable<void> handle_request(asioctx::context request, int& canceled) {
  auto ex = co_await net::this_coro::executor;
  group g(request);
  auto refused = make_error_code(boost::system::errc::connection_refused);
  g.spawn(ex, call_upstream(g.context(), "users", 10ms, {}, canceled));
  g.spawn(ex, call_upstream(g.context(), "orders", 30ms, refused, canceled));
  g.spawn(ex, call_upstream(g.context(), "recommendations", 10s, {}, canceled));
  co_await g.wait();  // throws the orders failure, 30ms in, not 10s
}
//]

int main() {
  net::io_context io;
  // The request's own deadline still bounds the fan-out if nothing fails.
  auto [request, cancel] = asioctx::with_timeout(asioctx::background(), 2s);
  int canceled = 0;
  bool failed_as_expected = false;
  net::co_spawn(io, handle_request(request, canceled), [&, cancel = cancel](std::exception_ptr e) {
    cancel();  // Go's `defer cancel()`: releases the request's deadline timer now, not in 2s
    try {
      if (e) std::rethrow_exception(e);
    } catch (const boost::system::system_error& failure) {
      std::cout << "request failed: " << failure.code().message() << '\n';
      failed_as_expected = failure.code() == boost::system::errc::connection_refused;
    }
  });
  io.run();
  if (!failed_as_expected || canceled != 1) return 1;
  std::cout << "the first failure canceled the sibling still running\n";
}
