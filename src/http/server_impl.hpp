// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/server_impl.hpp: the server's shared state, the listener and the shutdown (internal).
//
// The server moves through four states, under its mutex:
//   created → accepting → stopping (grace period) → finished
// Stopping closes the acceptor and tells every connection; when the grace period ends the root
// context is cancelled (cause error::shutting_down), and after a further close period the cut
// context is cancelled, which ends every write and linger still pending. The shutdown's
// waiters run once the acceptor and every connection have ended.
//

#ifndef ASIOCTX_SRC_HTTP_SERVER_IMPL_HPP
#define ASIOCTX_SRC_HTTP_SERVER_IMPL_HPP

#include <asioctx/http/server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace asioctx {
namespace http {
namespace detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class connection;

class server_impl : public std::enable_shared_from_this<server_impl> {
 public:
  server_impl(net::any_io_executor ex, handler h, server_options options, const context& parent);

  void listen(const tcp::endpoint& ep);
  void start();
  void shutdown(std::chrono::steady_clock::duration grace, shutdown_waiter done,
                const source_location& where);
  void connection_closed(connection* c);

  net::any_io_executor ex_;
  handler handler_;
  server_options options_;
  context root_;  // parent of every connection's context
  cancel_cause_func root_cancel_;
  source_location shutdown_site_;  // the first shutdown's caller (set under mutex_, in stopping)
  context cut_;                    // parent of every write and linger: cancelled when the close period ends
  cancel_func cut_cancel_;
  metrics metrics_;
  tcp::endpoint endpoint_;  // kept: the acceptor closes at shutdown

 private:
  enum class state { created, accepting, stopping, finished };

  void do_accept();
  void accept_backlog();
  static constexpr int accept_batch = 64;  // connections taken from the backlog per accept
  void accept_ended();
  void start_connection(tcp::socket socket);
  void grace_over();
  std::vector<std::shared_ptr<connection>> live_connections();
  // With the mutex held: the waiters to run, if the shutdown has just finished.
  std::vector<shutdown_waiter> take_waiters_if_finished(bool& finished_now);
  void run_waiters(std::vector<shutdown_waiter> waiters, bool finished_now);

  tcp::acceptor acceptor_;
  net::steady_timer backoff_timer_, grace_timer_, close_timer_;  // on the acceptor's strand

  std::mutex mutex_;
  state state_ = state::created;
  bool accept_pending_ = false;
  std::unordered_map<connection*, std::weak_ptr<connection>> connections_;
  std::vector<shutdown_waiter> waiters_;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_SERVER_IMPL_HPP
