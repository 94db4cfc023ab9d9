// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The version macros agree with each other.
#include <asioctx/version.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(test_version)

BOOST_AUTO_TEST_CASE(number_and_string_agree) {
  static_assert(ASIOCTX_VERSION ==
                ASIOCTX_VERSION_MAJOR * 100000 + ASIOCTX_VERSION_MINOR * 100 + ASIOCTX_VERSION_PATCH);
  static_assert(ASIOCTX_VERSION / 100000 == ASIOCTX_VERSION_MAJOR);
  static_assert(ASIOCTX_VERSION / 100 % 1000 == ASIOCTX_VERSION_MINOR);
  static_assert(ASIOCTX_VERSION % 100 == ASIOCTX_VERSION_PATCH);
  const std::string expected = std::to_string(ASIOCTX_VERSION_MAJOR) + "." +
                               std::to_string(ASIOCTX_VERSION_MINOR) + "." +
                               std::to_string(ASIOCTX_VERSION_PATCH);
  BOOST_TEST(std::string(ASIOCTX_VERSION_STRING) == expected);
}

BOOST_AUTO_TEST_SUITE_END()
