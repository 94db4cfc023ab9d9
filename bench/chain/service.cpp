// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// One hop of bench/chain: an asioctx::http::server on one thread.
//
//   chain_service --role front|mid|back [--port N] [--next HOST:PORT] [--timeout-ms MS]
//                 [--propagate grpc|none] [--margin-ms MS] [--slots N] [--work-ms W] [--cpu]
//                 [--trace FILE]
//
// front and mid forward every request to --next with a client_pool under the request's context
// (the budget in grpc-timeout less --margin-ms, or no budget with --propagate none: then only a
// disconnect travels). back takes one of --slots slots (the wait bound to the context), then
// works --work-ms: a timer bound to the context, or with --cpu a busy loop that yields and checks
// ctx.done() every 100 us. back starts no work its budget cannot finish, and a slot wait ends once
// the work could no longer finish in time. GET /metrics: counters.
// GET /trim: malloc_trim(0), and the RSS before and after (what malloc kept free).
// Prints "listening on ADDR:PORT"; SIGINT/SIGTERM shut it down.
#include "common.hpp"
#include "slots.hpp"
#include "trace.hpp"

#include <asioctx/bind.hpp>
#include <asioctx/http.hpp>
#include <asioctx/http/client_pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>

namespace net = boost::asio;
namespace ahttp = asioctx::http;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

