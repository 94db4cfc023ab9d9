// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/client_pool_impl.hpp: the pool's bookkeeping — per host:port, the connections open,
// the idle ones and the requests waiting for one. Everything here runs on the pool's strand.
//

#ifndef ASIOCTX_SRC_HTTP_CLIENT_POOL_IMPL_HPP
#define ASIOCTX_SRC_HTTP_CLIENT_POOL_IMPL_HPP

#include <asioctx/http/client_pool.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

namespace asioctx {
namespace http {
namespace detail {

struct pooled_connection {
  explicit pooled_connection(const boost::asio::any_io_executor& ex) : socket(ex) {}
  boost::asio::ip::tcp::socket socket;
  boost::beast::flat_buffer buffer;
  clock::time_point idle_since{};
  bool reused = false;  // an earlier request went through it
};
using connection_ptr = std::unique_ptr<pooled_connection>;

// A request waiting for its host to have a connection to spare: release() hands it an idle
// connection or the right to open one, then wakes it by cancelling its timer.
struct pool_waiter {
  explicit pool_waiter(const boost::asio::any_io_executor& ex) : timer(ex, clock::time_point::max()) {}
  boost::asio::steady_timer timer;
  connection_ptr conn;
  bool slot = false;
};

struct host_state {
  std::size_t open = 0;              // connections open or being opened (slots taken)
  std::deque<connection_ptr> idle;   // oldest first; the newest is taken first
  std::deque<pool_waiter*> waiters;  // first come, first served
};

struct lease {
  error_code ec;
  connection_ptr conn;
};

// Whether the running operation's cancellation slot was signalled: a signal that came before
// the operation waited on anything reaches nothing, so the steps ask.
boost::asio::awaitable<bool> slot_cancelled();

class client_pool_impl : public std::enable_shared_from_this<client_pool_impl> {
 public:
  client_pool_impl(boost::asio::any_io_executor strand, client_pool_options options);

  const boost::asio::any_io_executor& strand() const noexcept { return strand_; }
  client_pool_metrics& metrics() noexcept { return metrics_; }
  host_state& host(const std::string& key) { return hosts_[key]; }  // references stay valid

  // A checked idle connection, a new one, or one handed over after waiting; bound to ctx.
  boost::asio::awaitable<lease> acquire(const context& ctx, host_state& h, const std::string& host,
                                        const std::string& port);
  // Back to the pool (a waiter first) if reusable and there is room; else closed.
  void release(host_state& h, connection_ptr c, bool reusable);
  // Closes c and frees its slot.
  void drop(host_state& h, connection_ptr c);
  // Closes the idle connections, wakes the waiters, refuses further requests.
  void close();

 private:
  boost::asio::awaitable<lease> connect(const context& ctx, host_state& h, const std::string& host,
                                        const std::string& port);
  boost::asio::awaitable<lease> wait(const context& ctx, host_state& h, const std::string& host,
                                     const std::string& port);
  connection_ptr take_idle(host_state& h, bool newest);
  void free_slot(host_state& h);
  void expire(host_state& h, clock::time_point now);
  bool expires() const noexcept;
  void arm_sweep();

  boost::asio::any_io_executor strand_;
  client_pool_options options_;
  client_pool_metrics metrics_;
  std::unordered_map<std::string, host_state> hosts_;
  boost::asio::steady_timer sweep_;
  bool sweeping_ = false;
  bool closed_ = false;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_CLIENT_POOL_IMPL_HPP
