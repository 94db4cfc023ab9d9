// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#include <asioctx/error.hpp>

#include <boost/test/unit_test.hpp>

#include <system_error>

BOOST_AUTO_TEST_SUITE(test_error)

BOOST_AUTO_TEST_CASE(category_name_and_messages) {
  BOOST_TEST(asioctx::category().name() == std::string("asioctx"));
  asioctx::error_code canceled = asioctx::error::canceled;
  asioctx::error_code deadline = asioctx::error::deadline_exceeded;
  BOOST_TEST(canceled.message() == "context canceled");
  BOOST_TEST(deadline.message() == "context deadline exceeded");
  BOOST_TEST(&canceled.category() == &asioctx::category());
  BOOST_TEST(canceled.value() == 1);
  BOOST_TEST(deadline.value() == 2);
}

BOOST_AUTO_TEST_CASE(errors_match_std_conditions) {
  asioctx::error_code canceled = asioctx::error::canceled;
  asioctx::error_code deadline = asioctx::error::deadline_exceeded;
  BOOST_TEST((canceled == std::errc::operation_canceled));
  BOOST_TEST((deadline == std::errc::timed_out));
  BOOST_TEST(!(canceled == std::errc::timed_out));
  BOOST_TEST(!(deadline == std::errc::operation_canceled));
  BOOST_TEST((canceled == boost::system::errc::operation_canceled));
  BOOST_TEST((deadline == boost::system::errc::timed_out));
  BOOST_TEST(canceled != deadline);
}

BOOST_AUTO_TEST_CASE(converts_to_std_error_code) {
  std::error_code sc = asioctx::error_code(asioctx::error::deadline_exceeded);
  BOOST_TEST(sc.message() == "context deadline exceeded");
  BOOST_TEST((sc == std::errc::timed_out));
}

BOOST_AUTO_TEST_SUITE_END()
