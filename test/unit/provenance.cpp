// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Who ended a context: cancel_site() (DESIGN: the source_location block). Every cancel records
// its call site; a deadline records where it was set; descendants inherit the site like the
// cause; the first cancel wins.
#include <asioctx/bind.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;

namespace {
std::string str(const asioctx::context& c) {
  std::ostringstream os;
  os << c;
  return os.str();
}
std::string file_of(const asioctx::source_location& s) { return s.file_name(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(test_provenance)

BOOST_AUTO_TEST_CASE(live_context_has_no_site) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  BOOST_TEST(asioctx::cancel_site(ctx).line() == 0u);
  BOOST_TEST(asioctx::cancel_site(asioctx::background()).line() == 0u);
  auto [dl, cancel_dl] = asioctx::with_timeout(asioctx::background(), 1h);
  BOOST_TEST(asioctx::cancel_site(dl).line() == 0u);  // where the deadline was set shows once it ends it
}

BOOST_AUTO_TEST_CASE(cancel_records_its_call_site_and_the_first_wins) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  const unsigned line = __LINE__ + 1;
  cancel();
  cancel();  // too late: the first call's site stays
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);
  BOOST_TEST(file_of(asioctx::cancel_site(ctx)).find("provenance.cpp") != std::string::npos);
  // Inherited by descendants, linked already or born after.
  BOOST_TEST(asioctx::cancel_site(child).line() == line);
  auto [late, cancel_late] = asioctx::with_cancel(ctx);
  BOOST_TEST(asioctx::cancel_site(late).line() == line);
  cancel_child();  // child was done already: nothing changes
  BOOST_TEST(asioctx::cancel_site(child).line() == line);
}

BOOST_AUTO_TEST_CASE(cause_funcs_record_too) {
  auto [ctx, cancel] = asioctx::with_cancel_cause(asioctx::background());
  const unsigned line = __LINE__ + 1;
  cancel(make_error_code(boost::system::errc::io_error));
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);
  auto [c2, cancel2] = asioctx::with_cancel_cause(asioctx::background());
  const unsigned line2 = __LINE__ + 1;
  cancel2();
  BOOST_TEST(asioctx::cancel_site(c2).line() == line2);
}

BOOST_AUTO_TEST_CASE(an_explicit_site_is_recorded) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  asioctx::source_location where("server.cpp", 42, "shutdown");
  cancel(where);
  BOOST_TEST(asioctx::cancel_site(ctx).line() == 42u);
  BOOST_TEST(file_of(asioctx::cancel_site(ctx)) == "server.cpp");
  BOOST_TEST(str(ctx) == "background.with_cancel [context canceled at server.cpp:42]");
}

BOOST_AUTO_TEST_CASE(deadline_reports_where_it_was_set) {
  net::io_context io;
  const unsigned line = __LINE__ + 1;
  auto [ctx, cancel] = asioctx::with_timeout(io, asioctx::background(), 5ms);
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  io.run_for(10s);
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);
  BOOST_TEST(asioctx::cancel_site(child).line() == line);
  cancel();  // after the deadline: the deadline's site stays
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);

  // Every form records it: with_deadline, the _cause forms, the executor-free ones, born past.
  const unsigned past_line = __LINE__ + 1;
  auto [past, cancel_past] = asioctx::with_deadline(asioctx::background(), asioctx::clock::now() - 1s);
  BOOST_TEST(asioctx::cancel_site(past).line() == past_line);
  const unsigned lazy_line = __LINE__ + 1;
  auto [lazy, cancel_lazy] = asioctx::with_timeout_cause(asioctx::background(), 1ms,
                                                         make_error_code(boost::system::errc::timed_out));
  auto [lazy_child, cancel_lazy_child] = asioctx::with_cancel(lazy);
  asioctx_test::sleep_past(*lazy.deadline());
  BOOST_TEST(lazy_child.done());  // no timer: err() sees it
  BOOST_TEST(asioctx::cancel_site(lazy_child).line() == lazy_line);
  BOOST_TEST(asioctx::cancel_site(lazy).line() == lazy_line);
}

BOOST_AUTO_TEST_CASE(cancel_before_the_deadline_reports_the_cancel) {
  const unsigned deadline_line = __LINE__ + 1;
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 1h);
  const unsigned cancel_line = __LINE__ + 1;
  cancel();
  BOOST_TEST(asioctx::cancel_site(ctx).line() == cancel_line);
  BOOST_TEST(asioctx::cancel_site(ctx).line() != deadline_line);
}

BOOST_AUTO_TEST_CASE(site_of_a_cancel_from_another_thread) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  unsigned line = 0;
  std::thread([&, c = cancel] {
    line = __LINE__ + 1;
    c();
  }).join();
  BOOST_TEST(asioctx::cancel_site(ctx).line() == line);
}

BOOST_AUTO_TEST_CASE(bound_operation_reports_the_site_of_what_ended_it) {
  net::io_context io;
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  net::steady_timer timer(io, 1h);
  error_code got;
  asioctx::source_location site;
  timer.async_wait(asioctx::bind(ctx, [&, c = ctx](error_code ec) {
    got = ec;
    site = asioctx::cancel_site(c);
  }));
  io.poll();
  const unsigned line = __LINE__ + 1;
  cancel();
  io.run_for(10s);
  BOOST_TEST((got == error::canceled));
  BOOST_TEST(site.line() == line);
}

BOOST_AUTO_TEST_SUITE_END()
