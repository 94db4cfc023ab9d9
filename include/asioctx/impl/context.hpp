// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/context.hpp: template bodies of context.hpp.
//

#ifndef ASIOCTX_IMPL_CONTEXT_HPP
#define ASIOCTX_IMPL_CONTEXT_HPP

#include <asioctx/detail/arm_site.hpp>
#include <asioctx/detail/chrono.hpp>

#include <type_traits>
#include <utility>

namespace asioctx {

template <class T>
const T* context::value(const key<T>& k) const noexcept {
  for (const detail::node* n = node_; n != nullptr; n = n->parent()) {
    if (n->kind() == detail::node_kind::value) {
      auto* v = static_cast<const detail::value_node_base*>(n);
      if (v->key() == &k) return static_cast<const T*>(v->value());
    }
  }
  return nullptr;
}

template <class T, class V>
context with_value(const context& parent, const key<T>& k, V&& v) {
  detail::node* p = detail::access::get(parent);
  auto* n = new detail::value_node<T>(p, &k, k.name(), std::forward<V>(v));
  if (p != nullptr) p->add_ref();  // after construction, so a throwing T leaks nothing
  return detail::access::make<context>(static_cast<detail::node*>(n));
}

namespace detail {
// The executor-first forms: the deadline is waited on from now, on ex's execution context,
// whose deadline service makes its timer's executor from the context (detail/arm_site.hpp).
template <class Executor>
derived<cancel_func> armed_at_once(derived<cancel_func> r, Executor& ex) {
  arm_on(r.ctx, ex);
  return r;
}

// after_func's body is in <asioctx/after_func.hpp>, which declares the better-matching
// start_after_func(after_func_tag, ...); argument-dependent lookup finds it where after_func is
// instantiated. Without that header this one is all there is, and says what to include.
struct after_func_fallback {};
struct after_func_tag : after_func_fallback {};

template <class Executor, class F>
stop_func start_after_func(after_func_fallback, const context&, Executor&, F&) {
  static_assert(always_false<Executor, F>,
                "asioctx::after_func: #include <asioctx/after_func.hpp> (or <asioctx.hpp>) to call it; "
                "<asioctx/context.hpp> only declares it, so that it stays free of Asio");
  return stop_func();
}
}  // namespace detail

template <class Executor, class F>
stop_func after_func(const context& c, Executor&& ex, F f) {
  return start_after_func(detail::after_func_tag(), c, ex, f);
}

template <class Executor, class>
derived<cancel_func> with_deadline(Executor&& ex, const context& parent, clock::time_point d,
                                   const source_location& where) {
  return detail::armed_at_once(with_deadline(parent, d, where), ex);
}

template <class Rep, class Period>
derived<cancel_func> with_timeout(const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where) {
  return with_deadline_cause(parent, detail::saturating_add(clock::now(), t), error_code(), where);
}

template <class Rep, class Period>
derived<cancel_func> with_timeout_cause(const context& parent, std::chrono::duration<Rep, Period> t,
                                        error_code cause, const source_location& where) {
  return with_deadline_cause(parent, detail::saturating_add(clock::now(), t), cause, where);
}

template <class Executor, class Rep, class Period, class>
derived<cancel_func> with_timeout(Executor&& ex, const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where) {
  return detail::armed_at_once(with_timeout(parent, t, where), ex);
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_CONTEXT_HPP
