// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection.hpp: one HTTP/1.1 connection as a state machine per direction (internal).
//
//   in:  idle ──bytes──▶ request ──whole──▶ (queued) ──▶ idle / watching
//        watching: requests in hand or none accepted any more; reads only to see a FIN or RST
//        paused:   read_ahead_limit unparsed bytes held; no read, only a wait for a socket error
//        lingering: the last response is out, our FIN sent; waits briefly for the client's
//        done
//   out: waiting ──item──▶ serving ──▶ writing ──▶ waiting, or done after the closing response
//
// Requests are parsed into a queue in order; an item that ends the connection (Connection:
// close, HTTP/1.0 without keep-alive, a malformed request) stops the parsing, and the writer
// answers every item before it. Both directions run as coroutines on the connection's strand.
// Every read and write is bound to a context: reads to one below the connection's context whose
// deadline is the phase's (idle, or request once begun), writes to one below the server's cut
// context with the write timeout.
//

#ifndef ASIOCTX_SRC_HTTP_CONNECTION_HPP
#define ASIOCTX_SRC_HTTP_CONNECTION_HPP

#include "server_impl.hpp"
#include "wake.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>
#include <deque>
#include <optional>

namespace asioctx {
namespace http {
namespace detail {

namespace bhttp = boost::beast::http;

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
  enum class in_state { idle, request, watching, paused, lingering, done };
  enum class out_state { waiting, serving, writing, done };

  struct item {
    enum kind_t { request, rejected, interim } kind;
    std::optional<http::request> req;
    unsigned status = 0;  // rejected: the status to answer
  };

  // --- reading (connection.cpp)
  static net::awaitable<void> read_loop(std::shared_ptr<connection> self);
  net::awaitable<void> read_requests();
  net::awaitable<void> linger();
  void new_parser();
  void parse();
  void reject(unsigned status);
  std::optional<clock::time_point> phase_deadline() const;
  const context& read_context();
  void client_gone();

  // --- writing (connection.cpp)
  static void spawn_writer(std::shared_ptr<connection> self, std::optional<response> first);
  static net::awaitable<void> write_loop(std::shared_ptr<connection> self, std::optional<response> first);
  net::awaitable<bool> write(response& res);
  net::awaitable<bool> write_interim();
  derived<cancel_func> write_context() const;
  static std::optional<clock::time_point> after(clock::time_point t, std::chrono::milliseconds d);
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
  std::optional<response> answer_for_done(const context& rctx, unsigned version);
  response deadline_response(unsigned version) const;

  friend struct turn;

  std::shared_ptr<server_impl> srv_;
  const server_options& opts_;
  metrics& m_;
  tcp::socket socket_;
  net::strand<net::any_io_executor> strand_;             // the socket's, typed: posts skip the type erasure
  std::optional<net::io_context::executor_type> io_ex_;  // the strand's, when it is an io_context's
  context ctx_;  // the connection's: cancelled when it closes, is reset, or the grace ends
  cancel_cause_func cancel_;

  in_state in_ = in_state::idle;
  out_state out_ = out_state::waiting;
  bool accepting_ = true;  // requests are still parsed (no closing item queued)
  bool shutting_ = false;
  bool reader_ended_ = false, writer_ended_ = false;

  // Reading.
  boost::beast::flat_buffer buffer_;  // received, not parsed yet
  std::array<char, 8192> chunk_;      // each read lands here first
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool partial_ = false;  // part of a request has been parsed
  clock::time_point request_started_, idle_since_;
  context read_ctx_;  // the pending read's; its deadline is never later than the phase's
  std::optional<clock::time_point> read_ctx_deadline_;
  net::cancellation_signal pause_signal_;
  std::size_t read_ahead_;

  // Writing.
  std::deque<item> queue_;
  wake writer_wake_;
  std::shared_ptr<net::cancellation_signal> writer_signal_;  // the running writer coroutine's
  std::shared_ptr<turn> spare_turn_;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_CONNECTION_HPP
