// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/adapters.hpp
//
// bind() in any position among Asio's adapters. Adapters written outside bind are peeled off, at
// initiation, down to the bound token and put back inside it: `a(b(bind(ctx, t)))` initiates as
// `bind(ctx, a(b(t)))`, which means the same for every adapter here. The token is rewritten, not
// the handler, because Asio initiates the outermost adapter first, so its handler would end up
// outside bind's, between bind and the operation: the operation would take
// bind_cancellation_slot's slot instead of the context's, redirect_error would swallow (and
// prepend hide) the operation_aborted bind translates, bind_executor's executor would not be the
// one bind cancels on, and Boost 1.81's initiation wrappers hide the operation's executor (newer
// Asio's derive from initiation_base and show it).
//
// A partial specialisation names a fixed shape, so the shapes one, two and three adapters deep
// are generated below; each peels recursively. Deeper shapes are peeled from the third adapter
// inward. The inner token is read through the public accessor where Asio has one (the binders'
// get()); as_tuple_t, redirect_error_t, append_t, prepend_t and consign_t only have public
// members (token_, ec_, values_), on Boost 1.81 and on Asio 1.38 alike.
//

#ifndef ASIOCTX_DETAIL_ADAPTERS_HPP
#define ASIOCTX_DETAIL_ADAPTERS_HPP

#include <asioctx/detail/config.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/consign.hpp>
#include <boost/asio/prepend.hpp>
#include <boost/asio/redirect_error.hpp>
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#include <boost/asio/bind_immediate_executor.hpp>
#endif

#include <tuple>
#include <type_traits>
#include <utility>

namespace asioctx {

template <class Token>
class bound_token;

namespace detail {

// For each adapter: inner(a), the token it wraps; wrap(a, t), the same adapter around t (made
// with Asio's own function, values moved along when a is an rvalue).
template <class Adapter>
struct adapter;

#define ASIOCTX_BINDER(type, make, getter)                      \
  template <class T, class X>                                   \
  struct adapter<boost::asio::type<T, X>> {                     \
    template <class A>                                          \
    static auto& inner(A& a) noexcept {                         \
      return a.get();                                           \
    }                                                           \
    template <class A, class U>                                 \
    static auto wrap(A&& a, U&& u) {                            \
      return boost::asio::make(a.getter(), std::forward<U>(u)); \
    }                                                           \
  };
ASIOCTX_BINDER(executor_binder, bind_executor, get_executor)
ASIOCTX_BINDER(cancellation_slot_binder, bind_cancellation_slot, get_cancellation_slot)
ASIOCTX_BINDER(allocator_binder, bind_allocator, get_allocator)
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
ASIOCTX_BINDER(immediate_executor_binder, bind_immediate_executor, get_immediate_executor)
#endif
#undef ASIOCTX_BINDER

struct token_member {
  template <class A>
  static auto& inner(A& a) noexcept {
    return a.token_;
  }
};

template <class T>
struct adapter<boost::asio::as_tuple_t<T>> : token_member {
  template <class A, class U>
  static auto wrap(A&&, U&& u) {
    return boost::asio::as_tuple(std::forward<U>(u));
  }
};

template <class T>
struct adapter<boost::asio::redirect_error_t<T>> : token_member {
  template <class A, class U>
  static auto wrap(A&& a, U&& u) {
    return boost::asio::redirect_error(std::forward<U>(u), a.ec_);
  }
};

#define ASIOCTX_VALUES(type, make)                                                         \
  template <class T, class... V>                                                           \
  struct adapter<boost::asio::type<T, V...>> : token_member {                              \
    template <class A, class U>                                                            \
    static auto wrap(A&& a, U&& u) {                                                       \
      return std::apply(                                                                   \
          [&](auto&&... v) {                                                               \
            return boost::asio::make(std::forward<U>(u), std::forward<decltype(v)>(v)...); \
          },                                                                               \
          std::forward<A>(a).values_);                                                     \
    }                                                                                      \
  };
ASIOCTX_VALUES(append_t, append)
ASIOCTX_VALUES(prepend_t, prepend)
ASIOCTX_VALUES(consign_t, consign)
#undef ASIOCTX_VALUES

template <class T>
struct is_bound_token : std::false_type {};
template <class T>
struct is_bound_token<bound_token<T>> : std::true_type {};

// a(b(bind(ctx, token))) -> bind(ctx, a(b(token))), at any depth. Moves out of an rvalue, copies
// out of anything else.
template <class Raw>
auto peel(Raw&& token) {
  using type = std::remove_cv_t<std::remove_reference_t<Raw>>;
  if constexpr (is_bound_token<type>::value) {
    return type(std::forward<Raw>(token));
  } else {
    auto& in = adapter<type>::inner(token);
    using in_type = std::remove_reference_t<decltype(in)>;
    constexpr bool may_move =
        !std::is_lvalue_reference_v<Raw> && !std::is_const_v<std::remove_reference_t<Raw>>;
    auto bound = may_move ? peel(std::move(in)) : peel(static_cast<const in_type&>(in));
    auto wrapped = adapter<type>::wrap(std::forward<Raw>(token), std::move(bound.get_token()));
    const auto cancellation_type = bound.get_cancellation_type();
    return bound_token<decltype(wrapped)>(std::move(bound).take_context(), std::move(wrapped),
                                          cancellation_type);
  }
}

// async_result for a token with bind somewhere inside: that of the peeled token.
template <class Token, class Signature>
struct peeled_result : boost::asio::async_result<decltype(peel(std::declval<Token>())), Signature> {
  using peeled = decltype(peel(std::declval<Token>()));

  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& init, RawToken&& token, Args&&... args)
      -> decltype(boost::asio::async_initiate<peeled, Signature>(std::forward<Initiation>(init),
                                                                 std::declval<peeled&>(),
                                                                 std::forward<Args>(args)...)) {
    peeled p = peel(std::forward<RawToken>(token));
    return boost::asio::async_initiate<peeled, Signature>(std::forward<Initiation>(init), p,
                                                          std::forward<Args>(args)...);
  }
};

}  // namespace detail
}  // namespace asioctx

