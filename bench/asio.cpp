// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Asio shapes: what binding an operation to a context costs, and what cancelling costs.
#include <asioctx/bind.hpp>

#include "alloc_counter.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace net = boost::asio;
using asioctx::error_code;

namespace {

constexpr int batch = 10000;

// Reports time per operation for benchmarks whose iteration is a batch of `n` operations.
void per_op(benchmark::State& state, int n) {
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// --- One operation, bound vs unbound, batched: `batch` issued, then one run().

// n timers on io, each set to expire at (or after) when.
template <class When>
std::vector<net::steady_timer> make_timers(net::io_context& io, int n, When when) {
  std::vector<net::steady_timer> timers;
  timers.reserve(n);
  for (int i = 0; i < n; ++i) timers.emplace_back(io, when);
  return timers;
}

void BM_post_unbound(benchmark::State& state) {
  net::io_context io(1);
  long n = 0;
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) net::post(io, [&n] { ++n; });
    io.restart();
    io.run();
  }
  per_op(state, batch);
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_post_unbound);

void BM_post_bound(benchmark::State& state) {
  net::io_context io(1);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  long n = 0;
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) net::post(io, asioctx::bind(ctx, [&n] { ++n; }));
    io.restart();
    io.run();
  }
  per_op(state, batch);
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_post_bound);

template <bool Bound>
void timer_wait(benchmark::State& state) {
  net::io_context io(1);
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  std::vector<net::steady_timer> timers = make_timers(io, batch, net::steady_timer::time_point::min());
  long n = 0;
  auto handler = [&n](error_code) { ++n; };
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    for (auto& t : timers) {
      if constexpr (Bound)
        t.async_wait(asioctx::bind(ctx, handler));
      else
        t.async_wait(handler);
    }
    io.restart();
    io.run();
  }
  per_op(state, batch);
  benchmark::DoNotOptimize(n);
}
void BM_timer_wait_unbound(benchmark::State& state) { timer_wait<false>(state); }
// A timer wait with a cancellation slot of its own and no context: what Asio adds to make any
// wait cancellable (it installs a cancellation handler), reported beside the bound wait.
void BM_timer_wait_slot(benchmark::State& state) {
  net::io_context io(1);
  std::vector<net::steady_timer> timers = make_timers(io, batch, net::steady_timer::time_point::min());
  std::vector<net::cancellation_signal> signals(batch);
  long n = 0;
  auto handler = [&n](error_code) { ++n; };
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      timers[i].async_wait(net::bind_cancellation_slot(signals[i].slot(), handler));
    io.restart();
    io.run();
  }
  per_op(state, batch);
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_timer_wait_slot);
void BM_timer_wait_bound(benchmark::State& state) { timer_wait<true>(state); }
BENCHMARK(BM_timer_wait_unbound);
BENCHMARK(BM_timer_wait_bound);

// A loopback socket read of one byte that is already there.
template <bool Bound>
void socket_read(benchmark::State& state) {
  net::io_context io(1);
  net::ip::tcp::acceptor acceptor(io, {net::ip::address_v4::loopback(), 0});
  net::ip::tcp::socket client(io), server(io);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  client.set_option(net::ip::tcp::no_delay(true));
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  char out[batch] = {}, in[1];
  long n = 0;
  auto handler = [&n](error_code, std::size_t k) { n += static_cast<long>(k); };
  asioctx_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    state.PauseTiming();
    net::write(client, net::buffer(out));
    state.ResumeTiming();
    for (int i = 0; i < batch; ++i) {
      if constexpr (Bound)
        server.async_read_some(net::buffer(in), asioctx::bind(ctx, handler));
      else
        server.async_read_some(net::buffer(in), handler);
      io.restart();
      io.run();
    }
  }
  per_op(state, batch);
  benchmark::DoNotOptimize(n);
}
void BM_socket_read_unbound(benchmark::State& state) { socket_read<false>(state); }
void BM_socket_read_bound(benchmark::State& state) { socket_read<true>(state); }
BENCHMARK(BM_socket_read_unbound);
BENCHMARK(BM_socket_read_bound);

// --- Cancelling `batch` pending bound operations: from the timers' setup (their waits
// started) through cancel() to the last handler.

void BM_cancel_pending_single_thread(benchmark::State& state) {
  net::io_context io(1);
  std::vector<net::steady_timer> timers = make_timers(io, batch, std::chrono::hours(1));
  long n = 0;
  auto handler = [&n](error_code ec) { n += ec == asioctx::error::canceled; };
  for (auto _ : state) {
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    for (auto& t : timers) t.async_wait(asioctx::bind(ctx, handler));
    cancel();
    io.restart();
    io.run();
  }
  per_op(state, batch);
  if (n != long(batch) * state.iterations()) state.SkipWithError("not every operation was cancelled");
}
BENCHMARK(BM_cancel_pending_single_thread)->Unit(benchmark::kMicrosecond);

