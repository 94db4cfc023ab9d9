// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// bench/chain's open-loop load generator: a fixed arrival rate through asioctx's client_pool,
// each request with a budget header (grpc-timeout), loopback only.
//
//   chain_load --target HOST:PORT --rate R [--seconds S] [--warmup S] [--count N] [--budget-ms 200]
//              [--capacity C] [--spent-every K] [--metrics NAME=HOST:PORT]... [--label TEXT]
//
// Requests leave at their scheduled times whatever came back (latency is measured from the
// scheduled time), at most N of them within S seconds; every K-th carries a spent budget ("0m", target
// /work?spent=1). The generator waits budget + 1 s for an answer, then gives up on the request. It reads each
// service's /metrics before (once the --warmup seconds, not counted, have passed) and after, then
// waits (up to 3 s) for every chain_inflight to drop to 0. Prints one line of key=value pairs:
// goodput (200s within the budget) per second and as a share of C, the status mix, p50/p99 of
// answered requests, the back's wasted share of slot time, CPU per request per service, in-flight
// gauges and RSS after the run.
#include "common.hpp"

#include <asioctx/http/client_pool.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace ahttp = asioctx::http;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using sclock = std::chrono::steady_clock;

namespace {

struct endpoint {
  std::string name, host, port;
};

bool split(const std::string& hp, endpoint& e) {
  const auto colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  e.host = hp.substr(0, colon);
  e.port = hp.substr(colon + 1);
  return true;
}

struct options {
  endpoint target;
  double rate = 100, seconds = 10, capacity = 400, warmup = 0;
  long count = 1'000'000, spent_every = 0;
  std::chrono::milliseconds budget{200};
  std::vector<endpoint> metrics;
  std::string label = "chain";
};

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    const std::string v = argv[++i];
    if (a == "--target") {
      if (!split(v, o.target)) return false;
    } else if (a == "--rate") {
      o.rate = std::atof(v.c_str());
    } else if (a == "--seconds") {
      o.seconds = std::atof(v.c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atof(v.c_str());
    } else if (a == "--count") {
      o.count = std::atol(v.c_str());
    } else if (a == "--budget-ms") {
      o.budget = std::chrono::milliseconds(std::atol(v.c_str()));
    } else if (a == "--capacity") {
      o.capacity = std::atof(v.c_str());
    } else if (a == "--spent-every") {
      o.spent_every = std::atol(v.c_str());
    } else if (a == "--metrics") {
      endpoint e;
      const auto eq = v.find('=');
      if (eq == std::string::npos || !split(v.substr(eq + 1), e)) return false;
      e.name = v.substr(0, eq);
      o.metrics.push_back(e);
    } else if (a == "--label") {
      o.label = v;
    } else {
      return false;
    }
  }
  return !o.target.port.empty() && o.rate > 0;
}

struct tally {
  long sent = 0, done = 0, spent = 0, ok_in_budget = 0, client_gave_up = 0, errors = 0;
  std::string first_error;
  std::map<unsigned, long> status;
  std::vector<double> latency_ms;       // answered requests, from the scheduled time
  std::vector<double> send_lag_ms;      // how late each request left (this process kept from its schedule)
  std::vector<double> sent_latency_ms;  // answered requests, from the time they left
};

using scrape = std::map<std::string, std::map<std::string, double>>;

