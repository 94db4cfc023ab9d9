// A first look at asioctx: a request context with a deadline, a child that the caller cancels,
// values, causes and after_func, all on one io_context.
#include <asioctx.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

inline const asioctx::key<std::string> request_id{"request_id"};

int main() {
  boost::asio::io_context io;

  // A server-wide root; each request derives from it.
  auto [server, shutdown] = asioctx::with_cancel(asioctx::background());
  auto request = asioctx::with_value(server, request_id, "req-42");
  auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), request, 50ms);

  // A sub-task the caller gives up on early, with a cause.
  auto [sub, cancel_sub] = asioctx::with_cancel_cause(ctx);
  cancel_sub(make_error_code(boost::system::errc::connection_aborted));

  asioctx::after_func(ctx, io.get_executor(), [c = ctx] {
    std::cout << "request " << *c.value(request_id) << ": " << c.err().message() << '\n';
  });

  std::cout << "context: " << ctx << '\n';
  std::cout << "sub-task: " << sub.err().message() << " (cause: " << asioctx::cause(sub).message() << ")\n";
  io.run();  // returns once the deadline fired and the after_func ran
  std::cout << "server still live: " << std::boolalpha << !server.done() << '\n';
  cancel();
  shutdown();
  return ctx.err() == asioctx::error::deadline_exceeded ? 0 : 1;
}
