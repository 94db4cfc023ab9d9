// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The saturating time arithmetic every deadline and timeout goes through.
#include <asioctx/detail/chrono.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>

namespace {

using namespace std::chrono;
using asioctx::detail::remaining;
using asioctx::detail::saturating_add;
using asioctx::detail::saturating_cast;
using tp = steady_clock::time_point;

}  // namespace

BOOST_AUTO_TEST_SUITE(test_detail_chrono)

BOOST_AUTO_TEST_CASE(cast_exact_in_range) {
  BOOST_TEST(saturating_cast<nanoseconds>(milliseconds(150)).count() == 150'000'000);
  BOOST_TEST(saturating_cast<nanoseconds>(hours(-2)).count() == -7'200'000'000'000);
  BOOST_TEST(saturating_cast<milliseconds>(nanoseconds(1'999'999)).count() == 1);  // truncated
  BOOST_TEST(saturating_cast<nanoseconds>(duration<double>(0.25)).count() == 250'000'000);
  // The largest whole count of seconds that fits in nanoseconds converts exactly.
  const seconds s(nanoseconds::max().count() / 1'000'000'000);
  BOOST_TEST(saturating_cast<nanoseconds>(s).count() == s.count() * 1'000'000'000);
}

BOOST_AUTO_TEST_CASE(cast_saturates) {
  // 300 years in nanoseconds overflows int64: it must stay far in the future, not wrap negative.
  BOOST_TEST((saturating_cast<nanoseconds>(hours(24 * 365 * 300)) == nanoseconds::max()));
  BOOST_TEST((saturating_cast<nanoseconds>(-hours(24 * 365 * 300)) == nanoseconds::min()));
  BOOST_TEST((saturating_cast<nanoseconds>(milliseconds::max()) == nanoseconds::max()));
  BOOST_TEST((saturating_cast<nanoseconds>(seconds::min()) == nanoseconds::min()));
  BOOST_TEST((saturating_cast<nanoseconds>(duration<double>(1e300)) == nanoseconds::max()));
  BOOST_TEST(
      (saturating_cast<milliseconds>(nanoseconds::max()).count() == nanoseconds::max().count() / 1'000'000));
}

BOOST_AUTO_TEST_CASE(add_saturates) {
  const tp now = steady_clock::now();
  BOOST_TEST((saturating_add(now, milliseconds(5)) == now + milliseconds(5)));
  BOOST_TEST((saturating_add(now, -milliseconds(5)) == now - milliseconds(5)));
  BOOST_TEST((saturating_add(now, milliseconds::max()) == tp::max()));
  BOOST_TEST((saturating_add(now, hours(24 * 365 * 300)) == tp::max()));
  BOOST_TEST((saturating_add(now, nanoseconds::max()) == tp::max()));
  BOOST_TEST((saturating_add(now, nanoseconds::min()) == tp::min()));
  BOOST_TEST((saturating_add(tp::max(), -hours(1)) == tp::max()));  // no deadline stays none
  BOOST_TEST((saturating_add(tp::max() - nanoseconds(10), nanoseconds(20)) == tp::max()));
  BOOST_TEST((saturating_add(tp::min() + nanoseconds(10), -nanoseconds(20)) == tp::min()));
}

BOOST_AUTO_TEST_CASE(remaining_clamps) {
  const tp now = steady_clock::now();
  BOOST_TEST((remaining<milliseconds>(now + milliseconds(40), now) == milliseconds(40)));
  BOOST_TEST((remaining<milliseconds>(now - milliseconds(40), now) == milliseconds::zero()));
  BOOST_TEST((remaining<milliseconds>(now, now) == milliseconds::zero()));
  BOOST_TEST((remaining<nanoseconds>(tp::max(), now) == nanoseconds::max()));
  BOOST_TEST((remaining<nanoseconds>(tp::max() - nanoseconds(1), tp::min()) == nanoseconds::max()));
}

BOOST_AUTO_TEST_SUITE_END()
