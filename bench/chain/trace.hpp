// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// bench/chain's per-request trace (chain_service --trace FILE): for each request, when it arrived,
// when its context ended, when the back took a slot and when the hop let go of it (the back: its
// slot released; the front and mid: the call to the next hop returned, its connection closed),
// in Unix nanoseconds beside the front's deadline, so that bench/chain/trace.sh can join the hops
// and say where a cancel spent its time. Every 2 ms it also samples /proc/self/schedstat (CPU time,
// and time spent runnable but waiting for a CPU): FILE.sched. Written when the service stops; one
// thread.
#ifndef ASIOCTX_BENCH_CHAIN_TRACE_HPP
#define ASIOCTX_BENCH_CHAIN_TRACE_HPP

#include "common.hpp"

#include <asioctx/after_func.hpp>
#include <asioctx/context.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace chain {

class trace {
 public:
  struct record {
    std::int64_t origin = 0, arrived = 0, done = 0, slot = 0, ended = 0;
    // The back: c(ompleted), a(borted), w(ait ended), r(efused); the others: the status the
    // handler returned, 2(00) or 5(04 or another failure); '-': none (the handler was abandoned).
    char outcome = '-';
    asioctx::stop_func watch;
  };

  explicit trace(std::string path) : path_(std::move(path)) {}
  bool on() const noexcept { return !path_.empty(); }

  // A record for a request that arrived now, whose done time is taken when ctx ends (or null).
  record* begin(const asioctx::context& ctx, const boost::asio::any_io_executor& ex, std::int64_t origin) {
    if (!on()) return nullptr;
    record& r = records_.emplace_back();
    r.origin = origin;
    r.arrived = unix_ns();
    r.watch = asioctx::after_func(ctx, ex, [&r] { r.done = unix_ns(); });
    return &r;
  }

  // Samples the scheduler's counters every 2 ms until the executor stops.
  void sample(const boost::asio::any_io_executor& ex) {
    if (!on()) return;
    timer_.emplace(ex);
    tick();
  }

  void stop() {
    stopped_ = true;  // a tick already queued must not re-arm
    if (timer_) timer_->cancel();
  }

  static void end(record* r) {
    if (!r || r->ended != 0) return;
    r->ended = unix_ns();
    r->watch();  // a context that ends after the answer is not the cancel we trace
  }

  // "origin arrived done slot ended outcome" per line; 0 for an event that did not happen.
  void write(const std::string& role) const {
    if (!on()) return;
    std::FILE* f = std::fopen(path_.c_str(), "w");
    if (!f) return;
    for (const record& r : records_)
      std::fprintf(f, "%s %lld %lld %lld %lld %lld %c\n", role.c_str(), static_cast<long long>(r.origin),
                   static_cast<long long>(r.arrived), static_cast<long long>(r.done),
                   static_cast<long long>(r.slot), static_cast<long long>(r.ended), r.outcome);
    std::fclose(f);
    f = std::fopen((path_ + ".sched").c_str(), "w");
    if (!f) return;
    for (const sched& x : samples_)
      std::fprintf(f, "%lld %lld %lld\n", static_cast<long long>(x.at), static_cast<long long>(x.cpu),
                   static_cast<long long>(x.waited));
    std::fclose(f);
  }

 private:
  struct sched {
    std::int64_t at, cpu, waited;  // ns
  };

  void tick() {
    sched x{unix_ns(), 0, 0};
    std::ifstream("/proc/self/schedstat") >> x.cpu >> x.waited;
    samples_.push_back(x);
    timer_->expires_after(std::chrono::milliseconds(2));
    timer_->async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) tick();
    });
  }

  std::string path_;
  std::deque<record> records_;  // stable addresses
  std::vector<sched> samples_;
  std::optional<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
};

}  // namespace chain

#endif  // ASIOCTX_BENCH_CHAIN_TRACE_HPP
