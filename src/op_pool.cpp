// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/op_pool.cpp: per-thread free lists of small blocks.
//

#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <boost/asio/cancellation_signal.hpp>

#include <new>

namespace asioctx {
namespace detail {

namespace {

constexpr std::size_t granule = 16;
constexpr std::size_t classes = 16;  // blocks of up to 16, 32, ... 256 bytes
// Per thread, across classes; the rest goes back to the heap. A thread that had tens of
// thousands of operations in flight keeps their blocks for the next burst.
constexpr std::size_t max_cached_bytes = std::size_t(8) << 20;

struct free_block {
  free_block* next;
};
using block_stack = intrusive_stack<free_block, &free_block::next>;

struct thread_cache {
  block_stack head[classes];
  std::size_t bytes = 0;
  ~thread_cache() {
    for (auto& stack : head)
      while (free_block* b = stack.pop()) ::operator delete(static_cast<void*>(b));
  }
};

thread_local thread_cache cache;

// The cancellation handler a parked signal keeps, holding on to its memory.
struct parked {
  void operator()(boost::asio::cancellation_type) const noexcept {}
};

// A signal on the free list; an operation gets &signal (the first member).
struct pooled_signal {
  boost::asio::cancellation_signal signal;
  pooled_signal* next = nullptr;
};

struct signal_cache {
  static constexpr std::size_t max = 32768;
  intrusive_stack<pooled_signal, &pooled_signal::next> stack;
  std::size_t count = 0;
  ~signal_cache() {
    while (pooled_signal* p = stack.pop()) delete p;
  }
};

thread_local signal_cache signals;
thread_local unsigned long long reuses = 0;

std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }

}  // namespace

void* op_allocate(std::size_t size) {
  std::size_t c = class_of(size);
  if (c >= classes) return ::operator new(size);
  if (free_block* b = cache.head[c].pop()) {
    cache.bytes -= (c + 1) * granule;
    ++reuses;
    return b;
  }
  return ::operator new((c + 1) * granule);
}

unsigned long long op_pool_reuses() noexcept { return reuses; }

boost::asio::cancellation_signal* acquire_signal() {
  if (pooled_signal* p = signals.stack.pop()) {
    --signals.count;
    return &p->signal;
  }
  return &(new pooled_signal)->signal;
}

void release_signal(boost::asio::cancellation_signal* s) noexcept {
  auto* p = reinterpret_cast<pooled_signal*>(s);  // signal is pooled_signal's first member
  if (signals.count == signal_cache::max) {
    delete p;
    return;
  }
  boost::asio::cancellation_slot slot = s->slot();
  if (slot.has_handler()) slot.emplace<parked>();  // destroys the handler, keeps its memory
  signals.stack.push(p);
  ++signals.count;
}

void op_deallocate(void* p, std::size_t size) noexcept {
  std::size_t c = class_of(size);
  if (c >= classes || cache.bytes + (c + 1) * granule > max_cached_bytes) {
    ::operator delete(p);
    return;
  }
  cache.head[c].push(static_cast<free_block*>(p));
  cache.bytes += (c + 1) * granule;
}

}  // namespace detail
}  // namespace asioctx
