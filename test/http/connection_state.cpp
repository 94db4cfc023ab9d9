// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// connection_state without a socket: bytes and events in, states and decisions out, for every
// transition RFC 9112 asks of a server connection.
#include "connection_state.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace {

namespace ahttp = asioctx::http;
using asioctx::clock;
using state = ahttp::detail::connection_state;
using phase = state::read_phase;
using item = ahttp::detail::work_item;
using namespace std::chrono_literals;

std::string req(const std::string& target, std::initializer_list<std::string> headers = {},
                const std::string& version = "HTTP/1.1") {
  std::string r = "GET " + target + " " + version + "\r\nHost: x\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  return r + "\r\n";
}

// A connection_state with its options and counters, at a fixed start time.
struct machine {
  explicit machine(ahttp::server_options o = {}) : opts(std::move(o)), st(opts, m, t0) {}
  bool feed(std::string_view bytes, clock::duration at = 0ms) {
    return st.on_bytes(bytes.data(), bytes.size(), t0 + at);
  }
  item take(clock::duration at = 0ms) { return st.take_item(t0 + at); }
  // Takes the next request as the writer does, answering it with the request's keep-alive.
  bool answer_next(clock::duration at = 0ms) {
    item it = take(at);
    st.on_serving();
    st.on_writing();
    const bool keep = st.keep_alive_after(it.kind == item::request && it.req->keep_alive());
    st.on_written(t0 + at);
    return keep;
  }