// Its floor, with no context at all: the same timers, each with its own cancellation_signal,
// emitted in one loop.
void BM_cancel_pending_single_thread_floor(benchmark::State& state) {
  net::io_context io(1);
  std::vector<net::steady_timer> timers = make_timers(io, batch, std::chrono::hours(1));
  std::vector<net::cancellation_signal> signals(batch);
  long n = 0;
  auto handler = [&n](error_code ec) { n += ec == net::error::operation_aborted; };
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      timers[i].async_wait(net::bind_cancellation_slot(signals[i].slot(), handler));
    for (auto& s : signals) s.emit(net::cancellation_type::terminal);
    io.restart();
    io.run();
  }
  per_op(state, batch);
  if (n != long(batch) * state.iterations()) state.SkipWithError("not every operation was cancelled");
}
BENCHMARK(BM_cancel_pending_single_thread_floor)->Unit(benchmark::kMicrosecond);

void BM_cancel_pending_pool_strands(benchmark::State& state) {
  net::thread_pool pool(2);
  std::vector<net::strand<net::thread_pool::executor_type>> strands;
  for (int i = 0; i < 16; ++i) strands.push_back(net::make_strand(pool.get_executor()));
  std::vector<std::unique_ptr<net::steady_timer>> timers;
  for (int i = 0; i < batch; ++i)
    timers.push_back(std::make_unique<net::steady_timer>(strands[i % strands.size()], std::chrono::hours(1)));
  std::atomic<int> done{0};
  for (auto _ : state) {
    state.PauseTiming();
    auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
    done = 0;
    std::atomic<int> started{0};
    for (int i = 0; i < batch; ++i) {
      auto& strand = strands[i % strands.size()];
      net::post(strand, [&, i, strand, ctx = ctx] {
        timers[i]->async_wait(asioctx::bind(ctx, net::bind_executor(strand, [&](error_code) {
                                              if (++done == batch) done.notify_one();
                                            })));
        if (++started == batch) started.notify_one();
      });
    }
    // Blocking waits: a spinning main thread would take a core from the pool's two threads.
    for (int s = started.load(); s != batch; s = started.load()) started.wait(s);
    state.ResumeTiming();
    cancel();
    for (int d = done.load(); d != batch; d = done.load()) done.wait(d);
  }
  per_op(state, batch);
  pool.join();
}
BENCHMARK(BM_cancel_pending_pool_strands)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The floor of that shape, with no context at all: each operation holds its own
// cancellation_signal, and cancelling posts ONE function to each strand that emits every signal
// of that strand (the best batching any library can do). What is left is Asio's: the timers'
// cancellation in the reactor, the completions, the strands and the two threads' hand-offs.
void BM_cancel_pending_pool_strands_floor(benchmark::State& state) {
  net::thread_pool pool(2);
  constexpr std::size_t nstrands = 16;
  std::vector<net::strand<net::thread_pool::executor_type>> strands;
  for (std::size_t i = 0; i < nstrands; ++i) strands.push_back(net::make_strand(pool.get_executor()));
  std::vector<std::unique_ptr<net::steady_timer>> timers;
  for (int i = 0; i < batch; ++i)
    timers.push_back(std::make_unique<net::steady_timer>(strands[i % nstrands], std::chrono::hours(1)));
  std::vector<net::cancellation_signal> signals(batch);
  std::atomic<int> done{0};
  for (auto _ : state) {
    state.PauseTiming();
    done = 0;
    std::atomic<int> started{0};
    for (int i = 0; i < batch; ++i) {
      auto& strand = strands[i % nstrands];
      net::post(strand, [&, i, strand] {
        timers[i]->async_wait(
            net::bind_cancellation_slot(signals[i].slot(), net::bind_executor(strand, [&](error_code) {
                                          if (++done == batch) done.notify_one();
                                        })));
        if (++started == batch) started.notify_one();
      });
    }
    for (int s = started.load(); s != batch; s = started.load()) started.wait(s);
    state.ResumeTiming();
    for (std::size_t k = 0; k < nstrands; ++k)
      net::post(strands[k], [&, k] {
        for (std::size_t i = k; i < signals.size(); i += nstrands)
          signals[i].emit(net::cancellation_type::terminal);
      });
    for (int d = done.load(); d != batch; d = done.load()) done.wait(d);
  }
  per_op(state, batch);
  pool.join();
}
BENCHMARK(BM_cancel_pending_pool_strands_floor)->Unit(benchmark::kMicrosecond)->UseRealTime();

// --- N operations under one deadline vs N operations each with its own deadline timer (the
// way cancel_after works on newer Asio). Setup and expiry included; the thread's CPU time (the
// default), since both wait for the deadline; bench/compare reads cpu_time for these two.

constexpr int deadline_ops = 1000;

