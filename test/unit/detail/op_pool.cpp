// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The block pool bound operations and nodes are allocated from.
#include <asioctx/detail/op_pool.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <thread>

BOOST_AUTO_TEST_SUITE(test_detail_op_pool)

// The block pool: a freed block is the next one of its class handed out on the same thread,
// never on another, and a thread's cached blocks go back to the heap when it exits (LeakSanitizer
// checks that under ASan).
BOOST_AUTO_TEST_CASE(block_pool_reuses_per_thread) {
  namespace d = asioctx::detail;
  auto on_a_thread = [](auto f) {
    std::thread t(f);
    t.join();
  };
  on_a_thread([] {
    const unsigned long long before = d::op_pool_reuses();
    void* a = d::op_allocate(100);
    void* b = d::op_allocate(100);
    BOOST_TEST(a != b);
    d::op_deallocate(a, 100);
    void* other_class = d::op_allocate(200);  // a different class does not take a's block
    BOOST_TEST(other_class != a);
    void* again = d::op_allocate(97);  // the same class (97..112 bytes)
    BOOST_TEST(again == a);
    BOOST_TEST(d::op_pool_reuses() == before + 1);
    void* big = d::op_allocate(4096);  // past the largest class: the heap
    d::op_deallocate(big, 4096);
    BOOST_TEST(d::op_pool_reuses() == before + 1);
    d::op_deallocate(b, 100);
    d::op_deallocate(again, 97);
    d::op_deallocate(other_class, 200);
    // Freed here, the blocks stay cached until the thread exits.
  });
  void* mine = d::op_allocate(100);
  std::atomic<void*> seen{nullptr};
  on_a_thread([&] {
    d::op_deallocate(mine, 100);  // cached by the thread that frees it
    seen = d::op_allocate(100);
    d::op_deallocate(seen.load(), 100);
  });
  BOOST_TEST(seen.load() == mine);
}

// The pool as an allocator (what a bound handler offers Asio): pool blocks, a freed one reused;
// an over-aligned type is aligned from the heap, never given a pool block; a size that overflows
// throws. Under AddressSanitizer everything comes from the heap.
BOOST_AUTO_TEST_CASE(op_allocator_pools_all_but_over_aligned) {
  namespace d = asioctx::detail;
  struct alignas(64) wide {
    char bytes[64];
  };
  std::thread([] {
    d::op_allocator<void> alloc;
    std::allocator_traits<d::op_allocator<void>>::rebind_alloc<double> small(alloc);
    double* a = small.allocate(3);
    small.deallocate(a, 3);
    const unsigned long long before = d::op_pool_reuses();
    double* b = small.allocate(3);
#if !defined(ASIOCTX_DETAIL_HEAP_OPERATIONS)
    BOOST_TEST(b == a);
    BOOST_TEST(d::op_pool_reuses() == before + 1);
#endif
    small.deallocate(b, 3);
    d::op_allocator<wide> big(alloc);
    for (int i = 0; i < 4; ++i) {
      const unsigned long long reuses = d::op_pool_reuses();
      wide* w = big.allocate(1);
      BOOST_TEST(reinterpret_cast<std::uintptr_t>(w) % 64 == 0);
      BOOST_TEST(d::op_pool_reuses() == reuses);
      w->bytes[63] = 1;
      big.deallocate(w, 1);
    }
    BOOST_CHECK_THROW(small.allocate(std::size_t(-1) / 4), std::bad_array_new_length);
  }).join();
}

// Objects with pooled operator new (nodes, batches, waiters) reuse this thread's free blocks;
// under AddressSanitizer they come from the heap, so that a use after free of one is reported.
BOOST_AUTO_TEST_CASE(pooled_objects_come_from_the_heap_under_asan) {
  namespace d = asioctx::detail;
  struct object : d::pooled {
    char bytes[40];
  };
  std::thread([] {
    delete new object;  // this thread's first block: arms its cache
    const unsigned long long before = d::op_pool_reuses();
    object* a = new object;
    const void* first = a;
    delete a;
    object* b = new object;
#if !defined(ASIOCTX_DETAIL_HEAP_OPERATIONS)
    BOOST_TEST(static_cast<const void*>(b) == first);
    BOOST_TEST(d::op_pool_reuses() == before + 2);
#else
    (void)first;
    BOOST_TEST(d::op_pool_reuses() == before);
#endif
    delete b;
  }).join();
}

BOOST_AUTO_TEST_SUITE_END()