// Each adapter: its extra template parameters, numbered by depth so that nested ones differ, and
// its type around an inner token X.
#define ASIOCTX_P_executor_binder(n) , class E##n
#define ASIOCTX_T_executor_binder(n, X) executor_binder<X, E##n>
#define ASIOCTX_P_cancellation_slot_binder(n) , class S##n
#define ASIOCTX_T_cancellation_slot_binder(n, X) cancellation_slot_binder<X, S##n>
#define ASIOCTX_P_allocator_binder(n) , class A##n
#define ASIOCTX_T_allocator_binder(n, X) allocator_binder<X, A##n>
#define ASIOCTX_P_immediate_executor_binder(n) , class E##n
#define ASIOCTX_T_immediate_executor_binder(n, X) immediate_executor_binder<X, E##n>
#define ASIOCTX_P_as_tuple_t(n)
#define ASIOCTX_T_as_tuple_t(n, X) as_tuple_t<X>
#define ASIOCTX_P_redirect_error_t(n)
#define ASIOCTX_T_redirect_error_t(n, X) redirect_error_t<X>
#define ASIOCTX_P_append_t(n) , class... V##n
#define ASIOCTX_T_append_t(n, X) append_t<X, V##n...>
#define ASIOCTX_P_prepend_t(n) , class... V##n
#define ASIOCTX_T_prepend_t(n, X) prepend_t<X, V##n...>
#define ASIOCTX_P_consign_t(n) , class... V##n
#define ASIOCTX_T_consign_t(n, X) consign_t<X, V##n...>

// The list, once per depth: a macro is not expanded again inside its own expansion.
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#define ASIOCTX_IMMEDIATE_1(X, ...) X(__VA_ARGS__, immediate_executor_binder)
#define ASIOCTX_IMMEDIATE_2(X, ...) X(__VA_ARGS__, immediate_executor_binder)
#define ASIOCTX_IMMEDIATE_3(X, ...) X(__VA_ARGS__, immediate_executor_binder)
#else
#define ASIOCTX_IMMEDIATE_1(X, ...)
#define ASIOCTX_IMMEDIATE_2(X, ...)
#define ASIOCTX_IMMEDIATE_3(X, ...)
#endif
// clang-format off
#define ASIOCTX_EACH_1(X, ...)                                                                    \
  X(__VA_ARGS__, executor_binder) X(__VA_ARGS__, cancellation_slot_binder)                        \
  X(__VA_ARGS__, allocator_binder) X(__VA_ARGS__, as_tuple_t) X(__VA_ARGS__, redirect_error_t)    \
  X(__VA_ARGS__, append_t) X(__VA_ARGS__, prepend_t) X(__VA_ARGS__, consign_t) ASIOCTX_IMMEDIATE_1(X, __VA_ARGS__)
#define ASIOCTX_EACH_2(X, ...)                                                                    \
  X(__VA_ARGS__, executor_binder) X(__VA_ARGS__, cancellation_slot_binder)                        \
  X(__VA_ARGS__, allocator_binder) X(__VA_ARGS__, as_tuple_t) X(__VA_ARGS__, redirect_error_t)    \
  X(__VA_ARGS__, append_t) X(__VA_ARGS__, prepend_t) X(__VA_ARGS__, consign_t) ASIOCTX_IMMEDIATE_2(X, __VA_ARGS__)
