// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// <asioctx/context.hpp> alone, with no Asio header: contexts with deadlines are made and used, and
// the executor-first forms arm on an io_context that this file knows only by name (the other half
// of that test, which runs the io_context, is in test/unit/context.cpp).

#include <asioctx/context.hpp>

#if defined(BOOST_ASIO_DETAIL_CONFIG_HPP) || defined(BOOST_ASIO_EXECUTION_CONTEXT_HPP)
#error "<asioctx/context.hpp> includes Asio; it must stay light"
#endif

#include "context_light.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

using asioctx::error;
using namespace std::chrono_literals;

namespace {

const asioctx::key<std::string> name_key{"name"};

// A deadline nothing waits on is reported once it has passed: err() reads the clock itself.
bool becomes_done(const asioctx::context& c, std::chrono::seconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!c.done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

namespace asioctx_test {

asioctx::derived<asioctx::cancel_func> light_timeout(boost::asio::io_context& io,
                                                     std::chrono::milliseconds t) {
  return asioctx::with_timeout(io, asioctx::background(), t);
}

asioctx::derived<asioctx::cancel_func> light_deadline(boost::asio::io_context& io,
                                                      std::chrono::milliseconds t) {
  return asioctx::with_deadline(io, asioctx::background(), asioctx::clock::now() + t);
}

}  // namespace asioctx_test

BOOST_AUTO_TEST_SUITE(context_light)

BOOST_AUTO_TEST_CASE(deadline_contexts_without_asio) {
  auto [live, cancel_live] = asioctx::with_timeout(asioctx::background(), 1h);
  BOOST_TEST(live.deadline().has_value());
  BOOST_TEST(!live.done());
  auto named = asioctx::with_value(live, name_key, "request");
  BOOST_TEST(*named.value(name_key) == "request");
  cancel_live();
  BOOST_TEST((named.err() == error::canceled));
  BOOST_TEST(asioctx::cancel_site(named).line() != 0u);

  auto [past, cancel_past] = asioctx::with_deadline(asioctx::background(), asioctx::clock::now() - 1ms);
  BOOST_TEST((past.err() == error::deadline_exceeded));

  const asioctx::error_code why(error::canceled);
  auto [soon, cancel_soon] = asioctx::with_timeout_cause(asioctx::background(), 20ms, why);
  auto [child, cancel_child] = asioctx::with_cancel(soon);
  BOOST_TEST(becomes_done(child));
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(child) == why);
  std::ostringstream os;
  os << child;
  BOOST_TEST(os.str().find("context deadline exceeded") != std::string::npos);

  // No deadline at all past the clock's range.
  BOOST_TEST(
      !asioctx::with_timeout(asioctx::background(), std::chrono::hours(24 * 365 * 300)).ctx.deadline());
}

BOOST_AUTO_TEST_CASE(stop_func_without_asio) {
  // Declared here; its members are compiled, so holding one needs nothing more.
  asioctx::stop_func stop;
  asioctx::stop_func copy = stop;
  BOOST_TEST(!copy());
  stop = std::move(copy);
  BOOST_TEST(!stop());
}

BOOST_AUTO_TEST_SUITE_END()
