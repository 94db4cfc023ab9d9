// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Go parity of the context tree: Semantics 1-4 and 6 of DESIGN.md; and who ended a context.
#include <asioctx/after_func.hpp>
#include <asioctx/bind.hpp>
#include <asioctx/context.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;
using asioctx::error;
using asioctx::error_code;
using asioctx_test::custom_cause;
using asioctx_test::other_cause;
using asioctx_test::str;

namespace {
const asioctx::key<int> int_key{"int_key"};
const asioctx::key<int> other_int_key{"other_int_key"};
const asioctx::key<std::string> string_key{"string_key"};
const asioctx::key<std::vector<int>> vector_key{"vector_key"};
std::string file_of(const asioctx::source_location& s) { return s.file_name(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(test_context)

BOOST_AUTO_TEST_CASE(background_and_todo_are_never_done) {
  for (const asioctx::context& c : {asioctx::background(), asioctx::todo(), asioctx::context()}) {
    BOOST_TEST(!c.err());
    BOOST_TEST(!c.done());
    BOOST_TEST(!c.deadline());
    BOOST_TEST(c.value(int_key) == nullptr);
    BOOST_TEST(!asioctx::cause(c));
  }
  BOOST_TEST(str(asioctx::background()) == "background");
  BOOST_TEST(str(asioctx::context()) == "background");
  BOOST_TEST(str(asioctx::todo()) == "todo");
}

BOOST_AUTO_TEST_CASE(cancel_sets_canceled) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  BOOST_TEST(!ctx.done());
  BOOST_TEST(!ctx.err());
  cancel();
  BOOST_TEST(ctx.done());
  BOOST_TEST((ctx.err() == error::canceled));
  BOOST_TEST((asioctx::cause(ctx) == error::canceled));
}

BOOST_AUTO_TEST_CASE(parent_cancel_reaches_all_descendants) {
  auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
  auto [a, cancel_a] = asioctx::with_cancel(root);
  auto b = asioctx::with_value(a, int_key, 1);  // a value node in between
  auto [c, cancel_c] = asioctx::with_cancel(b);
  auto [d, cancel_d] = asioctx::with_timeout(root, 1h);
  auto [e, cancel_e] = asioctx::with_cancel_cause(d);
  cancel_root();
  for (const asioctx::context& x : {root, a, b, c, d, e}) {
    BOOST_TEST((x.err() == error::canceled));
    BOOST_TEST((asioctx::cause(x) == error::canceled));
  }
}

BOOST_AUTO_TEST_CASE(child_cancel_never_reaches_parent_or_siblings) {
  auto [parent, cancel_parent] = asioctx::with_cancel(asioctx::background());
  auto [child, cancel_child] = asioctx::with_cancel(parent);
  auto [sibling, cancel_sibling] = asioctx::with_cancel(parent);
  auto [grandchild, cancel_grandchild] = asioctx::with_cancel(child);
  cancel_child();
  BOOST_TEST(!parent.done());
  BOOST_TEST(!sibling.done());
  BOOST_TEST(child.done());
  BOOST_TEST(grandchild.done());
  cancel_parent();
  BOOST_TEST((sibling.err() == error::canceled));
}

BOOST_AUTO_TEST_CASE(cancel_is_idempotent_and_first_cancel_wins) {
  auto [ctx, cancel] = asioctx::with_cancel_cause(asioctx::background());
  cancel(custom_cause);
  cancel(other_cause);
  cancel();
  BOOST_TEST((ctx.err() == error::canceled));
  BOOST_TEST(asioctx::cause(ctx) == custom_cause);

  // A copy of the cancel function is the same function.
  auto [c2, cancel2] = asioctx::with_cancel(asioctx::background());
  auto copy = cancel2;
  copy();
  cancel2();
  BOOST_TEST((c2.err() == error::canceled));

  // A parent cancelled after the child keeps the child's own error and cause.
  auto [p3, cancel_p3] = asioctx::with_cancel_cause(asioctx::background());
  auto [c3, cancel_c3] = asioctx::with_cancel_cause(p3);
  cancel_c3(custom_cause);
  cancel_p3(other_cause);
  BOOST_TEST(asioctx::cause(c3) == custom_cause);
  BOOST_TEST(asioctx::cause(p3) == other_cause);
}

BOOST_AUTO_TEST_CASE(default_cancel_funcs_do_nothing) {
  asioctx::cancel_func f;
  asioctx::cancel_cause_func g;
  f();
  g(custom_cause);
  asioctx::stop_func s;
  BOOST_TEST(!s());
}

BOOST_AUTO_TEST_CASE(deadline_is_reported_and_min_over_ancestors) {
  auto now = asioctx::clock::now();
  auto [a, cancel_a] = asioctx::with_deadline(asioctx::background(), now + 1h);
  BOOST_REQUIRE(a.deadline());
  BOOST_TEST((*a.deadline() == now + 1h));
  auto [later, cancel_later] = asioctx::with_deadline(a, now + 2h);
  BOOST_TEST((*later.deadline() == now + 1h));  // keeps the parent's
  auto [earlier, cancel_earlier] = asioctx::with_deadline(a, now + 30min);
  BOOST_TEST((*earlier.deadline() == now + 30min));
  auto [child, cancel_child] = asioctx::with_cancel(earlier);
  BOOST_TEST((*child.deadline() == now + 30min));
  auto v = asioctx::with_value(child, int_key, 3);
  BOOST_TEST((*v.deadline() == now + 30min));
  // A later deadline is a plain with_cancel, as in Go.
  BOOST_TEST(str(later).find("with_deadline") == str(later).rfind("with_deadline"));
}

BOOST_AUTO_TEST_CASE(past_deadline_is_born_exceeded) {
  auto [ctx, cancel] = asioctx::with_deadline(asioctx::background(), asioctx::clock::now() - 1s);
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
  BOOST_TEST((asioctx::cause(ctx) == error::deadline_exceeded));
  cancel();
  BOOST_TEST((ctx.err() == error::deadline_exceeded));  // first wins
  auto [zero, cancel_zero] = asioctx::with_timeout(asioctx::background(), 0s);
  BOOST_TEST((zero.err() == error::deadline_exceeded));
  auto [neg, cancel_neg] = asioctx::with_timeout_cause(asioctx::background(), -5s, custom_cause);
  BOOST_TEST((neg.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(neg) == custom_cause);
}

BOOST_AUTO_TEST_CASE(expired_deadline_reported_without_any_timer) {
  // No executor is ever given: err() must still see the deadline pass.
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  BOOST_TEST(asioctx_test::held_unless_passed(!ctx.done(), *ctx.deadline()));
  asioctx_test::sleep_past(*ctx.deadline());
  BOOST_TEST(child.done());
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
  cancel();
  cancel_child();
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST((asioctx::cause(child) == error::deadline_exceeded));
  // A child made now is born done.
  auto [late, cancel_late] = asioctx::with_cancel(ctx);
  BOOST_TEST((late.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(cancel_before_deadline_wins) {
  auto [ctx, cancel] = asioctx::with_timeout(asioctx::background(), 50ms);
  cancel();
  // The clock read after the cancel: on a loaded machine the deadline may have passed first, and
  // then it rightly wins; the cancel came first whenever the deadline is still ahead now.
  const error_code first = ctx.err();
  const bool cancel_came_first = asioctx::clock::now() < *ctx.deadline();
  asioctx_test::sleep_past(*ctx.deadline());
  if (cancel_came_first) {
    BOOST_TEST((first == error::canceled));
    BOOST_TEST((ctx.err() == error::canceled));
  }
  BOOST_TEST((ctx.err() == first));  // decided once, either way
}

BOOST_AUTO_TEST_CASE(timer_fires_deadline_on_executor) {
  boost::asio::io_context io;
  auto [ctx, cancel] = asioctx::with_timeout(io.get_executor(), asioctx::background(), 50ms);
  auto [child, cancel_child] = asioctx::with_cancel(ctx);
  BOOST_TEST(asioctx_test::held_unless_passed(!child.done(), *ctx.deadline()));
  io.run_for(10s);  // the armed timer is the only work: run returns once it fired
  BOOST_TEST((ctx.err() == error::deadline_exceeded));
  BOOST_TEST((child.err() == error::deadline_exceeded));
}

BOOST_AUTO_TEST_CASE(child_of_done_parent_is_born_done) {
  auto [parent, cancel_parent] = asioctx::with_cancel_cause(asioctx::background());
  cancel_parent(custom_cause);
  auto [c1, cancel1] = asioctx::with_cancel(parent);
  auto [c2, cancel2] = asioctx::with_timeout(parent, 1h);
  auto [c3, cancel3] = asioctx::with_cancel_cause(parent);
  auto c4 = asioctx::with_value(parent, int_key, 4);
  for (const asioctx::context& c : {c1, c2, c3, c4}) {
    BOOST_TEST((c.err() == error::canceled));
    BOOST_TEST(asioctx::cause(c) == custom_cause);
  }
  cancel3(other_cause);
  BOOST_TEST(asioctx::cause(c3) == custom_cause);
}

BOOST_AUTO_TEST_CASE(cause_rules) {
  // {} means canceled.
  auto [a, cancel_a] = asioctx::with_cancel_cause(asioctx::background());
  cancel_a({});
  BOOST_TEST((asioctx::cause(a) == error::canceled));

  // Children inherit the parent's cause, through value nodes too.
  auto [p, cancel_p] = asioctx::with_cancel_cause(asioctx::background());
  auto [c, cancel_c] = asioctx::with_cancel(p);
  auto v = asioctx::with_value(c, int_key, 1);
  auto [g, cancel_g] = asioctx::with_cancel(v);
  BOOST_TEST(!asioctx::cause(g));
  cancel_p(custom_cause);
  BOOST_TEST((c.err() == error::canceled));
  BOOST_TEST(asioctx::cause(c) == custom_cause);
  BOOST_TEST(asioctx::cause(v) == custom_cause);
  BOOST_TEST(asioctx::cause(g) == custom_cause);

  // A context with no cause of its own reports its err().
  auto [plain, cancel_plain] = asioctx::with_cancel(asioctx::background());
  cancel_plain();
  BOOST_TEST((asioctx::cause(plain) == plain.err()));
}

BOOST_AUTO_TEST_CASE(timeout_cause_only_when_deadline_fires) {
  boost::asio::io_context io;
  auto [fires, cancel_fires] = asioctx::with_timeout_cause(asioctx::background(), 10ms, custom_cause);
  auto [child, cancel_child] = asioctx::with_cancel(fires);
  auto stop = asioctx::after_func(fires, io.get_executor(), [] {});  // arms the timer
  io.run_for(10s);
  BOOST_TEST((fires.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(fires) == custom_cause);
  BOOST_TEST((child.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(child) == custom_cause);

  // Its cancel function gives canceled / canceled.
  auto [cancelled, cancel] =
      asioctx::with_deadline_cause(asioctx::background(), asioctx::clock::now() + 1h, custom_cause);
  cancel();
  BOOST_TEST((cancelled.err() == error::canceled));
  BOOST_TEST((asioctx::cause(cancelled) == error::canceled));

  // Without an executor the cause still shows once the deadline passed.
  auto [lazy, cancel_lazy] = asioctx::with_timeout_cause(asioctx::background(), 1ms, other_cause);
  asioctx_test::sleep_past(*lazy.deadline());
  BOOST_TEST(lazy.done());
  BOOST_TEST(asioctx::cause(lazy) == other_cause);
}

BOOST_AUTO_TEST_CASE(inherited_earlier_deadline_cause_is_the_ancestors) {
  auto [outer, cancel_outer] = asioctx::with_timeout_cause(asioctx::background(), 1ms, custom_cause);
  // Later deadline: no timer of its own, reports the outer one's cause.
  auto [inner, cancel_inner] = asioctx::with_timeout_cause(outer, 1h, other_cause);
  asioctx_test::sleep_past(*outer.deadline());
  BOOST_TEST(inner.done());
  BOOST_TEST((inner.err() == error::deadline_exceeded));
  BOOST_TEST(asioctx::cause(inner) == custom_cause);
}

BOOST_AUTO_TEST_CASE(without_cancel_detaches_from_cancellation) {
  auto [parent, cancel_parent] = asioctx::with_timeout(asioctx::background(), 1h);
  auto valued = asioctx::with_value(parent, string_key, "kept");
  auto detached = asioctx::without_cancel(valued);
  auto [child, cancel_child] = asioctx::with_cancel(detached);
  BOOST_TEST(!detached.deadline());
  BOOST_TEST(!child.deadline());
  BOOST_REQUIRE(detached.value(string_key) != nullptr);
  BOOST_TEST(*detached.value(string_key) == "kept");
  BOOST_TEST(*child.value(string_key) == "kept");
  cancel_parent();
  BOOST_TEST(valued.done());
  BOOST_TEST(!detached.done());
  BOOST_TEST(!child.done());
  BOOST_TEST(!asioctx::cause(detached));
  cancel_child();
  BOOST_TEST(child.done());
  BOOST_TEST(!detached.done());
  std::string s = str(detached);
  BOOST_TEST(s.rfind("background.with_deadline(", 0) == 0);
  const std::string tail = ".with_value(string_key, kept).without_cancel";
  BOOST_TEST(s.substr(s.size() - tail.size()) == tail);
  // Of a done parent: still never done.
  auto late = asioctx::without_cancel(parent);
  BOOST_TEST(!late.done());
}

BOOST_AUTO_TEST_CASE(values_nearest_wins_and_keys_never_collide) {
  auto a = asioctx::with_value(asioctx::background(), int_key, 1);
  auto b = asioctx::with_value(a, other_int_key, 2);
  auto [c, cancel_c] = asioctx::with_cancel(b);
  auto d = asioctx::with_value(c, int_key, 3);  // shadows
  auto e = asioctx::with_value(d, vector_key, std::vector<int>{1, 2, 3});
  BOOST_TEST(*a.value(int_key) == 1);
  BOOST_TEST(a.value(other_int_key) == nullptr);
  BOOST_TEST(*b.value(int_key) == 1);
  BOOST_TEST(*b.value(other_int_key) == 2);
  BOOST_TEST(*c.value(int_key) == 1);
  BOOST_TEST(*d.value(int_key) == 3);
  BOOST_TEST(*e.value(int_key) == 3);
  BOOST_TEST(*e.value(other_int_key) == 2);
  BOOST_TEST(e.value(vector_key)->size() == 3u);
  BOOST_TEST(e.value(string_key) == nullptr);
  // A key with the same name is still another key.
  const asioctx::key<int> same_name{"int_key"};
  BOOST_TEST(e.value(same_name) == nullptr);
  // Values survive cancellation, and outlive the handles that made them.
  cancel_c();
  const int* p = e.value(int_key);
  BOOST_TEST(*p == 3);
}

BOOST_AUTO_TEST_CASE(values_accept_move_only_and_convertible) {
  const asioctx::key<std::unique_ptr<int>> up{"up"};
  auto c = asioctx::with_value(asioctx::background(), up, std::make_unique<int>(7));
  BOOST_TEST(**c.value(up) == 7);
  auto s = asioctx::with_value(asioctx::background(), string_key, "converted");
  BOOST_TEST(*s.value(string_key) == "converted");
}

BOOST_AUTO_TEST_CASE(values_of_over_aligned_types) {
  struct alignas(64) wide {
    int v;
  };
  const asioctx::key<wide> k{"wide"};
  auto [parent, cancel] = asioctx::with_cancel(asioctx::background());
  for (int i = 0; i < 100; ++i) {
    auto c = asioctx::with_value(parent, k, wide{i});
    const wide* w = c.value(k);
    BOOST_REQUIRE(w != nullptr);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(w) % 64 == 0u);
    BOOST_TEST(w->v == i);
  }
}

BOOST_AUTO_TEST_CASE(string_shows_the_chain) {
  auto [c, cancel] = asioctx::with_cancel(asioctx::todo());
  auto v = asioctx::with_value(c, int_key, 5);
  auto [c2, cancel2] = asioctx::with_cancel_cause(v);
  BOOST_TEST(str(c2) == "todo.with_cancel.with_value(int_key, 5).with_cancel");
  struct opaque {};
  const asioctx::key<opaque> op{"op"};
  auto u = asioctx::with_value(asioctx::background(), op, opaque{});
  BOOST_TEST(str(u) == "background.with_value(op, <not printable>)");
  auto [d, cancel_d] = asioctx::with_timeout(asioctx::background(), 2s);
  BOOST_TEST(str(d).rfind("background.with_deadline(", 0) == 0);
  // The farthest past deadline prints without overflowing (UBSan checks the arithmetic).
  auto [e, cancel_e] = asioctx::with_deadline(asioctx::background(), asioctx::clock::time_point::min());
  BOOST_TEST(str(e).rfind("background.with_deadline(-", 0) == 0);
}

BOOST_AUTO_TEST_CASE(copies_share_state_and_are_cheap) {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  asioctx::context copy = ctx;
  asioctx::context moved = std::move(copy);
  asioctx::context assigned;
  assigned = moved;
  cancel();
  BOOST_TEST(moved.done());
  BOOST_TEST(assigned.done());
  BOOST_TEST(sizeof(asioctx::context) == sizeof(void*));
}

BOOST_AUTO_TEST_CASE(concurrent_cancels_from_many_threads) {
  // Several threads race to cancel the same node and its descendants with different causes;
  // exactly one cause wins everywhere it was inherited.
  for (int round = 0; round < 50; ++round) {
    auto [root, cancel_root] = asioctx::with_cancel_cause(asioctx::background());
    std::vector<asioctx::context> leaves;
    std::vector<asioctx::cancel_cause_func> cancels;
    for (int i = 0; i < 8; ++i) {
      auto [c, cancel_c] = asioctx::with_cancel_cause(root);
      leaves.push_back(c);
      cancels.push_back(cancel_c);
    }
    const error_code causes[] = {custom_cause, other_cause, make_error_code(boost::system::errc::timed_out),
                                 make_error_code(boost::system::errc::io_error)};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t, cancel_root = cancel_root] {
        cancel_root(causes[t]);
        for (auto& c : cancels) c(causes[t]);
        for (auto& l : leaves) (void)l.err();
      });
    }
    for (auto& th : threads) th.join();
    error_code winner = asioctx::cause(root);
    BOOST_TEST((winner == causes[0] || winner == causes[1] || winner == causes[2] || winner == causes[3]));
    for (auto& l : leaves) {
      BOOST_TEST((l.err() == error::canceled));
      error_code c = asioctx::cause(l);
      BOOST_TEST((c == causes[0] || c == causes[1] || c == causes[2] || c == causes[3]));
    }
  }
}

BOOST_AUTO_TEST_CASE(concurrent_create_and_cancel) {
  // Children made while the parent is being cancelled are either reached or born done.
  for (int round = 0; round < 20; ++round) {
    auto [root, cancel_root] = asioctx::with_cancel(asioctx::background());
    std::vector<asioctx::context> made[2];
    std::thread makers[2];
    for (int t = 0; t < 2; ++t) {
      makers[t] = std::thread([&, t, root = root] {
        for (int i = 0; i < 500; ++i) {
          auto [c, cancel_c] = asioctx::with_cancel(root);
          made[t].push_back(c);
          if (i % 3 == 0) cancel_c();
        }
      });
    }
    cancel_root();
    for (auto& m : makers) m.join();
    for (auto& m : made)
      for (auto& c : m) BOOST_TEST_REQUIRE((c.err() == error::canceled));
  }
}

BOOST_AUTO_TEST_SUITE_END()

// Who ended a context: cancel_site() (DESIGN: the source_location block). Every cancel records
// its call site; a deadline records where it was set; descendants inherit the site like the
// cause; the first cancel wins.
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
  BOOST_TEST(file_of(asioctx::cancel_site(ctx)).find("unit/context.cpp") != std::string::npos);
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
