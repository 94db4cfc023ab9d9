// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/executor.hpp
//
// The one executor rule (DESIGN rule 13) of every asynchronous function of the core: a handler
// completes on its associated executor, else on the I/O object's (the initiation's executor, or
// that of an I/O object among its arguments); where neither exists, the function does not
// compile, with a message that says how to write it. Never system_executor.
// - bind: operation_executor(handler, candidate_executor(initiation, args...));
// - async_wait and group::async_wait have no I/O object: the handler's associated executor
//   (ASIOCTX_REQUIRE_OWN_EXECUTOR);
// - after_func takes its executor as an argument.
//

#ifndef ASIOCTX_DETAIL_EXECUTOR_HPP
#define ASIOCTX_DETAIL_EXECUTOR_HPP

#include <asioctx/detail/config.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/system_executor.hpp>
#if ASIOCTX_HAS_INLINE_EXECUTOR
#include <boost/asio/inline_executor.hpp>
#endif

#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

template <class T, class = void>
struct has_get_executor : std::false_type {};
template <class T>
struct has_get_executor<T, std::void_t<decltype(std::declval<const T&>().get_executor())>> : std::true_type {
};

template <class T, class = void>
struct points_to_io_object : std::false_type {};
template <class T>
struct points_to_io_object<T*, std::void_t<decltype(std::declval<T&>().get_executor())>> : std::true_type {};

template <class T>
constexpr bool is_io_object_arg =
    has_get_executor<std::decay_t<T>>::value || points_to_io_object<std::decay_t<T>>::value;

// The executor of the first initiation argument that is (or points to) an I/O object. Composed
// operations (Beast's among them) often pass their stream as an argument rather than exposing it
// through the initiation.
template <class First, class... Rest>
decltype(auto) io_object_executor(const First& first, const Rest&... rest) {
  if constexpr (has_get_executor<First>::value)
    return first.get_executor();
  else if constexpr (points_to_io_object<First>::value)
    return first->get_executor();
  else
    return io_object_executor(rest...);
}

// A candidate no handler association can return unless it has none of its own.
struct no_executor_candidate {};

// Whether Handler has an associated executor of its own (not a default it would be given).
template <class Handler>
constexpr bool has_own_executor =
    !std::is_same_v<typename boost::asio::associated_executor<Handler, no_executor_candidate>::type,
                    no_executor_candidate>;

// For the functions without an I/O object: refuses, at compile time, a handler with no
// associated executor, naming the function and how to write the call.
#define ASIOCTX_REQUIRE_OWN_EXECUTOR(Handler, function, example)                            \
  static_assert(::asioctx::detail::has_own_executor<Handler>, function                      \
                ": the handler has no associated executor to complete on, and there is no " \
                "I/O object to take one from; write " example                               \
                ", or use a token that has one "                                            \
                "(use_awaitable, a yield_context, use_future).")

// Executors that run a handler wherever it is dispatched from: as an association they say
// nothing about where the operation runs.
template <class Executor>
constexpr bool runs_inline = std::is_same_v<Executor, boost::asio::system_executor>
#if ASIOCTX_HAS_INLINE_EXECUTOR
                             || std::is_same_v<Executor, boost::asio::inline_executor>
#endif
    ;

template <class>
constexpr bool dependent_false = false;

// The executor the operation offers its handler's association as the candidate: its
// initiation's, or its I/O object's. A reference where the operation returns one (an I/O
// object's own executor), so nothing is copied per operation.
template <class Initiation, class... Args>
decltype(auto) candidate_executor(const Initiation& init, const Args&... args) {
  if constexpr (has_get_executor<Initiation>::value)
    return init.get_executor();
  else if constexpr ((is_io_object_arg<Args> || ...))
    return io_object_executor(args...);
  else
    return no_executor_candidate{};
}

// The executor an operation completes on, given its candidate (which must outlive the result).
template <class Handler, class Candidate>
decltype(auto) operation_executor(const Handler& h, const Candidate& candidate) {
  if constexpr (std::is_same_v<Candidate, no_executor_candidate>) {
    if constexpr (has_own_executor<Handler>) {
      return boost::asio::get_associated_executor(h);
    } else {
      static_assert(dependent_false<Handler>,
                    "asioctx::bind: this operation does not say which executor it completes on (its "
                    "initiation has no get_executor() and the handler no associated executor), so the "
                    "context's cancellation cannot be delivered on the operation's strand. Bind an "
                    "executor to the handler inside bind: asioctx::bind(ctx, "
                    "boost::asio::bind_executor(ex, handler)); and write asioctx::bind next to the "
                    "handler when other adapters wrap it.");
      return boost::asio::system_executor();
    }
  } else {
    using association = boost::asio::associated_executor<Handler, Candidate>;
    if constexpr (runs_inline<typename association::type> && !runs_inline<Candidate>)
      return (candidate);  // an explicit system_executor says nothing about where the operation runs
    else
      return association::get(h, candidate);
  }
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_EXECUTOR_HPP
