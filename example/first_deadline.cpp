// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tutorial step 1: a deadline on a socket read. The peer accepts the connection and never writes,
// so only the deadline can end the read. Plain callbacks, C++17.
//[first_deadline
#include <asioctx.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <iostream>

namespace net = boost::asio;
using net::ip::tcp;
using namespace std::chrono_literals;

int main() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket silent_peer = acceptor.accept();

  // Go: ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 100ms);

  char byte = 0;
  asioctx::error_code result;
  // The deadline is armed on the socket's io_context when the read starts, and holds it while the
  // read waits.
  client.async_read_some(net::buffer(&byte, 1),
                         asioctx::bind(ctx, [&result](asioctx::error_code ec, std::size_t) { result = ec; }));
  io.run();  // returns once the read has completed: then nothing waits on the deadline any more
  cancel();  // Go's `defer cancel()`; here the deadline has fired already

  // The error compares equal to std::errc::timed_out too, for code that knows nothing of asioctx.
  std::cout << "read: " << result.message() << '\n';
  return result == asioctx::error::deadline_exceeded ? 0 : 1;
}
//]
