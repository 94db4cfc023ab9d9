//
// src/op_pool.cpp: per-thread free lists of small blocks.
//

#include <asioctx/detail/op_pool.hpp>

#include <new>

namespace asioctx {
namespace detail {

namespace {

constexpr std::size_t granule = 16;
constexpr std::size_t classes = 16;       // blocks of up to 16, 32, ... 256 bytes
constexpr std::size_t max_cached = 4096;  // per class and thread; the rest goes back to the heap

struct free_block {
  free_block* next;
};

struct thread_cache {
  free_block* head[classes] = {};
  std::size_t count[classes] = {};
  ~thread_cache() {
    for (std::size_t c = 0; c < classes; ++c) {
      while (free_block* b = head[c]) {
        head[c] = b->next;
        ::operator delete(static_cast<void*>(b));
      }
    }
  }
};

thread_local thread_cache cache;
thread_local unsigned long long reuses = 0;

std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }

}  // namespace

void* op_allocate(std::size_t size) {
  std::size_t c = class_of(size);
  if (c >= classes) return ::operator new(size);
  if (free_block* b = cache.head[c]) {
    cache.head[c] = b->next;
    --cache.count[c];
    ++reuses;
    return b;
  }
  return ::operator new((c + 1) * granule);
}

unsigned long long op_pool_reuses() noexcept { return reuses; }

void op_deallocate(void* p, std::size_t size) noexcept {
  std::size_t c = class_of(size);
  if (c >= classes || cache.count[c] >= max_cached) {
    ::operator delete(p);
    return;
  }
  auto* b = static_cast<free_block*>(p);
  b->next = cache.head[c];
  cache.head[c] = b;
  ++cache.count[c];
}

}  // namespace detail
}  // namespace asioctx
