// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// detail/adapters.hpp: bind() in every position among Asio's adapters (DESIGN rule 7). A matrix
// on a 4-thread io_context: each adapter one deep inside and outside bind, every ordered pair of
// distinct adapters outside bind, pairs around and inside bind, and chains three deep outside
// bind; each shape is run, cancelled while pending, already cancelled, cancelled concurrently,
// by a deadline, and not cancelled. The handler runs exactly once, on the strand (the
// operation's, or bind_executor's when the shape has one); the emit runs there too; the result
// is the context's error (or success) through as_tuple and redirect_error; append's and
// prepend's values arrive. Also with use_awaitable and deferred.
#include "adapter_probe.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/consign.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/prepend.hpp>
#include <boost/asio/redirect_error.hpp>
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#include <boost/asio/bind_immediate_executor.hpp>
#endif
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <tuple>
#include <utility>

using namespace adapter_probe;

namespace {

// Each of Asio's adapters, as a function of the token it wraps.
inline auto every_adapter(probe& pr, outcome& out) {
  return std::make_tuple([&pr](auto t) { return net::bind_executor(pr.strand, std::move(t)); },
                         [](auto t) { return net::as_tuple(std::move(t)); },
                         [&out](auto t) { return net::redirect_error(std::move(t), out.redirect); },
                         [&out](auto t) { return net::bind_cancellation_slot(out.sig.slot(), std::move(t)); },
                         [](auto t) { return net::bind_allocator(tagged_allocator<void>(), std::move(t)); },
                         [](auto t) { return net::append(std::move(t), 1); },
                         [](auto t) { return net::prepend(std::move(t), 2); },
                         [](auto t) { return net::consign(std::move(t), std::make_shared<int>(3)); }
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
                         ,
                         [&pr](auto t) { return net::bind_immediate_executor(pr.strand, std::move(t)); }
#endif
  );
}
constexpr const char* adapter_names[] = {
    "bind_executor", "as_tuple", "redirect_error", "bind_cancellation_slot", "bind_allocator",
    "append",        "prepend",  "consign",        "bind_immediate_executor"};
constexpr std::size_t adapter_count =
    std::tuple_size_v<decltype(every_adapter(std::declval<probe&>(), std::declval<outcome&>()))>;
constexpr std::size_t bind_executor_index = 0, append_index = 5, prepend_index = 6;

// The adapters I..., the first outermost, around token.
template <class Adapters, class Token>
auto wrap(const Adapters&, Token token, std::index_sequence<>) {
  return token;
}
template <class Adapters, class Token, std::size_t First, std::size_t... Rest>
auto wrap(const Adapters& a, Token token, std::index_sequence<First, Rest...>) {
  return std::get<First>(a)(wrap(a, std::move(token), std::index_sequence<Rest...>()));
}

template <std::size_t... I>
std::string names(std::index_sequence<I...>) {
  std::string s;
  ((s += std::string(adapter_names[I]) + "("), ...);
  return s;
}

template <std::size_t... I>
constexpr int count(std::index_sequence<I...>, std::size_t k) {
  return ((I == k ? 1 : 0) + ... + 0);
}

// outside...(bind(ctx, inside...(callback))), run every way.
template <class Outside, class Inside>
void check_shape(Outside outside, Inside inside, int races) {
  std::string shape = names(outside) + "bind(" + names(inside) + "h";
  shape += std::string(outside.size() + inside.size() + 1, ')');
  expect e;
  e.own_strand = (count(outside, bind_executor_index) + count(inside, bind_executor_index)) == 0;
  e.values = (count(outside, append_index) + count(inside, append_index)) * 1 +
             (count(outside, prepend_index) + count(inside, prepend_index)) * 2;
  check_all(
      shape,
      [](const asioctx::context& ctx, probe& pr, outcome& out) {
        auto a = every_adapter(pr, out);
        pr.async_wait(wrap(a, asioctx::bind(ctx, wrap(a, recorder{&out, &pr.strand}, Inside())), Outside()));
      },
      races, e);
}

using std::index_sequence;
using none = index_sequence<>;
constexpr std::size_t n = adapter_count;

template <std::size_t... A>
void one_deep(index_sequence<A...>) {
  (check_shape(index_sequence<A>(), none(), 2), ...);
  (check_shape(none(), index_sequence<A>(), 2), ...);
}

// Every ordered pair of distinct adapters outside bind.
template <std::size_t P>
void pair_outside() {
  if constexpr (P / n != P % n) check_shape(index_sequence<P / n, P % n>(), none(), 1);
}
template <std::size_t... P>
void every_pair_outside(index_sequence<P...>) {
  (pair_outside<P>(), ...);
}

// Each adapter around bind with another inside it, and two inside it; each three deep outside.
template <std::size_t... A>
void mixed_and_three_deep(index_sequence<A...>) {
  (check_shape(index_sequence<A>(), index_sequence<(A + 1) % n>(), 1), ...);
  (check_shape(index_sequence<A>(), index_sequence<(A + 3) % n>(), 1), ...);
  (check_shape(none(), index_sequence<A, (A + 1) % n>(), 1), ...);
  (check_shape(index_sequence<A, (A + 1) % n, (A + 2) % n>(), none(), 1), ...);
  (check_shape(index_sequence<A, (A + 4) % n, (A + 7) % n>(), none(), 1), ...);
}

#define CALLBACK_SHAPE(name, ...)                                \
  check_all(                                                     \
      name,                                                      \
      [](const asioctx::context& ctx, probe& pr, outcome& out) { \
        [[maybe_unused]] recorder rec{&out, &pr.strand};         \
        __VA_ARGS__;                                             \
      },                                                         \
      5)

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
// The body is a coroutine returning the operation's error; a thrown system_error is its code.
#define AWAIT_SHAPE(name, ...)                                                                   \
  check_all(                                                                                     \
      name,                                                                                      \
      [](const asioctx::context& ctx, probe& pr, outcome& out) {                                 \
        net::co_spawn(                                                                           \
            pr.strand,                                                                           \
            [ctx, &pr, &out]() -> net::awaitable<error_code> {                                   \
              (void)out;                                                                         \
              try {                                                                              \
                __VA_ARGS__                                                                      \
              } catch (const boost::system::system_error& e) {                                   \
                co_return e.code();                                                              \
              }                                                                                  \
            },                                                                                   \
            [rec = recorder{&out, &pr.strand}](std::exception_ptr, error_code ec) { rec(ec); }); \
      },                                                                                         \
      5)
#endif

}  // namespace

