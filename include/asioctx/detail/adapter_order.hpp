// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/adapter_order.hpp
//
// bind() in any position among Asio's adapters. An adapter written outside bind,
// `adapter(bind(ctx, token))`, is rewritten at initiation as `bind(ctx, adapter(token))`, which
// means the same thing for every adapter here:
// - bind then sees the operation's own initiation, so it knows the executor the operation
//   completes on (on Boost 1.81 the adapters' initiation wrappers hide it);
// - it sees the signature before the adapter changes it, so operation_aborted is translated into
//   the context's error before redirect_error stores it or as_tuple packs it;
// - a slot bound outside is forwarded like one bound inside.
// Each adapter needs a partial specialisation of async_result, more specialised than Asio's own.
//

#ifndef ASIOCTX_DETAIL_ADAPTER_ORDER_HPP
#define ASIOCTX_DETAIL_ADAPTER_ORDER_HPP

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

// For each adapter: where its inner token is, and how to put the adapter around another token.
template <class Outer>
struct adapter_swap;

// The binders keep their target behind get(); the others in a public token_.
struct binder_inner {
  template <class O>
  static auto& inner(O& o) noexcept {
    return o.get();
  }
};
struct member_inner {
  template <class O>
  static auto& inner(O& o) noexcept {
    return o.token_;
  }
};

template <class T, class E>
struct adapter_swap<boost::asio::executor_binder<T, E>> : binder_inner {
  template <class O, class U>
  static auto rewrap(O&& o, U&& u) {
    return boost::asio::bind_executor(o.get_executor(), std::forward<U>(u));
  }
};

template <class T, class S>
struct adapter_swap<boost::asio::cancellation_slot_binder<T, S>> : binder_inner {
  template <class O, class U>
  static auto rewrap(O&& o, U&& u) {
    return boost::asio::bind_cancellation_slot(o.get_cancellation_slot(), std::forward<U>(u));
  }
};

template <class T, class A>
struct adapter_swap<boost::asio::allocator_binder<T, A>> : binder_inner {
  template <class O, class U>
  static auto rewrap(O&& o, U&& u) {
    return boost::asio::bind_allocator(o.get_allocator(), std::forward<U>(u));
  }
};

#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
template <class T, class E>
struct adapter_swap<boost::asio::immediate_executor_binder<T, E>> : binder_inner {
  template <class O, class U>
  static auto rewrap(O&& o, U&& u) {
    return boost::asio::bind_immediate_executor(o.get_immediate_executor(), std::forward<U>(u));
  }
};
#endif

template <class T>
struct adapter_swap<boost::asio::as_tuple_t<T>> : member_inner {
  template <class O, class U>
  static auto rewrap(O&&, U&& u) {
    return boost::asio::as_tuple(std::forward<U>(u));
  }
};

template <class T>
struct adapter_swap<boost::asio::redirect_error_t<T>> : member_inner {
  template <class O, class U>
  static auto rewrap(O&& o, U&& u) {
    return boost::asio::redirect_error(std::forward<U>(u), o.ec_);
  }
};

// append, prepend and consign carry values: moved along when the adapter is an rvalue.
template <class O, class U, class Make>
auto rewrap_with_values(O&& o, U&& u, Make make) {
  return std::apply([&](auto&&... v) { return make(std::forward<U>(u), std::forward<decltype(v)>(v)...); },
                    std::forward<O>(o).values_);
}

#define ASIOCTX_VALUE_ADAPTER_SWAP(adapter, make)                                         \
  template <class T, class... V>                                                          \
  struct adapter_swap<boost::asio::adapter<T, V...>> : member_inner {                     \
    template <class O, class U>                                                           \
    static auto rewrap(O&& o, U&& u) {                                                    \
      return rewrap_with_values(std::forward<O>(o), std::forward<U>(u), [](auto&&... a) { \
        return boost::asio::make(std::forward<decltype(a)>(a)...);                        \
      });                                                                                 \
    }                                                                                     \
  };
ASIOCTX_VALUE_ADAPTER_SWAP(append_t, append)
ASIOCTX_VALUE_ADAPTER_SWAP(prepend_t, prepend)
ASIOCTX_VALUE_ADAPTER_SWAP(consign_t, consign)
#undef ASIOCTX_VALUE_ADAPTER_SWAP

template <class T>
struct is_bound_token : std::false_type {};
template <class T>
struct is_bound_token<bound_token<T>> : std::true_type {};

// The inner token of an adapter passed as Raw, forwarded as Raw is.
template <class Raw, class Inner>
decltype(auto) forward_inner(Inner& inner) noexcept {
  if constexpr (std::is_lvalue_reference_v<Raw> || std::is_const_v<std::remove_reference_t<Raw>>)
    return static_cast<const Inner&>(inner);
  else
    return std::move(inner);
}

// Peels adapters down to the bound token, recursively, and puts them back inside it:
// a(b(bind(ctx, token))) -> bind(ctx, a(b(token))). Moves out of an rvalue, copies otherwise.
template <class Raw>
auto peel(Raw&& token) {
  using type = std::remove_cv_t<std::remove_reference_t<Raw>>;
  if constexpr (is_bound_token<type>::value) {
    return type(std::forward<Raw>(token));
  } else {
    using swap = adapter_swap<type>;
    auto inner = peel(forward_inner<Raw>(swap::inner(token)));
    auto wrapped = swap::rewrap(std::forward<Raw>(token), std::move(inner.get_token()));
    const auto cancellation_type = inner.get_cancellation_type();
    return bound_token<decltype(wrapped)>(std::move(inner).take_context(), std::move(wrapped),
                                          cancellation_type);
  }
}

template <class Outer, class... Signatures>
struct swapped_async_result;

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_ADAPTER_ORDER_HPP
