// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/op_pool.cpp: per-thread free lists of small blocks.
//

#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <new>

namespace asioctx {
namespace detail {

ASIOCTX_FAST_TLS block_cache op_cache;

namespace {

// Gives a thread's cached blocks back to the heap when the thread exits; armed by the first
// block the thread caches.
struct cache_release {
  bool armed = false;
  ~cache_release() {
    for (auto& stack : op_cache.head)
      while (free_block* b = stack.pop()) ::operator delete(static_cast<void*>(b));
    op_cache.bytes = 0;
    op_cache.limit = 0;
    op_cache.closed = true;  // blocks freed by later thread-exit destructors go to the heap
  }
};
thread_local cache_release release_at_exit;

}  // namespace

void* op_allocate_slow(std::size_t size) {
  const std::size_t c = op_class_of(size);
  if (c >= block_cache::classes) return ::operator new(size);
  return ::operator new((c + 1) * block_cache::granule);  // a whole block: it may be cached later
}

void op_deallocate_slow(void* p, std::size_t size) noexcept {
  const std::size_t c = op_class_of(size);
  const std::size_t block = (c + 1) * block_cache::granule;
  if (op_cache.limit == 0 && !op_cache.closed) {
    release_at_exit.armed = true;  // the first touch constructs it, which registers its destructor
    op_cache.limit = block_cache::max_bytes;
  }
  if (c >= block_cache::classes || op_cache.bytes + block > op_cache.limit) {
    ::operator delete(p);
    return;
  }
  op_cache.head[c].push(static_cast<free_block*>(p));
  op_cache.bytes += block;
}

}  // namespace detail
}  // namespace asioctx
