// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The HTTP module's test runner: unit, loopback integration and load tests.
#define BOOST_TEST_MODULE asioctx_http
#include <boost/test/unit_test.hpp>
