// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The core shapes, mirroring Go's src/context/benchmark_test.go one for one: same work per
// iteration, same concurrency (Go's RunParallel on this machine = 2 threads). Names match Go's so
// bench/compare can set the two side by side.
#include <asioctx/context.hpp>

#include "alloc_counter.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;

namespace {

const int parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

// Go's `x /= x + 1` filler, kept from being optimised away.
inline void filler(long& x) {
  for (int i = 0; i < 100; ++i) {
    benchmark::DoNotOptimize(x);
    x /= x + 1;
  }
}

const asioctx::key<std::string> value_key{"key"};

void CommonParentCancel(benchmark::State& state) {
  static asioctx::context root;
  static asioctx::derived<asioctx::cancel_func> shared;
  if (state.thread_index() == 0) {
    root = asioctx::with_value(asioctx::background(), value_key, "value");
    shared = asioctx::with_cancel(root);
  }
  asioctx_bench::alloc_scope allocs(state);
  long x = 0;
  for (auto _ : state) {
    auto [ctx, cancel] = asioctx::with_cancel(shared.ctx);
    if (*ctx.value(value_key) != "value") state.SkipWithError("should not be reached");
    filler(x);
    cancel();
    filler(x);
  }
  if (state.thread_index() == 0) {
    shared.cancel();
    shared = {};
  }
}
BENCHMARK(CommonParentCancel)->Name("CommonParentCancel")->Threads(parallelism)->UseRealTime();

// The shape's filler alone (its 200 divisions), so its context part can be compared with Go's:
// bench/go measures Go's filler in the same run.
void CommonParentCancelFiller(benchmark::State& state) {
  long x = 0;
  for (auto _ : state) {
    filler(x);
    filler(x);
  }
}
BENCHMARK(CommonParentCancelFiller)->Name("CommonParentCancelFiller")->Threads(parallelism)->UseRealTime();

// The shape a server has: ONE io_context, shared by the benchmark threads (as Go's RunParallel
// goroutines share one runtime), holding every live timed context; each thread creates and arms
// 10 more (with_timeout on the io_context arms at once) and cancels them, polling the io_context
// between iterations.
void WithTimeout(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  static net::io_context* io = nullptr;
  static std::vector<asioctx::cancel_func>* live = nullptr;
  if (state.thread_index() == 0) {
    io = new net::io_context;
    live = new std::vector<asioctx::cancel_func>;
    live->reserve(concurrency);
    for (int i = 0; i < concurrency; ++i)
      live->push_back(asioctx::with_timeout(*io, asioctx::background(), std::chrono::hours(1)).cancel);
  }
  asioctx::cancel_func wcf[10];
  {
    asioctx_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      for (auto& f : wcf) f = asioctx::with_timeout(*io, asioctx::background(), std::chrono::hours(1)).cancel;
      for (auto& f : wcf) f();
      io->poll();
    }
  }
  for (auto& f : wcf) f = {};
  if (state.thread_index() == 0) {
    for (auto& f : *live) f();
    delete live;
    io->poll();
    delete io;
  }
}

// Labelled variant: each benchmark thread has its own io_context with its share of the live
// contexts, as Go keeps a timer heap per P.
void WithTimeoutPerThread(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  const int threads = state.threads();
  net::io_context io(1);
  std::vector<asioctx::cancel_func> live;
  live.reserve(concurrency / threads);
  for (int i = 0; i < concurrency / threads; ++i)
    live.push_back(asioctx::with_timeout(io, asioctx::background(), std::chrono::hours(1)).cancel);
  asioctx::cancel_func wcf[10];
  {
    asioctx_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      for (auto& f : wcf) f = asioctx::with_timeout(io, asioctx::background(), std::chrono::hours(1)).cancel;
      for (auto& f : wcf) f();
      io.poll();
    }
  }
  for (auto& f : wcf) f = {};
  for (auto& f : live) f();
  live.clear();
  io.poll();
}
const bool with_timeout_registered = [] {
  for (int c : {40, 4000, 400000}) {
    benchmark::RegisterBenchmark(("WithTimeout/concurrency=" + std::to_string(c)).c_str(), WithTimeout)
        ->Arg(c)
        ->Threads(parallelism)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("WithTimeout/per-thread/concurrency=" + std::to_string(c)).c_str(),
                                 WithTimeoutPerThread)
        ->Arg(c)
        ->Threads(parallelism)
        ->UseRealTime();
  }
  return true;
}();

void build_context_tree(asioctx::context root, int depth) {
  for (int d = 0; d < depth; ++d) root = asioctx::with_cancel(root).ctx;
}

void CancelTreeBackground(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) build_context_tree(asioctx::background(), depth);
}
void CancelTreeOpen(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    build_context_tree(ctx, depth);
    cancel();
  }
}
void CancelTreeClosed(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    cancel();
    build_context_tree(ctx, depth);
  }
}
// Registered in Go's order: depth outer, root inner.
const bool cancel_tree_registered = [] {
  for (int d : {1, 10, 100, 1000}) {
    std::string base = "CancelTree/depth=" + std::to_string(d);
    benchmark::RegisterBenchmark((base + "/Root=Background").c_str(), CancelTreeBackground)->Arg(d);
    benchmark::RegisterBenchmark((base + "/Root=OpenCanceler").c_str(), CancelTreeOpen)->Arg(d);
    benchmark::RegisterBenchmark((base + "/Root=ClosedCanceler").c_str(), CancelTreeClosed)->Arg(d);
  }
  return true;
}();

void CheckCanceledErr(benchmark::State& state) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  cancel();
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ctx.err());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(CheckCanceledErr)->Name("CheckCanceled/Err");

void CheckCanceledDone(benchmark::State& state) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  cancel();
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ctx.done());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(CheckCanceledDone)->Name("CheckCanceled/Done");

void ContextCancelDone(benchmark::State& state) {
  static asioctx::derived<asioctx::cancel_func> live;
  if (state.thread_index() == 0) live = asioctx::with_cancel(asioctx::background());
  asioctx::context ctx = live.ctx;
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ctx.done());
    benchmark::ClobberMemory();
  }
  ctx = {};
  if (state.thread_index() == 0) {
    live.cancel();
    live = {};
  }
}
BENCHMARK(ContextCancelDone)->Name("ContextCancelDone")->Threads(parallelism)->UseRealTime();

void DeepValueSameGoRoutine(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<asioctx::key<int>>> keys;
  asioctx::context ctx;
  for (int i = 0; i < depth; ++i) {
    keys.push_back(std::make_unique<asioctx::key<int>>("k"));
    ctx = asioctx::with_value(ctx, *keys.back(), i);
  }
  const asioctx::key<int> missing{"missing"};
  benchmark::DoNotOptimize(&missing);  // else no node can hold its address and the walk folds away
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ctx.value(missing));
    benchmark::ClobberMemory();  // no hoisting the walk out of the loop
  }
}
const bool deep_value_registered = [] {
  for (int d : {10, 20, 30, 50, 100})
    benchmark::RegisterBenchmark(("DeepValueSameGoRoutine/depth=" + std::to_string(d)).c_str(),
                                 DeepValueSameGoRoutine)
        ->Arg(d);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
