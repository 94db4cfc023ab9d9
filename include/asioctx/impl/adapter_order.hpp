// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/adapter_order.hpp: async_result for Asio's adapters written outside bind().
//
// Each is more specialised than Asio's own (the inner token is a bound_token), and rebuilds the
// token as bind(ctx, adapter(token)): see detail/adapter_order.hpp.
//

#ifndef ASIOCTX_IMPL_ADAPTER_ORDER_HPP
#define ASIOCTX_IMPL_ADAPTER_ORDER_HPP

#include <asioctx/detail/adapter_order.hpp>

namespace asioctx {
namespace detail {

template <class Outer, class... Signatures>
struct swapped_async_result
    : boost::asio::async_result<decltype(swap_adapter<Outer>(std::declval<Outer>())), Signatures...> {
  using swapped_token = decltype(swap_adapter<Outer>(std::declval<Outer>()));

  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& init, RawToken&& token, Args&&... args)
      -> decltype(boost::asio::async_initiate<swapped_token, Signatures...>(std::forward<Initiation>(init),
                                                                            std::declval<swapped_token&>(),
                                                                            std::forward<Args>(args)...)) {
    swapped_token swapped = swap_adapter<Outer>(std::forward<RawToken>(token));
    return boost::asio::async_initiate<swapped_token, Signatures...>(std::forward<Initiation>(init), swapped,
                                                                     std::forward<Args>(args)...);
  }
};

}  // namespace detail
}  // namespace asioctx

namespace boost {
namespace asio {

template <class T, class E, class Signature>
struct async_result<executor_binder<asioctx::bound_token<T>, E>, Signature>
    : asioctx::detail::swapped_async_result<executor_binder<asioctx::bound_token<T>, E>, Signature> {};

template <class T, class S, class Signature>
struct async_result<cancellation_slot_binder<asioctx::bound_token<T>, S>, Signature>
    : asioctx::detail::swapped_async_result<cancellation_slot_binder<asioctx::bound_token<T>, S>, Signature> {
};

template <class T, class A, class Signature>
struct async_result<allocator_binder<asioctx::bound_token<T>, A>, Signature>
    : asioctx::detail::swapped_async_result<allocator_binder<asioctx::bound_token<T>, A>, Signature> {};

#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
template <class T, class E, class Signature>
struct async_result<immediate_executor_binder<asioctx::bound_token<T>, E>, Signature>
    : asioctx::detail::swapped_async_result<immediate_executor_binder<asioctx::bound_token<T>, E>,
                                            Signature> {};
#endif

template <class T, class Signature>
struct async_result<as_tuple_t<asioctx::bound_token<T>>, Signature>
    : asioctx::detail::swapped_async_result<as_tuple_t<asioctx::bound_token<T>>, Signature> {};

template <class T, class Signature>
struct async_result<redirect_error_t<asioctx::bound_token<T>>, Signature>
    : asioctx::detail::swapped_async_result<redirect_error_t<asioctx::bound_token<T>>, Signature> {};

template <class T, class... V, class Signature>
struct async_result<append_t<asioctx::bound_token<T>, V...>, Signature>
    : asioctx::detail::swapped_async_result<append_t<asioctx::bound_token<T>, V...>, Signature> {};

template <class T, class... V, class Signature>
struct async_result<prepend_t<asioctx::bound_token<T>, V...>, Signature>
    : asioctx::detail::swapped_async_result<prepend_t<asioctx::bound_token<T>, V...>, Signature> {};

template <class T, class... V, class Signature>
struct async_result<consign_t<asioctx::bound_token<T>, V...>, Signature>
    : asioctx::detail::swapped_async_result<consign_t<asioctx::bound_token<T>, V...>, Signature> {};

}  // namespace asio
}  // namespace boost

#endif  // ASIOCTX_IMPL_ADAPTER_ORDER_HPP