namespace {

struct config {
  std::string role;
  unsigned short port = 0;
  std::string next_host = "127.0.0.1", next_port;
  std::chrono::milliseconds timeout{30'000};
  ahttp::client_options client;
  std::size_t slots = 8;
  std::chrono::microseconds work{20'000};
  bool cpu = false;
  std::string trace;
};

// The back's accounting, in microseconds. Slot time is wasted unless its work finished by the
// origin deadline (the front's, when it answers 504): aborted work, and work done for an answer that came
// too late, bought nothing. Late time is slot time past the origin deadline.
struct counters {
  std::int64_t inflight = 0, requests = 0, spent_arrived = 0, refused = 0, wait_ended = 0, started = 0,
               completed = 0, aborted = 0, started_past_deadline = 0, slot_us = 0, wasted_us = 0, late_us = 0,
               late_max_us = 0, late_over_50ms = 0;
};

struct service {
  config cfg;
  counters c;
  std::optional<chain::slots> slots;
  std::optional<ahttp::client_pool> pool;
  std::optional<chain::trace> tr;

  // Whether ctx leaves time for the whole work (a budget that cannot finish starts nothing).
  bool can_finish(const asioctx::context& ctx) const {
    if (ctx.done()) return false;
    const auto d = ctx.deadline();
    return !d || ahttp::remaining(*d, asioctx::clock::now()) >= cfg.work;
  }

  // The front's deadline for req: the front's own context's, the header's past it.
  std::int64_t origin_of(const asioctx::context& ctx, const ahttp::request& req) const {
    if (const auto d = ctx.deadline(); d && cfg.role == "front")
      return chain::unix_ns() + ahttp::remaining(*d, asioctx::clock::now()).count();
    return chain::origin_deadline(req);
  }

  // True if the work ran to its end.
  net::awaitable<bool> work(const asioctx::context& ctx) {
    auto ex = co_await net::this_coro::executor;
    if (!cfg.cpu) {
      net::steady_timer timer(ex, cfg.work);
      auto [ec] = co_await timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
      co_return !ec;
    }
    // cfg.work of CPU time, spun 100 us at a time: slots that share the thread take turns.
    std::chrono::steady_clock::duration spun{};
    for (;;) {
      const auto begin = std::chrono::steady_clock::now();
      const auto step = std::min<std::chrono::steady_clock::duration>(cfg.work - spun, 100us);
      while (std::chrono::steady_clock::now() - begin < step) {
      }
      spun += step;
      if (spun >= cfg.work) co_return true;
      co_await net::post(ex, net::use_awaitable);  // lets the deadline timer and hangups run
      if (ctx.done()) co_return false;
    }
  }

  net::awaitable<ahttp::response> back(asioctx::context ctx, const ahttp::request& req,
                                       chain::trace::record* rec) {
    const std::int64_t origin = chain::origin_deadline(req);
    if (req.target().find("spent=1") != boost::beast::string_view::npos) ++c.spent_arrived;
    if (!can_finish(ctx)) {
      ++c.refused;
      if (rec) rec->outcome = 'r';
      co_return chain::deadline_answer(req);
    }
    // A slot that comes with less than the work's time left is no use: the wait ends then.
    auto wait =
        ctx.deadline() ? asioctx::with_deadline(ctx, *ctx.deadline() - cfg.work) : asioctx::with_cancel(ctx);
    const bool got = co_await slots->acquire(wait.ctx);
    wait.cancel();
    if (!got) {
      ++c.wait_ended;
      if (rec) rec->outcome = 'w';
      co_return chain::deadline_answer(req);
    }
    const auto taken = std::chrono::steady_clock::now();
    if (rec) rec->slot = chain::unix_ns();
    bool finished = false;
    if (can_finish(ctx)) {  // the wait may have eaten the budget
      ++c.started;
      if (origin != 0 && chain::unix_ns() > origin) ++c.started_past_deadline;
      finished = co_await work(ctx);
      ++(finished ? c.completed : c.aborted);
      if (rec) rec->outcome = finished ? 'c' : 'a';
    } else {
      ++c.refused;
      if (rec) rec->outcome = 'r';
    }
    slots->release();
    chain::trace::end(rec);
    const auto held =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - taken);
    const std::int64_t late_us =
        origin == 0 ? 0 : std::max<std::int64_t>(0, (chain::unix_ns() - origin) / 1000);
    c.slot_us += held.count();
    if (!finished || late_us > 0) c.wasted_us += held.count();
    c.late_us += std::min<std::int64_t>(late_us, held.count());
    c.late_max_us = std::max(c.late_max_us, late_us);
    if (late_us > 50'000) ++c.late_over_50ms;
    co_return finished ? chain::plain(req, bhttp::status::ok, "done\n") : chain::deadline_answer(req);
  }

  net::awaitable<ahttp::response> forward(asioctx::context ctx, const ahttp::request& req,
                                          std::int64_t origin) {
    ahttp::request out(bhttp::verb::get, req.target(), 11);
    if (origin != 0) out.set(std::string(chain::origin_deadline_field), std::to_string(origin));
    auto [ec, res] = co_await pool->async_fetch(ctx, cfg.next_host, cfg.next_port, std::move(out), cfg.client,
                                                net::as_tuple(net::use_awaitable));
    if (!ec) co_return chain::plain(req, res.result(), std::move(res.body()));
    if (ec == asioctx::error::deadline_exceeded) co_return chain::deadline_answer(req);
    co_return chain::plain(req, bhttp::status::bad_gateway, ec.message() + "\n");
  }

  std::string metrics(const ahttp::metrics& server) const {
    std::string out;
    const auto gauge = [&](const char* name, const char* help, std::int64_t v) {
      ahttp::write_metric(out, name, "gauge", help, v);
    };
    const auto counter = [&](const char* name, const char* help, std::int64_t v) {
      ahttp::write_metric(out, name, "counter", help, v);
    };
    gauge("chain_inflight", "Requests this hop is handling (the scrape not counted).", c.inflight);
    counter("chain_requests_total", "Requests handled (the scrapes not counted).", c.requests);
    counter("chain_cpu_us_total", "CPU time of the process, user and system.", chain::cpu_us());
    gauge("chain_rss_bytes", "Resident set size.", chain::rss_bytes());
    const chain::heap h = chain::heap_now();
    gauge("chain_heap_in_use_bytes", "malloc's bytes in use.", h.in_use);
    gauge("chain_heap_free_bytes", "Free bytes malloc keeps.", h.kept_free);
    gauge("chain_op_cache_bytes", "Bytes in asioctx's small-block cache (this thread).", h.op_cache);
    if (slots) {
      gauge("chain_slot_waiting", "Requests waiting for a slot.",
            static_cast<std::int64_t>(slots->waiting()));
      counter("chain_spent_arrived_total", "Requests marked spent=1 by the load generator that arrived.",
              c.spent_arrived);
      counter("chain_refused_total", "Work not started: the budget could not cover it.", c.refused);
      counter("chain_wait_ended_total", "Slot waits ended by the request's context.", c.wait_ended);
      counter("chain_work_started_total", "Work started.", c.started);
      counter("chain_work_completed_total", "Work run to its end.", c.completed);
      counter("chain_work_aborted_total", "Work ended by the request's context.", c.aborted);
      counter("chain_work_started_past_deadline_total", "Work started after the origin deadline.",
              c.started_past_deadline);
      counter("chain_slot_us_total", "Slot time held.", c.slot_us);
      counter("chain_wasted_slot_us_total", "Slot time that produced no answer by the origin deadline.",
              c.wasted_us);
      counter("chain_late_slot_us_total", "Slot time past the origin deadline.", c.late_us);
      gauge("chain_late_max_us", "Longest a slot was held past its request's origin deadline.",
            c.late_max_us);
      counter("chain_late_over_50ms_total", "Slots held more than 50 ms past the origin deadline.",
              c.late_over_50ms);
    }
    if (pool) {
      const auto& m = pool->get_metrics();
      counter("chain_pool_connections_total", "Connections the client pool opened.",
              static_cast<std::int64_t>(m.connections_total.load()));
      gauge("chain_pool_idle_connections", "Idle connections in the client pool.", m.idle_connections.load());
    }
    server.write_prometheus(out);
    return out;
  }
};

bool parse(int argc, char** argv, config& cfg) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool v = i + 1 < argc;
    if (a == "--role" && v) {
      cfg.role = argv[++i];
    } else if (a == "--port" && v) {
      cfg.port = static_cast<unsigned short>(std::atoi(argv[++i]));
    } else if (a == "--next" && v) {
      const std::string hp = argv[++i];
      const auto colon = hp.rfind(':');
      if (colon == std::string::npos) return false;
      cfg.next_host = hp.substr(0, colon);
      cfg.next_port = hp.substr(colon + 1);
    } else if (a == "--timeout-ms" && v) {
      cfg.timeout = std::chrono::milliseconds(std::atol(argv[++i]));
    } else if (a == "--propagate" && v) {
      const std::string f = argv[++i];
      if (f != "grpc" && f != "none") return false;
      cfg.client.budget_header =
          f == "none" ? ahttp::budget_format::none : ahttp::budget_format::grpc_timeout;
    } else if (a == "--margin-ms" && v) {
      cfg.client.budget_margin = std::chrono::milliseconds(std::atol(argv[++i]));
    } else if (a == "--slots" && v) {
      cfg.slots = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "--work-ms" && v) {
      cfg.work = std::chrono::microseconds(static_cast<long>(std::atof(argv[++i]) * 1000));
    } else if (a == "--trace" && v) {
      cfg.trace = argv[++i];
    } else if (a == "--cpu") {
      cfg.cpu = true;
    } else {
      return false;
    }
  }
  return cfg.role == "back" || ((cfg.role == "front" || cfg.role == "mid") && !cfg.next_port.empty());
}

}  // namespace