BOOST_AUTO_TEST_SUITE(test_adapters)

BOOST_AUTO_TEST_CASE(one_deep_every_adapter_inside_and_outside) {
  one_deep(std::make_index_sequence<n>());
  CALLBACK_SHAPE("bare", pr.async_wait(asioctx::bind(ctx, rec)));
  CALLBACK_SHAPE("deferred inside", pr.async_wait(asioctx::bind(ctx, net::deferred))(rec));
  CALLBACK_SHAPE("deferred outside", pr.async_wait(net::deferred)(asioctx::bind(ctx, rec)));
  CALLBACK_SHAPE("const token", {
    const auto token = asioctx::bind(ctx, rec);
    pr.async_wait(token);
  });
  CALLBACK_SHAPE("const token outside", {
    const auto token = net::redirect_error(net::as_tuple(asioctx::bind(ctx, rec)), out.redirect);
    pr.async_wait(token);
  });
}

BOOST_AUTO_TEST_CASE(two_deep_outside_every_pair_both_orders) {
  // Asio initiates the outermost adapter first: each pair is peeled down to the bound token,
  // whatever the order (on Boost 1.81 the adapters also hide the operation's executor).
  every_pair_outside(std::make_index_sequence<n * n>());
}

BOOST_AUTO_TEST_CASE(around_inside_and_three_deep) { mixed_and_three_deep(std::make_index_sequence<n>()); }

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
BOOST_AUTO_TEST_CASE(use_awaitable_every_adapter_both_sides) {
  using net::use_awaitable;
  AWAIT_SHAPE("bare", co_await pr.async_wait(asioctx::bind(ctx, use_awaitable)); co_return error_code(););
  AWAIT_SHAPE("bind_executor inside",
              co_await pr.async_wait(asioctx::bind(ctx, net::bind_executor(pr.strand, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_executor outside",
              co_await pr.async_wait(net::bind_executor(pr.strand, asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("as_tuple inside",
              auto [ec] = co_await pr.async_wait(asioctx::bind(ctx, net::as_tuple(use_awaitable)));
              co_return ec;);
  AWAIT_SHAPE("as_tuple outside",
              auto [ec] = co_await pr.async_wait(net::as_tuple(asioctx::bind(ctx, use_awaitable)));
              co_return ec;);
  AWAIT_SHAPE("redirect_error inside", error_code ec;
              co_await pr.async_wait(asioctx::bind(ctx, net::redirect_error(use_awaitable, ec)));
              co_return ec;);
  AWAIT_SHAPE("redirect_error outside", error_code ec;
              co_await pr.async_wait(net::redirect_error(asioctx::bind(ctx, use_awaitable), ec));
              co_return ec;);
  AWAIT_SHAPE(
      "bind_cancellation_slot inside",
      co_await pr.async_wait(asioctx::bind(ctx, net::bind_cancellation_slot(out.sig.slot(), use_awaitable)));
      co_return error_code(););
  AWAIT_SHAPE("bind_cancellation_slot outside", co_await pr.async_wait(net::bind_cancellation_slot(
                                                    out.sig.slot(), asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_allocator inside",
              co_await pr.async_wait(
                  asioctx::bind(ctx, net::bind_allocator(tagged_allocator<void>(), use_awaitable)));
              co_return error_code(););
  AWAIT_SHAPE("bind_allocator outside", co_await pr.async_wait(net::bind_allocator(
                                            tagged_allocator<void>(), asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
  AWAIT_SHAPE(
      "bind_immediate_executor inside",
      co_await pr.async_wait(asioctx::bind(ctx, net::bind_immediate_executor(pr.strand, use_awaitable)));
      co_return error_code(););
  AWAIT_SHAPE("bind_immediate_executor outside", co_await pr.async_wait(net::bind_immediate_executor(
                                                     pr.strand, asioctx::bind(ctx, use_awaitable)));
              co_return error_code(););
#endif
  AWAIT_SHAPE("deferred inside", co_await pr.async_wait(asioctx::bind(ctx, net::deferred))(use_awaitable);
              co_return error_code(););
  AWAIT_SHAPE("deferred outside", co_await pr.async_wait(net::deferred)(asioctx::bind(ctx, use_awaitable));
              co_return error_code(););
}
#endif

BOOST_AUTO_TEST_SUITE_END()
