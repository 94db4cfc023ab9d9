// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection.hpp: the coroutines that drive one HTTP/1.1 connection (internal).
//
// What the connection is doing — the queue of parsed requests, each direction's phase, the
// keep-alive and close decisions, which read timeout runs — is connection_state's, without I/O.
// This driver only moves bytes and events between the socket and it: a reader coroutine feeds
// it what arrives and waits as it says (read with the phase's deadline, wait for a hang-up when
// paused, linger after the last answer); a writer coroutine takes its items in order, dispatches
// requests and writes the answers. Both run on the connection's strand. Reads are bound to a
// context below the connection's whose deadline is the phase's; writes to one below the server's
// cut context with the write timeout.
//

#ifndef ASIOCTX_SRC_HTTP_CONNECTION_HPP
#define ASIOCTX_SRC_HTTP_CONNECTION_HPP

#include "connection_state.hpp"
#include "server_impl.hpp"
#include "wake.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <optional>

namespace asioctx {
namespace http {
namespace detail {

// A request's turn at the writer: what the dispatcher and a takeover share.
struct turn;

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(std::shared_ptr<server_impl> srv, tcp::socket socket);
  ~connection();

  void start();
  // Shutdown began: answer the request in hand (Connection: close), take no new one.
  void begin_shutdown();

 private:
  // --- reading (connection.cpp)
  static net::awaitable<void> read_loop(std::shared_ptr<connection> self);
  net::awaitable<void> read_requests();
  net::awaitable<void> linger();
  const context& read_context();
  void client_gone();

  // --- writing (writer.cpp)
  static void spawn_writer(std::shared_ptr<connection> self, std::optional<response> first);
  static net::awaitable<void> write_loop(std::shared_ptr<connection> self, std::optional<response> first);
  net::awaitable<bool> write(response& res);
  net::awaitable<bool> write_interim();
  derived<cancel_func> write_context() const;
  static derived<cancel_func> limited(const context& parent, std::chrono::milliseconds d);
  void finish();
  void abort();
  void maybe_close();
  bool keep_alive_after(const response& res, bool request_keep_alive) const;

  // --- dispatch (dispatch.cpp): the request's answer, nullopt for none (the client is gone);
  // sets `abandoned` when a takeover now owns the connection and this coroutine must stop.
  net::awaitable<std::optional<response>> dispatch(request req, std::shared_ptr<connection>& self,
                                                   bool& abandoned);
  static void watch(const std::shared_ptr<turn>& t);
  static void take_over(const std::shared_ptr<turn>& t);

  friend struct turn;

  std::shared_ptr<server_impl> srv_;
  const server_options& opts_;
  metrics& m_;
  tcp::socket socket_;
  net::strand<net::any_io_executor> strand_;             // the socket's, typed: posts skip the type erasure
  std::optional<net::io_context::executor_type> io_ex_;  // the strand's, when it is an io_context's
  context ctx_;  // the connection's: cancelled when it closes, is reset, or the grace ends
  cancel_cause_func cancel_;

  connection_state st_;

  // Reading.
  std::array<char, 8192> chunk_;  // each read lands here first
  context read_ctx_;              // the pending read's; its deadline is never later than the phase's
  std::optional<clock::time_point> read_ctx_deadline_;
  net::cancellation_signal pause_signal_;

  // Writing.
  wake writer_wake_;
  std::shared_ptr<net::cancellation_signal> writer_signal_;  // the running writer coroutine's
  std::shared_ptr<turn> spare_turn_;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_CONNECTION_HPP
