// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The executor-first with_deadline/with_timeout on every kind of executor and execution context
// (detail/arm_site.hpp finds where to arm with no Asio header; src/executor_first.cpp arms there):
// the deadline fires with nothing bound, and once it has fired or the context is cancelled nothing
// of it, nor of the executor given, holds run().

#include <asioctx/context.hpp>

#include "../context_light.hpp"
#include "../test_util.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_context_strand.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;

namespace {

using derived = asioctx::derived<asioctx::cancel_func>;

// Each way of naming an io_context to the executor-first forms. The executor made is gone before
// the io_context runs: a tracked one would hold run() if anything kept a copy of it.
template <class Make>
void check_on_io_context(const char* what, Make make) {
  BOOST_TEST_CONTEXT(what) {
    net::io_context io;
    derived fires = [&] {
      auto&& ex = make(io);
      return asioctx::with_timeout(ex, asioctx::background(), 5ms);
    }();
    derived held = [&] {
      auto&& ex = make(io);
      return asioctx::with_deadline(ex, asioctx::background(), asioctx::clock::now() + 1h);
    }();
    BOOST_TEST(asioctx_test::deadline_armed(fires.ctx));  // io has not run: it cannot have fired
    BOOST_TEST(asioctx_test::deadline_armed(held.ctx));
    held.cancel();
    io.run_for(10s);
    BOOST_TEST(io.stopped());  // the fired deadline and the cancelled one were the only work
    BOOST_TEST((fires.ctx.err() == error::deadline_exceeded));
    BOOST_TEST(!asioctx_test::deadline_armed(fires.ctx));
    BOOST_TEST(asioctx_test::armed_deadlines(io) == 0u);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(test_arm_site)

BOOST_AUTO_TEST_CASE(executor_first_on_every_kind_of_io_context_executor) {
  check_on_io_context("io_context&", [](net::io_context& io) -> net::io_context& { return io; });
  check_on_io_context("io_context::executor_type", [](net::io_context& io) { return io.get_executor(); });
  check_on_io_context("tracked executor", [](net::io_context& io) {
    return net::prefer(io.get_executor(), net::execution::outstanding_work.tracked);
  });
  check_on_io_context("strand<>", [](net::io_context& io) { return net::make_strand(io); });
  check_on_io_context("strand<> of a tracked executor", [](net::io_context& io) {
    return net::make_strand(net::prefer(io.get_executor(), net::execution::outstanding_work.tracked));
  });
  check_on_io_context("io_context::strand", [](net::io_context& io) { return net::io_context::strand(io); });
  check_on_io_context("any_io_executor",
                      [](net::io_context& io) { return net::any_io_executor(io.get_executor()); });
  check_on_io_context("any_io_executor, tracked", [](net::io_context& io) {
    return net::any_io_executor(net::prefer(io.get_executor(), net::execution::outstanding_work.tracked));
  });
  check_on_io_context("any_io_executor of a strand",
                      [](net::io_context& io) { return net::any_io_executor(net::make_strand(io)); });
  check_on_io_context("strand<any_io_executor>", [](net::io_context& io) {
    return net::make_strand(net::any_io_executor(io.get_executor()));
  });
}

BOOST_AUTO_TEST_CASE(executor_first_from_a_translation_unit_without_asio) {
  // test/unit/context_light.cpp made these knowing io_context only by name.
  net::io_context io;
  derived a = asioctx_test::light_timeout(io, 5ms);
  derived b = asioctx_test::light_deadline(io, 5ms);
  io.run_for(10s);
  BOOST_TEST(io.stopped());
  BOOST_TEST((a.ctx.err() == error::deadline_exceeded));
  BOOST_TEST((b.ctx.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(executor_first_on_a_thread_pool) {
  net::thread_pool pool(1);
  derived on_pool = asioctx::with_timeout(pool, asioctx::background(), 20ms);
  derived on_ex = asioctx::with_timeout(pool.get_executor(), asioctx::background(), 20ms);
  derived on_strand = asioctx::with_timeout(net::make_strand(pool), asioctx::background(), 20ms);
  derived cancelled = asioctx::with_timeout(
      net::prefer(pool.get_executor(), net::execution::outstanding_work.tracked), asioctx::background(), 1h);
  for (derived* d : {&on_pool, &on_ex, &on_strand})
    BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::deadline_armed(d->ctx), *d->ctx.deadline()));
  BOOST_TEST(asioctx_test::deadline_armed(cancelled.ctx));
  cancelled.cancel();
  // The pool's timer takes each out of the heap as it fires (nothing here reads err() before).
  for (derived* d : {&on_pool, &on_ex, &on_strand})
    BOOST_TEST(asioctx_test::poll_until([&] { return !asioctx_test::deadline_armed(d->ctx); }));
  BOOST_TEST(asioctx_test::armed_deadlines(pool) == 0u);
  for (derived* d : {&on_pool, &on_ex, &on_strand}) BOOST_TEST((d->ctx.err() == error::deadline_exceeded));
  pool.join();  // returns: nothing of the deadlines, nor of the tracked executor, is left
}

BOOST_AUTO_TEST_CASE(executor_first_on_the_system_executor) {
  derived d = asioctx::with_timeout(net::system_executor(), asioctx::background(), 20ms);
  BOOST_TEST(asioctx_test::held_unless_passed(asioctx_test::deadline_armed(d.ctx), *d.ctx.deadline()));
  BOOST_TEST(asioctx_test::poll_until([&] { return !asioctx_test::deadline_armed(d.ctx); }));
  BOOST_TEST((d.ctx.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_SUITE_END()
