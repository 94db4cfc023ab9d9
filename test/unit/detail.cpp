// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The two helpers every list and count in the library is built from.
#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/ref_count.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace {

struct item : asioctx::detail::list_hook<> {
  int value;
  explicit item(int v) : value(v) {}
};

struct tag_b {};
struct two_lists : asioctx::detail::list_hook<>, asioctx::detail::list_hook<tag_b> {
  int value = 0;
};

std::vector<int> values(const asioctx::detail::intrusive_list<item>& l) {
  std::vector<int> out;
  for (item* i = l.front(); i != nullptr; i = l.next(i)) out.push_back(i->value);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_detail)

BOOST_AUTO_TEST_CASE(intrusive_list_order_and_erase) {
  asioctx::detail::intrusive_list<item> l;
  item a(1), b(2), c(3), d(4);
  BOOST_TEST(l.empty());
  BOOST_TEST(l.front() == nullptr);
  BOOST_TEST(l.pop_front() == nullptr);
  l.push_back(&b);
  l.push_back(&c);
  l.push_front(&a);
  l.push_back(&d);
  BOOST_TEST((values(l) == std::vector<int>{1, 2, 3, 4}));
  BOOST_TEST(l.back() == &d);
  BOOST_TEST(c.is_linked());
  l.erase(&c);  // middle
  BOOST_TEST(!c.is_linked());
  BOOST_TEST((values(l) == std::vector<int>{1, 2, 4}));
  l.erase(&a);  // head
  BOOST_TEST((values(l) == std::vector<int>{2, 4}));
  l.erase(&d);  // tail
  BOOST_TEST((values(l) == std::vector<int>{2}));
  BOOST_TEST(l.back() == &b);
  BOOST_TEST(l.pop_front() == &b);  // last
  BOOST_TEST(l.empty());
  BOOST_TEST(!b.is_linked());
  l.push_back(&c);  // reusable once unlinked
  BOOST_TEST((values(l) == std::vector<int>{3}));
  l.erase(&c);
}

BOOST_AUTO_TEST_CASE(intrusive_list_splice_and_move) {
  asioctx::detail::intrusive_list<item> a, b, empty;
  item x(1), y(2), z(3);
  a.push_back(&x);
  b.push_back(&y);
  b.push_back(&z);
  a.splice_back(empty);
  a.splice_back(b);
  BOOST_TEST(b.empty());
  BOOST_TEST((values(a) == std::vector<int>{1, 2, 3}));
  empty.splice_back(a);
  BOOST_TEST(a.empty());
  asioctx::detail::intrusive_list<item> moved(std::move(empty));
  BOOST_TEST(empty.empty());
  BOOST_TEST((values(moved) == std::vector<int>{1, 2, 3}));
  while (moved.pop_front() != nullptr) {
  }
}

BOOST_AUTO_TEST_CASE(intrusive_list_tagged_hooks_are_independent) {
  asioctx::detail::intrusive_list<two_lists> first;
  asioctx::detail::intrusive_list<two_lists, tag_b> second;
  two_lists t;
  first.push_back(&t);
  second.push_back(&t);
  first.erase(&t);
  BOOST_TEST(!static_cast<asioctx::detail::list_hook<>&>(t).is_linked());
  BOOST_TEST(static_cast<asioctx::detail::list_hook<tag_b>&>(t).is_linked());
  BOOST_TEST(second.front() == &t);
  second.erase(&t);
}

BOOST_AUTO_TEST_CASE(intrusive_stack_is_last_in_first_out) {
  struct cell {
    int value;
    cell* next = nullptr;
  };
  asioctx::detail::intrusive_stack<cell, &cell::next> stack;
  BOOST_TEST(stack.empty());
  BOOST_TEST(stack.pop() == nullptr);
  cell a{1}, b{2}, c{3};
  stack.push(&a);
  stack.push(&b);
  BOOST_TEST(stack.pop() == &b);
  stack.push(&c);
  BOOST_TEST(stack.pop() == &c);
  BOOST_TEST(stack.pop() == &a);
  BOOST_TEST(stack.empty());
  BOOST_TEST(stack.pop() == nullptr);
}

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

BOOST_AUTO_TEST_CASE(ref_count_last_release_and_try_add) {
  asioctx::detail::ref_count r(2);
  r.add();
  BOOST_TEST(r.load() == 3u);
  BOOST_TEST(!r.release());
  BOOST_TEST(!r.release());
  BOOST_TEST(r.try_add());
  BOOST_TEST(!r.release());
  BOOST_TEST(r.release());   // the last
  BOOST_TEST(!r.try_add());  // once at zero, never resurrected
  BOOST_TEST(r.load() == 0u);
}

BOOST_AUTO_TEST_CASE(ref_count_exactly_one_last_release_across_threads) {
  for (int round = 0; round < 200; ++round) {
    asioctx::detail::ref_count r(1);
    constexpr int n = 4, per = 250;
    r.add(n * per);
    std::atomic<int> lasts{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i)
      ts.emplace_back([&] {
        for (int k = 0; k < per; ++k) {
          if (r.try_add() && r.release()) ++lasts;
          if (r.release()) ++lasts;
        }
      });
    for (auto& t : ts) t.join();
    BOOST_TEST(r.release());  // the initial reference is the last one
    BOOST_TEST(lasts.load() == 0);
  }
}

BOOST_AUTO_TEST_SUITE_END()
