// The HTTP module's test runner: unit, loopback integration and load tests.
#define BOOST_TEST_MODULE asioctx_http
#include <boost/test/unit_test.hpp>
