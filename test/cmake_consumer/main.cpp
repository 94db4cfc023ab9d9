// Uses only the public API: a deadline enforced by a timer on an io_context.
#include <asioctx.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>

int main() {
  boost::asio::io_context io;
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), parent, std::chrono::milliseconds(1));
  bool ran = false;
  auto stop = asioctx::after_func(ctx, io.get_executor(), [&] { ran = true; });
  io.run();
  std::cout << ctx << ": " << ctx.err().message() << '\n';
  cancel();
  cancel_parent();
  return ran && ctx.err() == asioctx::error::deadline_exceeded && !stop() ? 0 : 1;
}
