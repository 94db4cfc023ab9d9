// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The node kinds of detail/node.hpp seen from outside, here a child born done (a child of a
// done parent): it reports its parent's state, with Go's semantics, and holds no cancellable
// state of its own.
#include <asioctx/after_func.hpp>
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>
#include <asioctx/context.hpp>

#include "../test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(__cpp_lib_jthread)
#include <asioctx/stop_token.hpp>
#endif

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;
using asioctx_test::custom_cause;
using asioctx_test::other_cause;
using asioctx_test::str;

namespace {
const asioctx::key<int> int_key{"int_key"};

bool same_site(const asioctx::source_location& a, const asioctx::source_location& b) {
  return a.line() == b.line() && std::string(a.file_name()) == b.file_name();
}

// A parent cancelled with custom_cause at a known site.
struct done_parent {
  asioctx::derived<asioctx::cancel_cause_func> d = asioctx::with_cancel_cause(asioctx::background());
  asioctx::source_location site;
  done_parent() {
    site = BOOST_CURRENT_LOCATION;
    d.cancel(custom_cause, site);
  }
};

std::uint32_t refs(const asioctx::context& c) { return asioctx::detail::access::get(c)->use_count(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(test_born_done)

BOOST_AUTO_TEST_CASE(reports_the_parents_err_cause_and_site) {
  done_parent p;
  auto [c1, cancel1] = asioctx::with_cancel(p.d.ctx);
  auto [c2, cancel2] = asioctx::with_cancel_cause(p.d.ctx);
  auto [c3, cancel3] = asioctx::with_cancel(c1);  // a child of a child born done
  auto c4 = asioctx::with_value(c3, int_key, 4);
  auto [c5, cancel5] = asioctx::with_cancel(c4);
  for (const asioctx::context& c : {c1, c2, c3, c4, c5}) {
    BOOST_TEST(c.done());
    BOOST_TEST((c.err() == error::canceled));
    BOOST_TEST(asioctx::cause(c) == custom_cause);
    BOOST_TEST(same_site(asioctx::cancel_site(c), p.site));
    BOOST_TEST(!c.deadline());
  }
}

BOOST_AUTO_TEST_CASE(has_no_cancellable_state_of_its_own) {
  // What makes a child of a done parent cheap: its canceler is its parent's (already done) node.
  done_parent p;
  auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
  auto [c2, cancel2] = asioctx::with_cancel(c);
  BOOST_TEST(asioctx_test::node_of(c) == asioctx_test::node_of(p.d.ctx));
  BOOST_TEST(asioctx_test::node_of(c2) == asioctx_test::node_of(p.d.ctx));
}

BOOST_AUTO_TEST_CASE(its_cancel_functions_do_nothing) {
  done_parent p;
  auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
  auto [cc, cancel_cause] = asioctx::with_cancel_cause(p.d.ctx);
  cancel();
  cancel_cause(other_cause);
  cancel_cause();
  for (const asioctx::context& x : {c, cc, p.d.ctx}) {
    BOOST_TEST((x.err() == error::canceled));
    BOOST_TEST(asioctx::cause(x) == custom_cause);
    BOOST_TEST(same_site(asioctx::cancel_site(x), p.site));
  }
  // A copy of the cancel function outlives the context harmlessly.
  asioctx::cancel_func kept;
  {
    auto d = asioctx::with_cancel(p.d.ctx);
    kept = d.cancel;
  }
  kept();
  BOOST_TEST(asioctx::cause(p.d.ctx) == custom_cause);
}

BOOST_AUTO_TEST_CASE(deadline_is_the_min_of_the_parents_and_its_own) {
  const auto far = asioctx::clock::now() + 1h;
  auto [parent, cancel_parent] = asioctx::with_deadline(asioctx::background(), far);
  const auto site = BOOST_CURRENT_LOCATION;
  cancel_parent(site);
  // Later than the parent's: Go's WithCancel(parent); the parent's deadline.
  auto [later, cancel_later] = asioctx::with_deadline(parent, far + 1h);
  BOOST_TEST((later.deadline() == std::optional<asioctx::clock::time_point>(far)));
  BOOST_TEST(str(later).find(".with_deadline(") == str(later).rfind(".with_deadline("));
  auto [later_cause, cancel_later_cause] = asioctx::with_timeout_cause(parent, 2h, other_cause);
  BOOST_TEST((later_cause.deadline() == std::optional<asioctx::clock::time_point>(far)));
  // Earlier: its own, still born done with the parent's state.
  auto [earlier, cancel_earlier] = asioctx::with_deadline(parent, far - 30min);
  BOOST_TEST((earlier.deadline() == std::optional<asioctx::clock::time_point>(far - 30min)));
  auto [below, cancel_below] = asioctx::with_cancel(earlier);
  BOOST_TEST((below.deadline() == std::optional<asioctx::clock::time_point>(far - 30min)));
  for (const asioctx::context& c : {later, later_cause, earlier, below}) {
    BOOST_TEST((c.err() == error::canceled));
    BOOST_TEST((asioctx::cause(c) == error::canceled));
    BOOST_TEST(same_site(asioctx::cancel_site(c), site));
  }
  cancel_earlier();
  cancel_later_cause();
  BOOST_TEST((asioctx::cause(earlier) == error::canceled));
  BOOST_TEST(same_site(asioctx::cancel_site(earlier), site));
}

BOOST_AUTO_TEST_CASE(child_of_a_deadline_that_passed_unobserved) {
  const auto when = asioctx::clock::now() + 20ms;
  const auto set_at = BOOST_CURRENT_LOCATION;
  auto [parent, cancel_parent] =
      asioctx::with_deadline_cause(asioctx::background(), when, custom_cause, set_at);
  asioctx_test::sleep_past(when);
  // Nobody asked the parent: the child learns the deadline passed and is born with it.
  auto [child, cancel_child] = asioctx::with_cancel_cause(parent);
  cancel_child(other_cause);
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(child) == custom_cause);
  BOOST_TEST(same_site(asioctx::cancel_site(child), set_at));
  BOOST_TEST((parent.err() == error::deadline_exceeded));
  BOOST_TEST((child.deadline() == std::optional<asioctx::clock::time_point>(when)));
}

BOOST_AUTO_TEST_CASE(prints_gos_chain) {
  done_parent p;
  auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
  auto v = asioctx::with_value(c, int_key, 7);
  auto [c2, cancel2] = asioctx::with_cancel_cause(v);
  const std::string s = str(c2);
  BOOST_TEST(s.rfind("background.with_cancel.with_cancel.with_value(int_key, 7).with_cancel [context "
                     "canceled at node.cpp:",
                     0) == 0);
  BOOST_TEST(s.find(":" + std::to_string(p.site.line()) + "]") != std::string::npos);
  auto [d, cancel_d] = asioctx::with_timeout(c, 1h);  // the parent has none: its own
  BOOST_TEST(str(d).rfind("background.with_cancel.with_cancel.with_deadline(", 0) == 0);
  auto w = asioctx::without_cancel(c);
  BOOST_TEST(str(w) == "background.with_cancel.with_cancel.without_cancel");
}

BOOST_AUTO_TEST_CASE(values_are_found_through_it) {
  auto v = asioctx::with_value(asioctx::background(), int_key, 1);
  auto [parent, cancel_parent] = asioctx::with_cancel(v);
  cancel_parent();
  auto [c, cancel] = asioctx::with_cancel(parent);
  BOOST_TEST(*c.value(int_key) == 1);
  auto shadow = asioctx::with_value(c, int_key, 2);
  auto [below, cancel_below] = asioctx::with_cancel(shadow);
  BOOST_TEST(*below.value(int_key) == 2);
  BOOST_TEST(*c.value(int_key) == 1);
  // without_cancel keeps the values and is never done.
  auto w = asioctx::without_cancel(below);
  BOOST_TEST(!w.done());
  BOOST_TEST(!w.deadline());
  BOOST_TEST(*w.value(int_key) == 2);
  auto [live, cancel_live] = asioctx::with_cancel(w);
  BOOST_TEST(!live.done());
  cancel_live();
  BOOST_TEST((live.err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(bound_operations_waits_and_after_funcs_complete_at_once) {
  done_parent p;
  auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
  net::io_context io;
  net::steady_timer t(io, 1h);
  std::optional<error_code> bound, waited;
  int calls = 0;
  t.async_wait(asioctx::bind(c, [&](error_code ec) { bound = ec; }));
  asioctx::async_wait(c, net::bind_executor(io, [&](error_code ec) { waited = ec; }));
  auto stop = asioctx::after_func(c, io.get_executor(), [&] { ++calls; });
  BOOST_TEST(asioctx_test::run_until(io, [&] { return bound && waited && calls == 1; }));
  BOOST_TEST((*bound == error::canceled));
  BOOST_TEST((*waited == error::canceled));
  BOOST_TEST(!stop());
  BOOST_TEST(asioctx_test::waiter_count(c) == 0u);
}

#if defined(__cpp_lib_jthread)
BOOST_AUTO_TEST_CASE(its_stop_token_is_stopped) {
  done_parent p;
  auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
  std::stop_token st = asioctx::get_stop_token(c);
  BOOST_TEST(st.stop_requested());
  auto [s, cancel_s] = asioctx::with_stop_token(c, std::stop_source().get_token());
  BOOST_TEST(asioctx::cause(s) == custom_cause);
}
#endif

BOOST_AUTO_TEST_CASE(holds_its_parent_until_released) {
  done_parent p;
  const std::uint32_t before = refs(p.d.ctx);
  {
    auto [c, cancel] = asioctx::with_cancel(p.d.ctx);
    BOOST_TEST(refs(p.d.ctx) == before + 1);
    p.d = {};  // the child keeps its parent alive
    BOOST_TEST(asioctx::cause(c) == custom_cause);
    BOOST_TEST(same_site(asioctx::cancel_site(c), p.site));
  }
}

BOOST_AUTO_TEST_CASE(deep_chains_are_made_and_released_without_recursion) {
  done_parent p;
  const std::uint32_t before = refs(p.d.ctx);
  auto v = asioctx::with_value(p.d.ctx, int_key, 3);
  {
    asioctx::context c = v;
    for (int i = 0; i < 10000; ++i) c = asioctx::with_cancel(c).ctx;
    BOOST_TEST(*c.value(int_key) == 3);
    BOOST_TEST(asioctx::cause(c) == custom_cause);
    std::string s = str(c);
    BOOST_TEST(s.size() > 10000u * std::string(".with_cancel").size());
    // Released from the leaf: iteratively, up to the value node v still holds.
  }
  BOOST_TEST(refs(v) == 1u);
  v = {};
  BOOST_TEST(refs(p.d.ctx) == before);
  // The deepest chains: released from a thread whose stack is small.
  asioctx::context deep = p.d.ctx;
  for (int i = 0; i < 200000; ++i) deep = asioctx::with_cancel(deep).ctx;
  std::thread([d = std::move(deep)]() mutable { d = {}; }).join();
  BOOST_TEST(refs(p.d.ctx) == before);
}

BOOST_AUTO_TEST_CASE(concurrent_children_and_cancel_agree) {
  // Children made while another thread cancels the parent: linked and cancelled, or born done;
  // either way each reports the one cancel that won.
  for (int round = 0; round < 20; ++round) {
    auto [parent, cancel_parent] = asioctx::with_cancel_cause(asioctx::background());
    asioctx::source_location site;
    std::atomic<bool> go{false};
    std::thread canceller([&, &cancel_parent = cancel_parent] {
      while (!go.load()) std::this_thread::yield();
      site = BOOST_CURRENT_LOCATION;
      cancel_parent(custom_cause, site);
    });
    std::vector<asioctx::derived<asioctx::cancel_func>> children;
    go.store(true);
    for (int i = 0; i < 200; ++i)
      children.push_back(asioctx::with_cancel(i % 2 == 0 ? parent : children.back().ctx));
    canceller.join();
    for (auto& d : children) {
      d.cancel();  // after the parent's cancel: never changes what the child reports
      BOOST_TEST((d.ctx.err() == error::canceled));
      BOOST_TEST(asioctx::cause(d.ctx) == custom_cause);
      BOOST_TEST(same_site(asioctx::cancel_site(d.ctx), site));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
