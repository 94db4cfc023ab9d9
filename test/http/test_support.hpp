// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Loopback helpers for the HTTP tests: a server running on its own threads, and a raw client
// whose every wait is bounded.
#ifndef ASIOCTX_TEST_HTTP_TEST_SUPPORT_HPP
#define ASIOCTX_TEST_HTTP_TEST_SUPPORT_HPP

#include <asioctx/http.hpp>

#include "../unit/test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace http_test {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace ahttp = asioctx::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A server on 127.0.0.1 and a free port, run by `threads` threads until it is shut down.
class running_server {
 public:
  explicit running_server(ahttp::handler h, ahttp::server_options options = {}, int threads = 1)
      : server_(std::in_place, io_.get_executor(), std::move(h), std::move(options)) {
    server_->listen({net::ip::address_v4::loopback(), 0});
    server_->start();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~running_server() {
    if (!stopped_) shutdown(0ms);
    for (auto& t : threads_) t.join();
    server_.reset();
  }

  // Shuts down with the given grace; true if it completed within the timeout.
  bool shutdown(std::chrono::milliseconds grace, std::chrono::milliseconds timeout = 10s) {
    auto done = server_->async_shutdown(grace, net::use_future);
    stopped_ = true;
    return done.wait_for(timeout) == std::future_status::ready;
  }
  // Starts a shutdown without waiting for it.
  std::future<void> begin_shutdown(std::chrono::milliseconds grace) {
    stopped_ = true;
    return server_->async_shutdown(grace, net::use_future);
  }

  unsigned short port() const { return server_->local_endpoint().port(); }
  tcp::endpoint endpoint() const { return server_->local_endpoint(); }
  const ahttp::metrics& stats() const { return server_->get_metrics(); }
  net::io_context& io() { return io_; }

 private:
  net::io_context io_;
  std::optional<ahttp::server> server_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

// A GET request as raw bytes, with extra header lines ("name: value").
inline std::string get(const std::string& target, std::initializer_list<std::string> headers = {}) {
  std::string r = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  return r + "\r\n";
}

// A blocking loopback client whose reads are bounded by a timeout.
class raw_client {
 public:
  explicit raw_client(const tcp::endpoint& ep) : socket_(io_) { socket_.connect(ep); }

  void send(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }

  // The next response, or nullopt (error_ tells why) if none arrived in time.
  std::optional<ahttp::response> read(std::chrono::milliseconds timeout = 10s) {
    bhttp::response_parser<bhttp::string_body> parser;
    std::optional<asioctx::error_code> result;
    bhttp::async_read(socket_, buffer_, parser, [&](asioctx::error_code ec, std::size_t) { result = ec; });
    finish(result, timeout);
    error_ = *result;
    if (*result) return std::nullopt;
    return parser.release();
  }

  // True if the server closes the connection (EOF or reset) within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 10s) {
    char c;
    std::optional<asioctx::error_code> result;
    socket_.async_read_some(net::buffer(&c, 1), [&](asioctx::error_code ec, std::size_t) { result = ec; });
    finish(result, timeout);
    error_ = *result;
    return *result && *result != net::error::operation_aborted;
  }

  void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }
  void close() { socket_.close(); }
  void reset() {  // RST instead of FIN
    socket_.set_option(net::socket_base::linger(true, 0));
    socket_.close();
  }
  asioctx::error_code error() const { return error_; }
  tcp::socket& socket() { return socket_; }

 private:
  template <class T>
  void finish(std::optional<T>& result, std::chrono::milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (!result) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
  }

  net::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  asioctx::error_code error_;
};

// What a handler saw, for the test to check from its own thread.
struct probe {
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::mutex mutex;
  asioctx::error_code cause;                       // asioctx::cause(ctx) when the handler's wait ended early
  std::optional<std::chrono::nanoseconds> budget;  // remaining at entry

  void record_start(const asioctx::context& ctx) {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto d = ctx.deadline()) budget = ahttp::remaining(*d, asioctx::clock::now());
    started.fetch_add(1);
  }
  void record_cause(const asioctx::context& ctx) {
    std::lock_guard<std::mutex> lock(mutex);
    cause = asioctx::cause(ctx);
    finished.fetch_add(1);
  }
  asioctx::error_code get_cause() {
    std::lock_guard<std::mutex> lock(mutex);
    return cause;
  }
  std::optional<std::chrono::nanoseconds> get_budget() {
    std::lock_guard<std::mutex> lock(mutex);
    return budget;
  }
};

// The server's counters announce no change: its tests check them every millisecond.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return asioctx_test::poll_until(pred, timeout);
}

}  // namespace http_test

#endif
