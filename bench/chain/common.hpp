// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// What the chain's programs share: the measurement header, the process's CPU time and RSS, the
// deadline answer, and a reader for the Prometheus text the services expose.
#ifndef ASIOCTX_BENCH_CHAIN_COMMON_HPP
#define ASIOCTX_BENCH_CHAIN_COMMON_HPP

#include <asioctx/http.hpp>

#include <asioctx/detail/op_pool.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/resource.h>

#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

namespace chain {

namespace ahttp = asioctx::http;
namespace bhttp = boost::beast::http;

// The front's deadline for a request, when it answers 504 if nothing came back (its context's
// deadline; Go's http.TimeoutHandler's), in Unix nanoseconds (CLOCK_REALTIME, so that the Go
// services read it too). Measurement only: the front sets it, the others forward it, none acts on it.
inline constexpr std::string_view origin_deadline_field = "x-chain-deadline-unix-ns";

inline std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The request's origin deadline, or 0 if it carries none.
inline std::int64_t origin_deadline(const ahttp::request& req) {
  auto it = req.find(boost::beast::string_view(origin_deadline_field.data(), origin_deadline_field.size()));
  return it == req.end() ? 0 : std::strtoll(std::string(it->value()).c_str(), nullptr, 10);
}

// User plus system CPU time of this process, in microseconds.
inline std::int64_t cpu_us() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

// Resident set size of this process, in bytes.
inline std::int64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// Where the resident memory is: malloc's bytes in use and free bytes it keeps (all arenas), and
// asioctx's per-thread cache of small blocks (this thread's: the services run on one).
struct heap {
  std::int64_t in_use, kept_free, op_cache;
};

inline heap heap_now() {
#if defined(__GLIBC__)
  const struct mallinfo2 mi = mallinfo2();
  return {static_cast<std::int64_t>(mi.uordblks + mi.hblkhd), static_cast<std::int64_t>(mi.fordblks),
          static_cast<std::int64_t>(asioctx::detail::op_cache.bytes)};
#else
  return {0, 0, static_cast<std::int64_t>(asioctx::detail::op_cache.bytes)};  // glibc's counters only
#endif
}

// Gives malloc's free memory back to the system where it can (glibc), for GET /trim.
inline void trim_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

inline ahttp::response plain(const ahttp::request& req, bhttp::status s, std::string body) {
  ahttp::response res(s, req.version());
  res.set(bhttp::field::content_type, "text/plain");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// A deadline answer as the server makes one (504 and its marker), for a hop that gives up
// before its own deadline: a callee's deadline answer arrived, or the work cannot finish in time.
inline ahttp::response deadline_answer(const ahttp::request& req) {
  ahttp::response res = plain(req, bhttp::status::gateway_timeout, "deadline exceeded\n");
  res.set("x-asioctx-deadline-exceeded", "1");
  return res;
}

// "name value" lines of a Prometheus text page (comments skipped).
inline std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    out[line.substr(0, sp)] = std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return out;
}

}  // namespace chain

#endif  // ASIOCTX_BENCH_CHAIN_COMMON_HPP