int main(int argc, char** argv) {
  service s;
  if (!parse(argc, argv, s.cfg)) {
    std::cerr
        << "usage: chain_service --role front|mid|back [--port N] [--next HOST:PORT] [--timeout-ms MS]\n"
           "       [--propagate grpc|none] [--margin-ms MS] [--slots N] [--work-ms W] [--cpu]\n";
    return 2;
  }
  net::io_context io(1);
  s.tr.emplace(s.cfg.trace);
  s.tr->sample(io.get_executor());
  if (s.cfg.role == "back") {
    s.slots.emplace(io.get_executor(), s.cfg.slots);
  } else {
    ahttp::client_pool_options po;
    po.max_connections_per_host = 4096;
    po.max_idle_per_host = 4096;
    s.pool.emplace(io.get_executor(), po);
  }
  ahttp::server_options so;
  so.handler_timeout = s.cfg.timeout;
  std::optional<ahttp::server> server;
  auto handler = [&](asioctx::context ctx, ahttp::request req) -> net::awaitable<ahttp::response> {
    if (req.target() == "/metrics")
      co_return chain::plain(req, bhttp::status::ok, s.metrics(server->get_metrics()));
    if (req.target() == "/trim") {  // how much of the RSS is free memory malloc kept
      const std::int64_t before = chain::rss_bytes();
      chain::trim_heap();
      co_return chain::plain(req, bhttp::status::ok,
                             "rss_kb " + std::to_string(before / 1024) + " -> " +
                                 std::to_string(chain::rss_bytes() / 1024) + "\n");
    }
    ++s.c.requests;
    ++s.c.inflight;
    const std::int64_t origin = s.origin_of(ctx, req);
    chain::trace::record* rec = s.tr->begin(ctx, io.get_executor(), origin);
    struct leave {
      std::int64_t& n;
      chain::trace::record* rec;
      ~leave() {
        --n;
        chain::trace::end(rec);  // the back's is ended when its slot is released
      }
    } guard{s.c.inflight, rec};
    if (s.slots) co_return co_await s.back(std::move(ctx), req, rec);
    ahttp::response res = co_await s.forward(std::move(ctx), req, origin);
    if (rec) rec->outcome = res.result() == bhttp::status::ok ? '2' : '5';
    co_return res;
  };
  server.emplace(io.get_executor(), handler, so);
  server->listen({net::ip::make_address("127.0.0.1"), s.cfg.port});
  server->start();
  std::cout << "listening on " << server->local_endpoint() << std::endl;
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    if (s.pool) s.pool->close();
    s.tr->stop();  // its sampler; written below
    server->async_shutdown(1s, [] {});
  });
  io.run();
  s.tr->write(s.cfg.role);
}
