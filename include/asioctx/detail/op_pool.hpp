// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/op_pool.hpp
//
// Per-thread free lists for the small blocks nodes and bound operations need. They come and go at
// I/O rates, often ten thousand in flight at once, where malloc's bookkeeping shows up.
//

#ifndef ASIOCTX_DETAIL_OP_POOL_HPP
#define ASIOCTX_DETAIL_OP_POOL_HPP

#include <asioctx/detail/config.hpp>
#include <asioctx/detail/intrusive_list.hpp>

#include <cstddef>
#include <new>

// Thread-local storage without a wrapper call: the cache is constant-initialised and trivially
// destructible, so every access is a plain %fs-relative load where thread_local would first call
// the variable's init function (its destructor is registered apart, on the slow path).
#if defined(__GNUC__) || defined(__clang__)
#define ASIOCTX_FAST_TLS __thread
#else
#define ASIOCTX_FAST_TLS thread_local
#endif

namespace asioctx {
namespace detail {

struct free_block {
  free_block* next;
};

// One thread's free lists, by size class.
struct block_cache {
  static constexpr std::size_t granule = 16;
  static constexpr std::size_t classes = 16;  // blocks of up to 16, 32, ... 256 bytes
  // Per thread, across classes; the rest goes back to the heap. A thread that had tens of
  // thousands of operations in flight keeps their blocks for the next burst.
  static constexpr std::size_t max_bytes = std::size_t(8) << 20;

  intrusive_stack<free_block, &free_block::next> head[classes];
  std::size_t bytes = 0;          // cached
  std::size_t limit = 0;          // max_bytes once the release at thread exit is armed, else 0
  bool closed = false;            // the thread is exiting: nothing is cached any more
  unsigned long long reuses = 0;  // blocks taken from a list instead of the heap
};

extern ASIOCTX_FAST_TLS block_cache op_cache;

// The heap, and the first use of a thread's cache (which registers its release at thread exit).
void* op_allocate_slow(std::size_t size);
void op_deallocate_slow(void* p, std::size_t size) noexcept;

constexpr std::size_t op_class_of(std::size_t size) noexcept {
  return (size + block_cache::granule - 1) / block_cache::granule - 1;
}

// Inline, so that a size known at compile time picks its class at compile time. The cache is
// named, never bound to a reference: GCC 12's UBSan null check of a reference to a thread-local
// jumps on stale flags (a false "member access within null pointer").
inline void* op_allocate(std::size_t size) {
  const std::size_t c = op_class_of(size);
  if (c < block_cache::classes) {
    if (free_block* b = op_cache.head[c].pop()) {
      prefetch(b->next);  // the block the next allocation of this class gets
      op_cache.bytes -= (c + 1) * block_cache::granule;
      ++op_cache.reuses;
      return b;
    }
  }
  return op_allocate_slow(size);
}

inline void op_deallocate(void* p, std::size_t size) noexcept {
  const std::size_t c = op_class_of(size);
  // A thread's first block goes the slow way, which arms the cache's release at thread exit.
  if (c < block_cache::classes && op_cache.bytes + (c + 1) * block_cache::granule <= op_cache.limit) {
    op_cache.head[c].push(static_cast<free_block*>(p));
    op_cache.bytes += (c + 1) * block_cache::granule;
    return;
  }
  op_deallocate_slow(p, size);
}

// Blocks this thread took from its free list instead of the heap (for allocation counts).
inline unsigned long long op_pool_reuses() noexcept { return op_cache.reuses; }

// Under AddressSanitizer, asioctx reuses no memory: pooled objects (nodes, batches, waiters),
// bound operations (bound_op.cpp's cache) and Asio's operations (op_allocator) come from the heap,
// so that a use after free of any of them is reported. op_allocate itself still pools, for its
// tests. (Asio's own recycling, of cancellation handlers' memory for one, is Asio's.)
#if defined(__SANITIZE_ADDRESS__)
#define ASIOCTX_DETAIL_HEAP_OPERATIONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASIOCTX_DETAIL_HEAP_OPERATIONS 1
#endif
#endif
#if defined(ASIOCTX_DETAIL_HEAP_OPERATIONS)
inline constexpr bool sanitizer_heap = true;
#else
inline constexpr bool sanitizer_heap = false;
#endif

// Gives a class pooled operator new/delete.
struct pooled {
  static void* operator new(std::size_t size) {
    if constexpr (sanitizer_heap)
      return ::operator new(size);
    else
      return op_allocate(size);
  }
  static void operator delete(void* p, std::size_t size) noexcept {
    if constexpr (sanitizer_heap)
      ::operator delete(p);
    else
      op_deallocate(p, size);
  }
  // Over-aligned objects (a value of an over-aligned type) bypass the pool. The unsized aligned
  // delete is used: clang declares the sized one only with -fsized-deallocation.
  static void* operator new(std::size_t size, std::align_val_t al) { return ::operator new(size, al); }
  static void operator delete(void* p, std::size_t, std::align_val_t al) noexcept {
    ::operator delete(p, al);
  }
};

// The pool as an allocator: the candidate a bound handler offers the wrapped handler for its
// associated allocator (bound_handler.hpp), so that Asio allocates the operation and what it keeps
// beside it from this thread's free lists rather than from malloc. Over-aligned types bypass it.
template <class T>
struct op_allocator {
  using value_type = T;
  op_allocator() noexcept = default;
  template <class U>
  op_allocator(const op_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    if constexpr (heap())
      return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    else
      return static_cast<T*>(op_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if constexpr (heap())
      ::operator delete(p, std::align_val_t(alignof(T)));
    else
      op_deallocate(p, n * sizeof(T));
  }
  template <class U>
  bool operator==(const op_allocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const op_allocator<U>&) const noexcept {
    return false;
  }

 private:
  // The pool's blocks have operator new's alignment, as `pooled` assumes.
  static constexpr bool heap() noexcept {
    return sanitizer_heap || alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_OP_POOL_HPP
