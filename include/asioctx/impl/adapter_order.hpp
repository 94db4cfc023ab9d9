// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/adapter_order.hpp: async_result for Asio's adapters written outside bind().
//
// Each is more specialised than Asio's own (the token one or two adapters in is a bound_token),
// and rebuilds the token as bind(ctx, a(b(token))): see detail/adapter_order.hpp. The pairs are
// generated: every adapter outside every adapter, both orders.
//

#ifndef ASIOCTX_IMPL_ADAPTER_ORDER_HPP
#define ASIOCTX_IMPL_ADAPTER_ORDER_HPP

#include <asioctx/detail/adapter_order.hpp>

namespace asioctx {
namespace detail {

template <class Outer, class... Signatures>
struct swapped_async_result
    : boost::asio::async_result<decltype(peel(std::declval<Outer>())), Signatures...> {
  using swapped_token = decltype(peel(std::declval<Outer>()));

  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& init, RawToken&& token, Args&&... args)
      -> decltype(boost::asio::async_initiate<swapped_token, Signatures...>(std::forward<Initiation>(init),
                                                                            std::declval<swapped_token&>(),
                                                                            std::forward<Args>(args)...)) {
    swapped_token swapped = peel(std::forward<RawToken>(token));
    return boost::asio::async_initiate<swapped_token, Signatures...>(std::forward<Initiation>(init), swapped,
                                                                     std::forward<Args>(args)...);
  }
};

}  // namespace detail
}  // namespace asioctx

// Each adapter: its extra template parameters (outer and inner spellings, so that a pair has
// distinct names), and its type around an inner token X.
#define ASIOCTX_ADAPTER_PARAMS_executor_binder(n) , class E##n
#define ASIOCTX_ADAPTER_TYPE_executor_binder(n, X) executor_binder<X, E##n>
#define ASIOCTX_ADAPTER_PARAMS_cancellation_slot_binder(n) , class S##n
#define ASIOCTX_ADAPTER_TYPE_cancellation_slot_binder(n, X) cancellation_slot_binder<X, S##n>
#define ASIOCTX_ADAPTER_PARAMS_allocator_binder(n) , class A##n
#define ASIOCTX_ADAPTER_TYPE_allocator_binder(n, X) allocator_binder<X, A##n>
#define ASIOCTX_ADAPTER_PARAMS_immediate_executor_binder(n) , class E##n
#define ASIOCTX_ADAPTER_TYPE_immediate_executor_binder(n, X) immediate_executor_binder<X, E##n>
#define ASIOCTX_ADAPTER_PARAMS_as_tuple_t(n)
#define ASIOCTX_ADAPTER_TYPE_as_tuple_t(n, X) as_tuple_t<X>
#define ASIOCTX_ADAPTER_PARAMS_redirect_error_t(n)
#define ASIOCTX_ADAPTER_TYPE_redirect_error_t(n, X) redirect_error_t<X>
#define ASIOCTX_ADAPTER_PARAMS_append_t(n) , class... V##n
#define ASIOCTX_ADAPTER_TYPE_append_t(n, X) append_t<X, V##n...>
#define ASIOCTX_ADAPTER_PARAMS_prepend_t(n) , class... V##n
#define ASIOCTX_ADAPTER_TYPE_prepend_t(n, X) prepend_t<X, V##n...>
#define ASIOCTX_ADAPTER_PARAMS_consign_t(n) , class... V##n
#define ASIOCTX_ADAPTER_TYPE_consign_t(n, X) consign_t<X, V##n...>

#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#define ASIOCTX_ADAPTERS_IMMEDIATE(X, arg) X(arg, immediate_executor_binder)
#else
#define ASIOCTX_ADAPTERS_IMMEDIATE(X, arg)
#endif
// clang-format off
#define ASIOCTX_FOR_EACH_ADAPTER(X, arg)                                                \
  X(arg, executor_binder) X(arg, cancellation_slot_binder) X(arg, allocator_binder)     \
  X(arg, as_tuple_t) X(arg, redirect_error_t) X(arg, append_t) X(arg, prepend_t)        \
  X(arg, consign_t) ASIOCTX_ADAPTERS_IMMEDIATE(X, arg)
// clang-format on

#define ASIOCTX_BOUND asioctx::bound_token<T>

// adapter(bind(ctx, token))
#define ASIOCTX_ADAPTER_RESULT_1(unused, a)                                  \
  template <class T ASIOCTX_ADAPTER_PARAMS_##a(1), class Signature>          \
  struct async_result<ASIOCTX_ADAPTER_TYPE_##a(1, ASIOCTX_BOUND), Signature> \
      : asioctx::detail::swapped_async_result<ASIOCTX_ADAPTER_TYPE_##a(1, ASIOCTX_BOUND), Signature> {};

// outer(inner(bind(ctx, token)))
#define ASIOCTX_ADAPTER_RESULT_2(outer, inner)                                                            \
  template <class T ASIOCTX_ADAPTER_PARAMS_##inner(2) ASIOCTX_ADAPTER_PARAMS_##outer(1), class Signature> \
  struct async_result<ASIOCTX_ADAPTER_TYPE_##outer(1, ASIOCTX_ADAPTER_TYPE_##inner(2, ASIOCTX_BOUND)),    \
                      Signature>                                                                          \
      : asioctx::detail::swapped_async_result<                                                            \
            ASIOCTX_ADAPTER_TYPE_##outer(1, ASIOCTX_ADAPTER_TYPE_##inner(2, ASIOCTX_BOUND)), Signature> {};

namespace boost {
namespace asio {

ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_1, ~)
// One line per outer adapter (a macro cannot expand the list inside itself).
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, executor_binder)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, cancellation_slot_binder)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, allocator_binder)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, as_tuple_t)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, redirect_error_t)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, append_t)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, prepend_t)
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, consign_t)
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
ASIOCTX_FOR_EACH_ADAPTER(ASIOCTX_ADAPTER_RESULT_2, immediate_executor_binder)
#endif

}  // namespace asio
}  // namespace boost

#undef ASIOCTX_ADAPTER_RESULT_2
#undef ASIOCTX_ADAPTER_RESULT_1
#undef ASIOCTX_BOUND
#undef ASIOCTX_FOR_EACH_ADAPTER
#undef ASIOCTX_ADAPTERS_IMMEDIATE

#endif  // ASIOCTX_IMPL_ADAPTER_ORDER_HPP