// Every service's /metrics, fetched one after the other (a service that does not answer in 2 s is left out).
scrape read_all(net::io_context& io, ahttp::client_pool& pool, const std::vector<endpoint>& eps) {
  scrape out;
  for (const auto& e : eps) {
    auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 2s);
    bool done = false;
    pool.async_fetch(ctx, e.host, e.port, ahttp::request(bhttp::verb::get, "/metrics", 11), {},
                     [&](asioctx::error_code ec, ahttp::response res) {
                       if (!ec) out[e.name] = chain::parse_metrics(res.body());
                       done = true;
                     });
    while (!done && io.run_one()) {
    }
    cancel();
  }
  return out;
}

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: chain_load --target HOST:PORT --rate R [--seconds S] [--count N] [--budget-ms MS]\n"
                 "       [--capacity C] [--spent-every K] [--metrics NAME=HOST:PORT]... [--label TEXT]\n";
    return 2;
  }
  net::io_context io(1);
  ahttp::client_pool_options po;
  po.max_connections_per_host = 8192;
  po.max_idle_per_host = 8192;
  ahttp::client_pool pool(io.get_executor(), po);
  ahttp::client_pool scraper(io.get_executor());  // its own: the load's connections close before the end
  scrape before;

  ahttp::client_options co;
  co.budget_header = ahttp::budget_format::none;  // the budget header is set by hand: exactly budget
  co.raw_deadline_answers = true;                 // a 504 is a status to count
  const std::string budget_value = std::to_string(o.budget.count()) + "m";
  const long measured = std::min(o.count, static_cast<long>(o.rate * o.seconds));
  const long warm = static_cast<long>(o.rate * o.warmup);
  const long total = warm + measured;
  const auto period = std::chrono::duration<double>(1.0 / o.rate);
  const auto start = sclock::now();
  const std::int64_t cpu_at_start = chain::cpu_us();
  tally t;
  net::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    const auto now = sclock::now();
    for (; t.sent < total; ++t.sent) {
      const auto due = start + std::chrono::duration_cast<sclock::duration>(period * t.sent);
      if (due > now) {
        ticker.expires_at(due);
        ticker.async_wait([&](auto) { tick(); });
        return;
      }
      const bool counted = t.sent >= warm;
      if (counted) t.send_lag_ms.push_back(std::chrono::duration<double, std::milli>(now - due).count());
      const bool spent = o.spent_every > 0 && t.sent % o.spent_every == 0;
      ahttp::request req(bhttp::verb::get, spent ? "/work?spent=1" : "/work", 11);
      req.set("grpc-timeout", spent ? std::string("0m") : budget_value);
      if (spent && counted) ++t.spent;
      auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), o.budget + 1s);
      pool.async_fetch(ctx, o.target.host, o.target.port, std::move(req), co,
                       [&t, &o, due, now, counted, cancel = std::move(cancel)](asioctx::error_code ec,
                                                                               ahttp::response res) {
                         ++t.done;
                         cancel();
                         if (!counted) return;
                         if (ec == asioctx::error::deadline_exceeded) {
                           ++t.client_gave_up;
                         } else if (ec) {
                           if (t.errors++ == 0) t.first_error = ec.message();
                         } else {
                           const double ms =
                               std::chrono::duration<double, std::milli>(sclock::now() - due).count();
                           ++t.status[res.result_int()];
                           t.latency_ms.push_back(ms);
                           t.sent_latency_ms.push_back(
                               std::chrono::duration<double, std::milli>(sclock::now() - now).count());
                           if (res.result_int() == 200 && ms <= static_cast<double>(o.budget.count()))
                             ++t.ok_in_budget;
                         }
                       });
    }
  };
  bool counting = warm == 0;
  if (counting) before = read_all(io, scraper, o.metrics);
  tick();
  while (t.done < total && io.run_one()) {
    // The counters start when the warm-up ends (the load keeps running while they are read).
    if (!counting && t.sent >= warm) {
      counting = true;
      before = read_all(io, scraper, o.metrics);
    }
  }

  // Let abandoned work drain and the load's connections close (the target's only open connection
  // is then the scraper's), then read the gauges: the memory a service keeps once its clients left.
  pool.close();
  const auto settle_until = sclock::now() + 3s;
  scrape after = read_all(io, scraper, o.metrics);
  for (;;) {
    bool idle = true;
    for (const auto& e : o.metrics) {
      auto& m = after[e.name];
      idle = idle && m["chain_inflight"] == 0 &&
             (e.host != o.target.host || e.port != o.target.port || m["asioctx_http_open_connections"] <= 1);
    }
    if (idle || sclock::now() > settle_until) break;
    net::steady_timer pause(io, 50ms);
    pause.async_wait([](auto) {});
    io.run_one();
    after = read_all(io, scraper, o.metrics);
  }

  const double window = static_cast<double>(measured) / o.rate;
  const double goodput = static_cast<double>(t.ok_in_budget) / window;
  std::printf("result label=%s offered=%.0f sent=%ld spent=%ld goodput_rps=%.1f goodput_pct=%.1f",
              o.label.c_str(), o.rate, measured, t.spent, goodput, 100.0 * goodput / o.capacity);
  long other = 0;
  for (auto [s, n] : t.status) {
    if (s == 200 || s == 503 || s == 504)
      std::printf(" s%u=%ld", s, n);
    else
      other += n;
  }
  std::printf(" s_other=%ld gave_up=%ld errors=%ld", other, t.client_gave_up, t.errors);
  std::vector<double> lat = t.latency_ms;
  std::printf(" p50_ms=%.1f p99_ms=%.1f", pct(lat, 0.50), pct(lat, 0.99));
  // The generator's own share of the latency: sent late, or its CPU time per request.
  std::printf(
      " p99_from_send_ms=%.1f send_lag_p99_ms=%.1f load_cpu_us_per_req=%.0f", pct(t.sent_latency_ms, 0.99),
      pct(t.send_lag_ms, 0.99),
      static_cast<double>(chain::cpu_us() - cpu_at_start) / std::max<double>(1, static_cast<double>(total)));
  const auto delta = [&](const std::string& svc, const std::string& key) {
    auto a = after.find(svc);
    auto b = before.find(svc);
    if (a == after.end() || b == before.end()) return 0.0;
    const auto get = [&](const std::map<std::string, double>& m) {
      auto it = m.find(key);
      return it == m.end() ? 0.0 : it->second;
    };
    return get(a->second) - get(b->second);
  };
  for (const auto& e : o.metrics) {
    auto a = after.find(e.name);
    if (a == after.end()) {
      std::printf(" %s=unreachable", e.name.c_str());
      continue;
    }
    std::printf(" %s_cpu_us_per_req=%.0f %s_inflight=%.0f %s_rss_kb=%.0f", e.name.c_str(),
                delta(e.name, "chain_cpu_us_total") / std::max<double>(1, static_cast<double>(measured)),
                e.name.c_str(), a->second["chain_inflight"], e.name.c_str(),
                a->second["chain_rss_bytes"] / 1024);
    std::printf(" %s_heap_kb=%.0f %s_heap_free_kb=%.0f %s_op_cache_kb=%.0f %s_conns=%.0f %s_pool_idle=%.0f",
                e.name.c_str(), a->second["chain_heap_in_use_bytes"] / 1024, e.name.c_str(),
                a->second["chain_heap_free_bytes"] / 1024, e.name.c_str(),
                a->second["chain_op_cache_bytes"] / 1024, e.name.c_str(),
                a->second["asioctx_http_open_connections"], e.name.c_str(),
                a->second["chain_pool_idle_connections"]);
    if (a->second.count("chain_slot_us_total")) {
      const double slot = delta(e.name, "chain_slot_us_total");
      const double wasted = delta(e.name, "chain_wasted_slot_us_total");
      const double late = delta(e.name, "chain_late_slot_us_total");
      std::printf(
          " wasted_pct=%.1f late_pct=%.1f late_max_ms=%.1f late_over_50ms=%.0f started=%.0f completed=%.0f"
          " aborted=%.0f refused=%.0f started_past_deadline=%.0f spent_arrived=%.0f",
          slot > 0 ? 100 * wasted / slot : 0.0, slot > 0 ? 100 * late / slot : 0.0,
          a->second["chain_late_max_us"] / 1000, delta(e.name, "chain_late_over_50ms_total"),
          delta(e.name, "chain_work_started_total"), delta(e.name, "chain_work_completed_total"),
          delta(e.name, "chain_work_aborted_total"), delta(e.name, "chain_refused_total"),
          delta(e.name, "chain_work_started_past_deadline_total"), a->second["chain_spent_arrived_total"]);
    }
  }
  std::printf("\n");
  if (t.errors > 0)
    std::fprintf(stderr, "chain_load: %ld errors, the first: %s\n", t.errors, t.first_error.c_str());
  scraper.close();
  return 0;
}
