// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Request deadlines in your own Beast server loop.
//
// Beast's advanced/async server example, as most Beast users write theirs: a listener, and an
// object per connection that reads a request with http::async_read, handles it and writes the
// response with http::async_write. Added: each request runs under its own context
// (asioctx::http::request_scope: the connection's context, a handler timeout and the caller's
// budget header), and asioctx::http::async_serve answers for a handler whose deadline passes
// (504 with x-asioctx-deadline-exceeded: 1, or Connect's deadline_exceeded error for a Connect
// caller). The lines marked "asioctx" are all that changes.
//
// It serves 127.0.0.1 on a free port, calls itself as a client would, prints what it got, and
// exits.

#include <asioctx.hpp>
#include <asioctx/http/request_scope.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

int stopped_at_deadline = 0;  // handlers whose backend wait the deadline cut

// The application: "/hello" answers at once; "/slow" waits ten seconds for a backend.
net::awaitable<asioctx::http::response> handle_request(asioctx::context ctx, asioctx::http::request req) {
  asioctx::http::response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.keep_alive(req.keep_alive());
  if (req.target() == "/slow") {
    net::steady_timer backend(co_await net::this_coro::executor, 10s);
    try {
      co_await backend.async_wait(asioctx::bind(ctx, net::use_awaitable));  // asioctx: bound to the request
    } catch (const boost::system::system_error& e) {
      if (e.code() == asioctx::error::deadline_exceeded) ++stopped_at_deadline;
      throw;
    }
    res.body() = "slow\n";
  } else {
    res.body() = "hello\n";
  }
  res.prepare_payload();
  co_return res;
}

void fail(beast::error_code ec, const char* what) { std::cerr << what << ": " << ec.message() << "\n"; }

// Handles an HTTP server connection.
class session : public std::enable_shared_from_this<session> {
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  asioctx::http::request req_;
  asioctx::context conn_ctx_;                          // asioctx: the connection's context
  asioctx::cancel_cause_func end_connection_;          // asioctx
  const asioctx::http::request_options& options_;      // asioctx
  std::optional<asioctx::http::request_scope> scope_;  // asioctx: the request in hand

 public:
  session(tcp::socket&& socket, const asioctx::context& root, const asioctx::http::request_options& options)
      : stream_(std::move(socket)), options_(options) {
    std::tie(conn_ctx_, end_connection_) = asioctx::with_cancel_cause(root);
  }
  ~session() { end_connection_(); }

  void run() {
    // Start on the session's strand, as Beast's example does.
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
  }

  void do_read() {
    req_ = {};
    stream_.expires_after(30s);
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  //[beast_async_server_on_read
  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return fail(ec, "read");
    stream_.expires_never();  // the request's deadline bounds the handler, not the socket's timer
    // asioctx: the request's context and its handler, answered for at its deadline.
    scope_.emplace(conn_ctx_, req_, options_);
    asioctx::http::async_serve(stream_, *scope_, std::move(req_), handle_request,
                               beast::bind_front_handler(&session::on_served, shared_from_this()));
  }

  void on_served(beast::error_code ec, asioctx::http::response res) {
    if (ec) return do_close();  // the client is gone: nothing to write
    send_response(std::move(res));
  }
  //]

  void send_response(asioctx::http::response res) {
    const bool keep_alive = res.keep_alive();
    auto sp = std::make_shared<asioctx::http::response>(std::move(res));
    stream_.expires_after(30s);
    http::async_write(stream_, *sp,
                      [self = shared_from_this(), sp, keep_alive](beast::error_code ec, std::size_t n) {
                        self->on_write(keep_alive, ec, n);
                      });
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    scope_.reset();  // asioctx: ends the request's context
    if (ec) return fail(ec, "write");
    if (!keep_alive) return do_close();
    do_read();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
};

// Accepts incoming connections and launches the sessions.
class listener : public std::enable_shared_from_this<listener> {
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  asioctx::context root_;
  const asioctx::http::request_options& options_;

 public:
  listener(net::io_context& ioc, tcp::endpoint endpoint, const asioctx::context& root,
           const asioctx::http::request_options& options)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), root_(root), options_(options) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->acceptor_.close(); });
  }

 private:
  void do_accept() {
    // The new connection gets its own strand.
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted) fail(ec, "accept");
      return;
    }
    std::make_shared<session>(std::move(socket), root_, options_)->run();
    do_accept();
  }
};

// The self-test: one keep-alive connection, a request per case, as any HTTP client would.
net::awaitable<void> call_ourselves(tcp::endpoint server, std::shared_ptr<listener> l) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await stream.async_connect(server, net::use_awaitable);
  beast::flat_buffer buffer;
  struct call {
    const char* what;
    const char* target;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const call calls[] = {
      {"GET /hello", "/hello", {}},
      {"GET /slow, grpc-timeout: 100m", "/slow", {{"grpc-timeout", "100m"}}},
      {"Connect /slow, connect-timeout-ms: 100",
       "/slow",
       {{"Connect-Protocol-Version", "1"}, {"connect-timeout-ms", "100"}}},
      {"Connect /slow, connect-timeout-ms: 1e3",
       "/slow",
       {{"Connect-Protocol-Version", "1"}, {"connect-timeout-ms", "1e3"}}},
      {"GET /slow, grpc-timeout: 0m", "/slow", {{"grpc-timeout", "0m"}}},
  };
  for (const call& c : calls) {
    http::request<http::string_body> req{http::verb::get, c.target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : c.headers) req.set(name, value);
    co_await http::async_write(stream, req, net::use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, net::use_awaitable);
    std::string body = res.body();
    if (!body.empty() && body.back() == '\n') body.pop_back();
    std::cout << c.what << " -> " << res.result_int() << " " << body
              << (res["x-asioctx-deadline-exceeded"] == "1" ? " [deadline answer]" : "") << "\n";
  }
  l->stop();
}

int main() {
  net::io_context ioc{1};
  asioctx::http::request_options options;  // asioctx: what the handler may take
  options.handler_timeout = 5s;
  auto [root, stop_all] = asioctx::with_cancel_cause(asioctx::background());  // asioctx
  auto l =
      std::make_shared<listener>(ioc, tcp::endpoint{net::ip::make_address("127.0.0.1"), 0}, root, options);
  l->run();
  bool ok = false;
  net::co_spawn(ioc, call_ourselves(l->local_endpoint(), l), [&](std::exception_ptr e) {
    try {
      if (e) std::rethrow_exception(e);
      ok = true;
    } catch (const std::exception& x) {
      std::cerr << "self-test: " << x.what() << "\n";
    }
    stop_all();  // asioctx: ends every connection's context
  });
  ioc.run();  // returns once every session and abandoned handler has ended
  std::cout << "handlers stopped at their deadline: " << stopped_at_deadline << "\n";
  return ok ? 0 : 1;
}
