// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The one reference count every shared object in the library is built on.
#include <asioctx/detail/ref_count.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(test_detail_ref_count)

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

BOOST_AUTO_TEST_CASE(ref_count_sole_holder) {
  // sole(k): the caller's k references are all there are (it may free without release()).
  asioctx::detail::ref_count r(1);
  BOOST_TEST(r.sole(1));
  r.add();
  BOOST_TEST(!r.sole(1));
  BOOST_TEST(r.sole(2));
  BOOST_TEST(!r.release());
  BOOST_TEST(r.sole(1));
  // A holder that gave its reference away on another thread is seen gone, with its writes.
  int written = 0;
  bool last = true;
  r.add();
  std::thread([&] {
    written = 7;
    last = r.release();
  }).join();
  BOOST_TEST(!last);
  BOOST_TEST(r.sole(1));
  BOOST_TEST(written == 7);
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
