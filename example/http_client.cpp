// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Calls an HTTP server under a deadline with asioctx::http::async_fetch.
//
//   http_client --port N [--host H] [--path /sleep?ms=10] [--timeout MS] [--budget grpc|none]
//               [--deadline-answers error|raw]
//
// Prints "STATUS BODY". The budget left travels in grpc-timeout (with `--budget none`, in no
// header: the server keeps its own timeout); when the deadline passes the exchange is aborted and
// it prints "error: context deadline exceeded" (exit 3). The server's own deadline answer is the
// same error, with "(the server's answer: 504)" after it; `--deadline-answers raw` prints it as a
// response instead.
#include <asioctx/http.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port, path = "/echo-timeout";
  long timeout_ms = 1000;
  ahttp::client_options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    std::string v = argv[i + 1];
    if (a == "--host") {
      host = v;
    } else if (a == "--port") {
      port = v;
    } else if (a == "--path") {
      path = v;
    } else if (a == "--timeout") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), timeout_ms);
      if (ec != std::errc()) port.clear();
    } else if (a == "--deadline-answers" && (v == "error" || v == "raw")) {
      options.raw_deadline_answers = v == "raw";
    } else if (a == "--budget" && (v == "grpc" || v == "none")) {
      options.budget_header = v == "none" ? ahttp::budget_format::none : ahttp::budget_format::grpc_timeout;
    } else {
      port.clear();
      break;
    }
  }
  if (port.empty() || argc % 2 == 0) {
    std::cerr << "usage: http_client --port N [--host H] [--path P] [--timeout MS] [--budget grpc|none]"
                 " [--deadline-answers error|raw]\n";
    return 2;
  }

  net::io_context io;
  auto [ctx, cancel] =
      asioctx::with_timeout(io.get_executor(), asioctx::background(), std::chrono::milliseconds(timeout_ms));
  int status = 1;
  net::co_spawn(
      io,
      [&, ctx = ctx]() -> net::awaitable<void> {
        ahttp::request req(bhttp::verb::get, path, 11);
        auto [ec, res] = co_await ahttp::async_fetch(ctx, host, port, std::move(req), options,
                                                     net::as_tuple(net::use_awaitable));
        if (ec == asioctx::error::deadline_exceeded && ahttp::is_deadline_answer(res)) {
          // One outcome for both deadlines; the response says the server answered it.
          std::cout << "error: " << ec.message() << " (the server's answer: " << res.result_int() << ")"
                    << std::endl;
          status = 3;
          co_return;
        }
        if (ec) throw boost::system::system_error(ec);
        std::cout << res.result_int() << " " << res.body() << std::endl;
        status = 0;
      },
      [&, cancel = cancel](std::exception_ptr e) {
        cancel();  // releases the deadline's timer, which would keep run() busy until it fires
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const boost::system::system_error& err) {
          std::cout << "error: " << err.code().message() << std::endl;
          status = err.code() == asioctx::error::deadline_exceeded ? 3 : 1;
        }
      });
  io.run();
  return status;
}