#define ASIOCTX_EACH_3(X, ...)                                                                    \
  X(__VA_ARGS__, executor_binder) X(__VA_ARGS__, cancellation_slot_binder)                        \
  X(__VA_ARGS__, allocator_binder) X(__VA_ARGS__, as_tuple_t) X(__VA_ARGS__, redirect_error_t)    \
  X(__VA_ARGS__, append_t) X(__VA_ARGS__, prepend_t) X(__VA_ARGS__, consign_t) ASIOCTX_IMMEDIATE_3(X, __VA_ARGS__)

// async_result<a<b<c<bound_token<T>>>>, Signature>, the adapters' parameters declared in params.
#define ASIOCTX_UNPAREN(...) __VA_ARGS__
#define ASIOCTX_PEELED(params, ...)                       \
  template <class T ASIOCTX_UNPAREN params, class Signature> \
  struct async_result<__VA_ARGS__, Signature> : asioctx::detail::peeled_result<__VA_ARGS__, Signature> {};
#define ASIOCTX_BOUND asioctx::bound_token<T>
#define ASIOCTX_DEPTH_1(unused, a) ASIOCTX_PEELED((ASIOCTX_P_##a(1)), ASIOCTX_T_##a(1, ASIOCTX_BOUND))
#define ASIOCTX_DEPTH_2(a, b) \
  ASIOCTX_PEELED((ASIOCTX_P_##a(1) ASIOCTX_P_##b(2)), ASIOCTX_T_##a(1, ASIOCTX_T_##b(2, ASIOCTX_BOUND)))
#define ASIOCTX_DEPTH_3(a, b, c)                                            \
  ASIOCTX_PEELED((ASIOCTX_P_##a(1) ASIOCTX_P_##b(2) ASIOCTX_P_##c(3)), \
                 ASIOCTX_T_##a(1, ASIOCTX_T_##b(2, ASIOCTX_T_##c(3, ASIOCTX_BOUND))))
#define ASIOCTX_OUTER_2(unused, a) ASIOCTX_EACH_2(ASIOCTX_DEPTH_2, a)
#define ASIOCTX_OUTER_3(unused, a) ASIOCTX_EACH_2(ASIOCTX_MIDDLE_3, a)
#define ASIOCTX_MIDDLE_3(a, b) ASIOCTX_EACH_3(ASIOCTX_DEPTH_3, a, b)
// clang-format on

namespace boost {
namespace asio {

ASIOCTX_EACH_1(ASIOCTX_DEPTH_1, ~)
ASIOCTX_EACH_1(ASIOCTX_OUTER_2, ~)
ASIOCTX_EACH_1(ASIOCTX_OUTER_3, ~)

}  // namespace asio
}  // namespace boost

#undef ASIOCTX_P_executor_binder
#undef ASIOCTX_T_executor_binder
#undef ASIOCTX_P_cancellation_slot_binder
#undef ASIOCTX_T_cancellation_slot_binder
#undef ASIOCTX_P_allocator_binder
#undef ASIOCTX_T_allocator_binder
#undef ASIOCTX_P_immediate_executor_binder
#undef ASIOCTX_T_immediate_executor_binder
#undef ASIOCTX_P_as_tuple_t
#undef ASIOCTX_T_as_tuple_t
#undef ASIOCTX_P_redirect_error_t
#undef ASIOCTX_T_redirect_error_t
#undef ASIOCTX_P_append_t
#undef ASIOCTX_T_append_t
#undef ASIOCTX_P_prepend_t
#undef ASIOCTX_T_prepend_t
#undef ASIOCTX_P_consign_t
#undef ASIOCTX_T_consign_t
#undef ASIOCTX_IMMEDIATE_1
#undef ASIOCTX_IMMEDIATE_2
#undef ASIOCTX_IMMEDIATE_3
#undef ASIOCTX_EACH_1
#undef ASIOCTX_EACH_2
#undef ASIOCTX_EACH_3
#undef ASIOCTX_UNPAREN
#undef ASIOCTX_PEELED
#undef ASIOCTX_BOUND
#undef ASIOCTX_DEPTH_1
#undef ASIOCTX_DEPTH_2
#undef ASIOCTX_DEPTH_3
#undef ASIOCTX_OUTER_2
#undef ASIOCTX_OUTER_3
#undef ASIOCTX_MIDDLE_3

#endif  // ASIOCTX_DETAIL_ADAPTERS_HPP
