// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#include "alloc_counter.hpp"

#include <asioctx/detail/op_pool.hpp>

#include <cstdlib>
#include <new>

namespace {
// Per thread, so counting adds no contention to the multi-threaded benchmarks.
thread_local std::uint64_t count = 0;
}  // namespace

namespace asioctx_bench {
// Blocks asioctx reuses from its per-thread free lists count too: each is an allocation that
// only skipped malloc.
std::uint64_t allocations() noexcept { return count + asioctx::detail::op_pool_reuses(); }
}  // namespace asioctx_bench

void* operator new(std::size_t n) {
  ++count;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++count;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
