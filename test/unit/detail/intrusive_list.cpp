// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The intrusive list and stack every list in the library is built from.
#include <asioctx/detail/intrusive_list.hpp>

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE(test_detail_intrusive_list)

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

BOOST_AUTO_TEST_SUITE_END()