void BM_deadline_shared_context(benchmark::State& state) {
  net::io_context io(1);
  std::vector<net::steady_timer> timers = make_timers(io, deadline_ops, std::chrono::hours(1));
  long n = 0;
  auto handler = [&n](error_code ec) { n += ec == asioctx::error::deadline_exceeded; };
  for (auto _ : state) {
    auto [ctx, cancel] =
        asioctx::with_timeout(io.get_executor(), asioctx::background(), std::chrono::microseconds(200));
    for (auto& t : timers) t.async_wait(asioctx::bind(ctx, handler));
    io.restart();
    io.run();
  }
  per_op(state, deadline_ops);
  if (n != long(deadline_ops) * state.iterations()) state.SkipWithError("not every operation expired");
}
BENCHMARK(BM_deadline_shared_context)->Unit(benchmark::kMicrosecond);

void BM_deadline_per_operation(benchmark::State& state) {
  net::io_context io(1);
  struct op {
    net::steady_timer timer, deadline;
    net::cancellation_signal signal;
    explicit op(net::io_context& io) : timer(io, std::chrono::hours(1)), deadline(io) {}
  };
  std::vector<std::unique_ptr<op>> ops;
  for (int i = 0; i < deadline_ops; ++i) ops.push_back(std::make_unique<op>(io));
  long n = 0;
  for (auto _ : state) {
    auto expiry = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
    for (auto& o : ops) {
      o->deadline.expires_at(expiry);
      o->deadline.async_wait([p = o.get()](error_code ec) {
        if (!ec) p->signal.emit(net::cancellation_type::terminal);
      });
      o->timer.async_wait(net::bind_cancellation_slot(o->signal.slot(), [&n, p = o.get()](error_code ec) {
        p->deadline.cancel();
        n += ec == net::error::operation_aborted;
      }));
    }
    io.restart();
    io.run();
  }
  per_op(state, deadline_ops);
  if (n != long(deadline_ops) * state.iterations()) state.SkipWithError("not every operation expired");
}
BENCHMARK(BM_deadline_per_operation)->Unit(benchmark::kMicrosecond);

// The floor of the shared deadline, with no context at all: one steady_timer for the deadline
// whose handler emits the 1,000 operations' own cancellation_signals (the least any shared
// deadline can do with Asio's per-operation cancellation).
void BM_deadline_shared_floor(benchmark::State& state) {
  net::io_context io(1);
  std::vector<net::steady_timer> timers = make_timers(io, deadline_ops, std::chrono::hours(1));
  std::vector<net::cancellation_signal> signals(deadline_ops);
  net::steady_timer deadline(io);
  long n = 0;
  auto handler = [&n](error_code ec) { n += ec == net::error::operation_aborted; };
  for (auto _ : state) {
    deadline.expires_after(std::chrono::microseconds(200));
    deadline.async_wait([&](error_code ec) {
      if (!ec)
        for (auto& s : signals) s.emit(net::cancellation_type::terminal);
    });
    for (int i = 0; i < deadline_ops; ++i)
      timers[i].async_wait(net::bind_cancellation_slot(signals[i].slot(), handler));
    io.restart();
    io.run();
  }
  per_op(state, deadline_ops);
  if (n != long(deadline_ops) * state.iterations()) state.SkipWithError("not every operation expired");
}
BENCHMARK(BM_deadline_shared_floor)->Unit(benchmark::kMicrosecond);

// --- Memory: what a bound operation and a deadline context cost, in bytes, reported as counters.
// A bound operation: its state's block in the per-thread pool (16-byte classes) and what it adds
// to the handler Asio allocates. The executor is not in it: each context keeps one group per
// executor its operations run on (reported apart, shared by all of them). The operation holds its
// cancellation_signal (and, recycled per thread, the memory of its last cancellation handler). A
// deadline context: its node's block and its slot in the deadline heap.
std::size_t pool_block(std::size_t n) { return (n + 15) / 16 * 16; }

void BM_memory(benchmark::State& state) {
  auto handler = [p = static_cast<void*>(nullptr)](error_code) { (void)p; };
  using op = asioctx::detail::bound_op;
  using bound = asioctx::detail::bound_handler<decltype(handler)>;
  using group = asioctx::detail::executor_batch_impl<net::io_context::executor_type>;
  for (auto _ : state) benchmark::DoNotOptimize(sizeof(op));
  state.counters["bound_op_bytes"] =
      static_cast<double>(pool_block(sizeof(op)) + sizeof(bound) - sizeof(handler));
  state.counters["bound_op_state"] = static_cast<double>(sizeof(op));
  state.counters["executor_group_bytes"] = static_cast<double>(pool_block(sizeof(group)));
  state.counters["deadline_context_bytes"] =
      static_cast<double>(pool_block(sizeof(asioctx::detail::deadline_node)) + sizeof(void*));
  state.counters["cancel_context_bytes"] =
      static_cast<double>(pool_block(sizeof(asioctx::detail::cancel_node)));
}
BENCHMARK(BM_memory)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
