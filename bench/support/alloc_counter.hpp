// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counts heap allocations made through operator new, for allocs/op in the benchmarks.
#ifndef ASIOCTX_BENCH_ALLOC_COUNTER_HPP
#define ASIOCTX_BENCH_ALLOC_COUNTER_HPP

#include <benchmark/benchmark.h>

#include <cstdint>

namespace asioctx_bench {

// Allocations made by the calling thread since it started.
std::uint64_t allocations() noexcept;

// Reports the calling thread's allocations per iteration as "allocs/op" (averaged over threads).
class alloc_scope {
 public:
  explicit alloc_scope(benchmark::State& s) : state_(s), start_(allocations()) {}
  ~alloc_scope() {
    state_.counters["allocs/op"] = benchmark::Counter(
        static_cast<double>(allocations() - start_) / static_cast<double>(state_.iterations()),
        benchmark::Counter::kAvgThreads);
  }

 private:
  benchmark::State& state_;
  std::uint64_t start_;
};

}  // namespace asioctx_bench

#endif
