// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The error_code of an exception_ptr, which bind's exception_ptr results and group's failures read.
#include <asioctx/detail/exception.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <system_error>

namespace {

using asioctx::error_code;
using asioctx::detail::error_code_of;

}  // namespace

BOOST_AUTO_TEST_SUITE(test_detail_exception)

BOOST_AUTO_TEST_CASE(boost_system_error_gives_its_code) {
  const error_code ec = boost::asio::error::connection_reset;
  BOOST_TEST(error_code_of(std::make_exception_ptr(boost::system::system_error(ec))) == ec);
}

BOOST_AUTO_TEST_CASE(std_system_error_gives_its_code_as_boost) {
  const std::error_code ec = std::make_error_code(std::errc::timed_out);
  const error_code got = error_code_of(std::make_exception_ptr(std::system_error(ec)));
  BOOST_TEST((got == std::errc::timed_out));
  BOOST_TEST((static_cast<std::error_code>(got) == ec));  // the std::error_code itself, kept
}

BOOST_AUTO_TEST_CASE(anything_else_gives_no_code) {
  BOOST_TEST(!error_code_of(std::exception_ptr()));
  BOOST_TEST(!error_code_of(std::make_exception_ptr(std::runtime_error("not a system error"))));
  BOOST_TEST(!error_code_of(std::make_exception_ptr(42)));
}

BOOST_AUTO_TEST_SUITE_END()
