// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/connection_state.hpp: one HTTP/1.1 connection's state, without I/O (internal).
//
// The driver (connection.cpp, writer.cpp) feeds it bytes and events and asks it what to do;
// nothing here touches a socket, a timer or a context, so every transition is unit-tested alone
// (test/http/connection_state.cpp).
//
//   intake:  open ──a request ending the connection (Connection: close, HTTP/1.0 without
//            keep-alive, rejected), or a shutdown with no request begun──▶ closed
//   read:    idle ──first byte──▶ request ──whole──▶ idle (queue empty) / watching (in hand)
//            any ──read_ahead bytes held──▶ paused ──a slot frees──▶ ...
//            any ──writer ended──▶ lingering;  any ──peer gone / reader stopped──▶ ended
//   write:   waiting ──item──▶ serving ──▶ writing ──▶ waiting, or ended after the last answer
//   timer:   idle (idle_since + idle_timeout) in idle, request (first byte +
//            request_read_timeout) in request, none otherwise; max() or ≤ 0 means none.
//
// Requests are parsed into the queue in order, at most max_pipelined at a time; an item that
// closes the intake stops parsing, and every item before it is answered.
//

#ifndef ASIOCTX_SRC_HTTP_CONNECTION_STATE_HPP
#define ASIOCTX_SRC_HTTP_CONNECTION_STATE_HPP

#include <asioctx/http/server.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

namespace asioctx {
namespace http {
namespace detail {

// What the queue holds: a request to dispatch, a status to answer for a refused one, or the
// interim "100 Continue".
struct work_item {
  enum kind_t { request, rejected, interim } kind;
  std::optional<http::request> req;
  unsigned status = 0;
};

class connection_state {
 public:
  enum class intake { open, closed };
  enum class read_phase { idle, request, watching, paused, lingering, ended };
  enum class write_phase { waiting, serving, writing, ended };
  enum class read_timer { none, idle, request };
  // What a read deadline that fired means: an earlier phase's (read again), or the end.
  enum class timeout_verdict { rearm, idle_expired, request_expired };

  connection_state(const server_options& opts, metrics& m, clock::time_point now);

  // t + d for a limit d: none when d is zero or less (disabled) or too far to reach (max()).
  static std::optional<clock::time_point> after(clock::time_point t, std::chrono::milliseconds d);

  // --- the read direction
  // Appends received bytes and parses them; true when the writer has something new.
  bool on_bytes(const void* data, std::size_t n, clock::time_point now);
  // The phase the next read is in (the driver reads, waits for a hang-up, or lingers).
  read_phase next_read();
  read_timer timer() const;
  std::optional<clock::time_point> read_deadline() const;
  timeout_verdict on_read_deadline(clock::time_point now);
  // The peer closed or reset the connection: the queue is dropped.
  void on_peer_gone();
  void on_reader_ended();

  // --- the write direction
  bool has_item() const noexcept { return !queue_.empty(); }
  // The queue is empty and nothing more will be parsed: the writer ends.
  bool nothing_more() const noexcept;
  void on_writer_waiting() noexcept { out_ = write_phase::waiting; }
  // Pops the next item and parses the held bytes into the freed slot.
  work_item take_item(clock::time_point now);
  // The reader is paused and the bytes held are below read_ahead again.
  bool resume_reading() const noexcept;
  void on_serving() noexcept { out_ = write_phase::serving; }
  void on_writing() noexcept { out_ = write_phase::writing; }
  // Whether the answer keeps the connection, given the request's and the handler's wish.
  bool keep_alive_after(bool wanted) const noexcept;
  void on_written(clock::time_point now);
  // The writer is done (its FIN goes out); false if it already was.
  bool on_writer_ended();

  // --- shutdown
  // Graceful: the request begun may still arrive whole; no new one is taken.
  void on_shutdown();
  // A request was cut by the shutdown: its answer is the last.
  void on_shutdown_answer();

  intake intake_state() const noexcept { return intake_; }
  read_phase read_state() const noexcept { return in_; }
  write_phase write_state() const noexcept { return out_; }
  bool both_ended() const noexcept { return in_ == read_phase::ended && out_ == write_phase::ended; }
  bool request_begun() const noexcept { return begun_; }
  std::size_t queued() const noexcept { return queue_.size(); }
  std::size_t held() const noexcept { return buffer_.size(); }
  std::size_t read_ahead() const noexcept { return read_ahead_; }
  bool shutting_down() const noexcept { return shutting_; }

 private:
  bool parse(clock::time_point now);
  read_phase reading_phase() const noexcept;
  void new_parser();
  void reject(unsigned status);
  void push(work_item it);

  const server_options& opts_;
  metrics& m_;
  const std::size_t read_ahead_;
  intake intake_ = intake::open;
  read_phase in_ = read_phase::idle;
  write_phase out_ = write_phase::waiting;
  bool shutting_ = false;
  bool begun_ = false;  // a request's first byte has been parsed, not its last
  clock::time_point request_started_, idle_since_;
  boost::beast::flat_buffer buffer_;  // received, not parsed yet
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::deque<work_item> queue_;
};

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_CONNECTION_STATE_HPP