  const clock::time_point t0 = clock::now();
  ahttp::server_options opts;
  ahttp::metrics m;
  state st;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(test_connection_state)

// RFC 9112 §9.3, §9.5: an idle connection runs the idle timer from the last answer; the first
// byte of a request starts the request timer, which holds through the body.
BOOST_AUTO_TEST_CASE(timers_idle_then_request_from_first_byte) {
  ahttp::server_options o;
  o.idle_timeout = 1000ms;
  o.request_read_timeout = 300ms;
  machine c(o);
  BOOST_TEST((c.st.next_read() == phase::idle));
  BOOST_TEST((c.st.timer() == state::read_timer::idle));
  BOOST_TEST((c.st.read_deadline() == c.t0 + 1000ms));
  BOOST_TEST(!c.feed("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", 50ms));
  BOOST_TEST((c.st.next_read() == phase::request));
  BOOST_TEST((c.st.read_deadline() == c.t0 + 350ms));
  BOOST_TEST(!c.feed("b", 250ms));  // the body trickles: the deadline stays at the first byte's
  BOOST_TEST((c.st.read_deadline() == c.t0 + 350ms));
  BOOST_TEST((c.st.on_read_deadline(c.t0 + 349ms) == state::timeout_verdict::rearm));
  BOOST_TEST((c.st.on_read_deadline(c.t0 + 350ms) == state::timeout_verdict::request_expired));
  BOOST_TEST(c.m.io_timeouts_total == 1u);
}

BOOST_AUTO_TEST_CASE(idle_timer_restarts_after_each_answer) {
  ahttp::server_options o;
  o.idle_timeout = 1000ms;
  machine c(o);
  BOOST_TEST(c.feed(req("/a"), 10ms));
  BOOST_TEST((c.st.next_read() == phase::watching));  // a request in hand: no timer
  BOOST_TEST((c.st.timer() == state::read_timer::none));
  BOOST_TEST(c.answer_next(20ms));
  c.st.on_writer_waiting();
  BOOST_TEST((c.st.next_read() == phase::idle));
  BOOST_TEST((c.st.read_deadline() == c.t0 + 1020ms));
  BOOST_TEST((c.st.on_read_deadline(c.t0 + 1020ms) == state::timeout_verdict::idle_expired));
  BOOST_TEST(c.m.io_timeouts_total == 0u);
}

// Zero disables a limit, max() means none: no timer runs, nothing overflows.
BOOST_AUTO_TEST_CASE(max_and_zero_durations_run_no_timer) {
  for (auto d : {std::chrono::milliseconds::max(), std::chrono::milliseconds::zero(), -1ms}) {
    ahttp::server_options o;
    o.idle_timeout = d;
    o.request_read_timeout = d;
    machine c(o);
    BOOST_TEST((c.st.next_read() == phase::idle));
    BOOST_TEST((c.st.timer() == state::read_timer::none));
    c.feed("GET / HTTP/1.1\r\n");
    BOOST_TEST((c.st.next_read() == phase::request));
    BOOST_TEST(!c.st.read_deadline());
  }
}

// RFC 9112 §9.3.2: pipelined requests are queued in order; one carrying "Connection: close"
// ends the intake (§9.6): every request before it is answered, none after it is parsed.
BOOST_AUTO_TEST_CASE(pipelining_with_close) {
  machine c;
  BOOST_TEST(c.feed(req("/1") + req("/2", {"Connection: close"}) + req("/3")));
  BOOST_TEST(c.st.queued() == 2u);
  BOOST_TEST((c.st.intake_state() == state::intake::closed));
  BOOST_TEST(c.st.held() == req("/3").size());  // never parsed
  BOOST_TEST(c.take().req->target() == "/1");
  BOOST_TEST(c.st.keep_alive_after(true));  // "/2" is still to be answered
  item second = c.take();
  BOOST_TEST(second.req->target() == "/2");
  BOOST_TEST(!c.st.keep_alive_after(true));  // the last answer closes
  BOOST_TEST(c.st.nothing_more());
  BOOST_TEST(c.st.on_writer_ended());
  BOOST_TEST(!c.st.on_writer_ended());  // once
  BOOST_TEST((c.st.next_read() == phase::lingering));
  BOOST_TEST(!c.st.both_ended());
  c.st.on_reader_ended();
  BOOST_TEST(c.st.both_ended());
}

// RFC 9112 §9.3: HTTP/1.0 closes after the answer unless it asked to keep the connection.
BOOST_AUTO_TEST_CASE(http10_with_and_without_keep_alive) {
  machine plain;
  plain.feed(req("/a", {}, "HTTP/1.0") + req("/b"));
  BOOST_TEST(plain.st.queued() == 1u);
  BOOST_TEST((plain.st.intake_state() == state::intake::closed));
  BOOST_TEST(!plain.answer_next());

  machine kept;
  kept.feed(req("/a", {"Connection: keep-alive"}, "HTTP/1.0") + req("/b", {}, "HTTP/1.0"));
  BOOST_TEST(kept.st.queued() == 2u);
  BOOST_TEST(kept.answer_next());
  BOOST_TEST(!kept.answer_next());
  BOOST_TEST(kept.st.nothing_more());
}

// RFC 9110 §10.1.1: "100 Continue" is queued when the client waits for it (an HTTP/1.1 request
// whose body has not arrived), never when the body is already here or for HTTP/1.0.
BOOST_AUTO_TEST_CASE(expect_100_continue) {
  const std::string head =
      "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
  machine waits;
  BOOST_TEST(waits.feed(head));
  BOOST_TEST(waits.st.queued() == 1u);
  BOOST_TEST(waits.take().kind == item::interim);
  BOOST_TEST(waits.feed("hello"));
  item r = waits.take();
  BOOST_TEST(r.kind == item::request);
  BOOST_TEST(r.req->body() == "hello");

  machine sent;
  sent.feed(head + "hello");
  BOOST_TEST(sent.st.queued() == 1u);
  BOOST_TEST(sent.take().kind == item::request);

  machine old;
  old.feed("POST /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  BOOST_TEST(old.st.queued() == 0u);
}

// RFC 9112 §6.1, §6.3: Transfer-Encoding must end in chunked, once, on HTTP/1.1; a coding
// before it is not implemented. A refused request closes the intake: nothing behind it is read.
BOOST_AUTO_TEST_CASE(transfer_encoding_rules) {
  struct {
    std::string request;
    unsigned status;
  } const cases[] = {
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400},
  };
  for (const auto& k : cases) {
    BOOST_TEST_CONTEXT(k.request) {
      machine c;
      c.feed(k.request + req("/behind"));
      BOOST_TEST(c.st.queued() == 1u);
      item it = c.take();
      BOOST_TEST(it.kind == item::rejected);
      BOOST_TEST(it.status == k.status);
      BOOST_TEST((c.st.intake_state() == state::intake::closed));
      BOOST_TEST(!c.st.keep_alive_after(true));
      BOOST_TEST(c.m.bad_requests_total == 1u);
    }
  }
  machine ok;
  ok.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  item it = ok.take();
  BOOST_TEST(it.kind == item::request);
  BOOST_TEST(it.req->body() == "abc");
}

// RFC 9112 §2.2, §9.3.2: a malformed request behind good ones is answered (400) after them, and
// the connection ends there; requests over a size limit are refused with their status.
BOOST_AUTO_TEST_CASE(refused_requests_end_the_intake_in_order) {
  machine c;
  c.feed(req("/1") + "NOT HTTP\r\n\r\n" + req("/2"));
  BOOST_TEST(c.st.queued() == 2u);
  BOOST_TEST(c.take().kind == item::request);
  item bad = c.take();
  BOOST_TEST(bad.kind == item::rejected);
  BOOST_TEST(bad.status == 400u);
  BOOST_TEST(c.st.nothing_more());

  ahttp::server_options o;
  o.body_limit = 4;
  o.header_limit = 64;
  machine body(o);
  body.feed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
  BOOST_TEST(body.take().status == 413u);
  machine head(o);
  head.feed("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n");
  BOOST_TEST(head.take().status == 431u);
  BOOST_TEST(head.m.bad_requests_total == 1u);
}

// Back-pressure: max_pipelined requests are parsed ahead, the bytes behind them kept; at
// read_ahead bytes held the reader pauses, and a slot freed by the writer resumes it.
BOOST_AUTO_TEST_CASE(back_pressure) {
  ahttp::server_options o;
  o.max_pipelined = 2;
  o.header_limit = 1024;
  o.read_ahead_limit = 0;  // at least header_limit + 4096 is held
  machine c(o);
  BOOST_TEST(c.st.read_ahead() == 1024u + 4096);
  const std::string one = req("/x");
  while (c.st.held() < c.st.read_ahead()) c.feed(one);
  BOOST_TEST(c.st.queued() == 2u);
  BOOST_TEST((c.st.next_read() == phase::paused));
  BOOST_TEST(!c.st.resume_reading());
  c.take();
  BOOST_TEST(c.st.queued() == 2u);  // the freed slot took the next request
  BOOST_TEST(c.st.held() < c.st.read_ahead());
  BOOST_TEST(c.st.resume_reading());
  BOOST_TEST((c.st.next_read() == phase::watching));
}

// A client that goes away behind a deep pipeline: the request being served is counted as a
// disconnect, the queue is dropped, and the writer ends.
BOOST_AUTO_TEST_CASE(disconnect_behind_a_deep_pipeline) {
  machine c;
  std::string many;
  for (int i = 0; i < 40; ++i) many += req("/r" + std::to_string(i));
  c.feed(many);
  BOOST_TEST(c.st.queued() == c.opts.max_pipelined);
  c.take();
  c.st.on_serving();
  c.st.on_peer_gone();
  BOOST_TEST(c.m.client_disconnects_total == 1u);
  BOOST_TEST(c.st.queued() == 0u);
  BOOST_TEST(c.st.nothing_more());
  BOOST_TEST((c.st.next_read() == phase::ended));
  BOOST_TEST(!c.feed(req("/late")));
}

// Graceful shutdown: an idle connection ends at once; a request begun may still arrive whole
// and is answered with the connection's close; requests in hand are answered, the last closes.
BOOST_AUTO_TEST_CASE(graceful_shutdown) {
  machine idle;
  idle.st.on_shutdown();
  BOOST_TEST(idle.st.nothing_more());

  machine half;
  half.feed("GET /half HTTP/1.1\r\n");
  half.st.on_shutdown();
  BOOST_TEST(!half.st.nothing_more());
  BOOST_TEST((half.st.intake_state() == state::intake::open));
  BOOST_TEST(half.feed("Host: x\r\n\r\n" + req("/next")));
  BOOST_TEST(half.st.queued() == 1u);  // "/next" comes after the shutdown: not taken
  BOOST_TEST(!half.answer_next());
  BOOST_TEST(half.st.nothing_more());

  machine busy;
  busy.feed(req("/1") + req("/2"));
  busy.st.on_shutdown();
  BOOST_TEST(!busy.answer_next());  // Connection: close on every answer from now on
  BOOST_TEST(!busy.st.nothing_more());
  BOOST_TEST(!busy.answer_next());
  BOOST_TEST(busy.st.nothing_more());

  machine cut;  // the grace ran out under a handler: its answer is the last
  cut.feed(req("/1") + "GET /2 HTTP/1.1\r\n");
  cut.take();
  cut.st.on_shutdown_answer();
  BOOST_TEST(!cut.st.keep_alive_after(true));
  BOOST_TEST(cut.st.nothing_more());
}

// The reader stopping (a timeout, an error) leaves what is queued to be answered, then ends.
BOOST_AUTO_TEST_CASE(reader_end_answers_what_is_queued) {
  machine c;
  c.feed(req("/1") + req("/2") + "GET /3");
  c.st.on_reader_ended();
  BOOST_TEST(c.st.queued() == 2u);
  BOOST_TEST(!c.st.nothing_more());
  BOOST_TEST(c.answer_next());
  BOOST_TEST(!c.answer_next());
  BOOST_TEST(c.st.nothing_more());
}

BOOST_AUTO_TEST_SUITE_END()
