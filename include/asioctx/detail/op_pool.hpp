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

#include <cstddef>
#include <new>

namespace boost {
namespace asio {
class cancellation_signal;
}  // namespace asio
}  // namespace boost

namespace asioctx {
namespace detail {

void* op_allocate(std::size_t size);
void op_deallocate(void* p, std::size_t size) noexcept;

// Blocks this thread took from its free list instead of the heap (for allocation counts).
unsigned long long op_pool_reuses() noexcept;

// A cancellation_signal for a bound operation, from this thread's free list. Signals are kept
// with the memory Asio allocated for their last operation's cancellation handler (the handler is
// replaced by an empty one of the same size), so the next operation's reuses it: binding an
// operation that installs a cancellation handler then costs no allocation.
boost::asio::cancellation_signal* acquire_signal();
void release_signal(boost::asio::cancellation_signal* s) noexcept;

// Gives a class pooled operator new/delete.
struct pooled {
  static void* operator new(std::size_t size) { return op_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { op_deallocate(p, size); }
  // Over-aligned objects (a value of an over-aligned type) bypass the pool. The unsized aligned
  // delete is used: clang declares the sized one only with -fsized-deallocation.
  static void* operator new(std::size_t size, std::align_val_t al) { return ::operator new(size, al); }
  static void operator delete(void* p, std::size_t, std::align_val_t al) noexcept {
    ::operator delete(p, al);
  }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_OP_POOL_HPP
