// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/arm_site.hpp
//
// Where the executor-first with_deadline/with_timeout arm a deadline, found with no Asio header,
// so that <asioctx/context.hpp> stays light: the execution context, and of what kind, so that the
// deadline service can make its timer's executor from the context itself (src/executor_first.cpp)
// and keep no executor of the caller's. An execution context is its own site; a strand is
// unwrapped to the executor under it; an executor answers its context() member, which every Asio
// executor has (io_context's and thread_pool's, tracked or not, system_executor,
// io_context::strand). any_io_executor is passed as it is (its target is unknown here).
//

#ifndef ASIOCTX_DETAIL_ARM_SITE_HPP
#define ASIOCTX_DETAIL_ARM_SITE_HPP

#if defined(BOOST_ASIO_NO_TS_EXECUTORS)
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#endif

#include <type_traits>
#include <utility>

namespace boost {
namespace asio {
class execution_context;
class io_context;
class thread_pool;
class system_context;
#if !defined(BOOST_ASIO_USE_TS_EXECUTOR_AS_DEFAULT)
class any_io_executor;
#endif
}  // namespace asio
}  // namespace boost

namespace asioctx {

class context;

namespace detail {

template <class... T>
inline constexpr bool always_false = false;

// The execution context a deadline is armed on, as the most derived of the types the deadline
// service knows how to make an executor of: `where` points to an object of that type.
struct arm_site {
  enum class kind : unsigned char { other, io_context, thread_pool, system_context, any_io_executor };
  kind k;
  void* where;
};

// Arms c's deadline at once on the site's deadline service (src/executor_first.cpp).
void arm_at_once(const context& c, arm_site site);

template <class T, class To>
inline constexpr bool is_ref_to = std::is_convertible_v<T&, To&>;

template <class T>
inline constexpr bool is_any_io_executor =
#if !defined(BOOST_ASIO_USE_TS_EXECUTOR_AS_DEFAULT)
    std::is_same_v<std::remove_const_t<T>, boost::asio::any_io_executor>;
#else
    false;
#endif

template <class T, class = void>
struct has_context_member : std::false_type {};
template <class T>
struct has_context_member<T, std::void_t<decltype(std::declval<const T&>().context())>>
    : std::is_convertible<decltype(std::declval<const T&>().context()), boost::asio::execution_context&> {};

template <class T, class = void>
struct has_inner_executor_member : std::false_type {};
template <class T>
struct has_inner_executor_member<T, std::void_t<decltype(std::declval<const T&>().get_inner_executor())>>
    : std::true_type {};

struct no_work {
  void operator()() const noexcept {}
};
template <class T, class = void>
struct has_execute_member : std::false_type {};
template <class T>
struct has_execute_member<T, std::void_t<decltype(std::declval<const T&>().execute(no_work()))>>
    : std::true_type {};

// An execution context, the three Asio's own known by name too (an io_context& may be passed
// where only this file's declaration of it is seen).
template <class T>
inline constexpr bool is_execution_context =
    is_ref_to<T, boost::asio::io_context> || is_ref_to<T, boost::asio::thread_pool> ||
    is_ref_to<T, boost::asio::system_context> || is_ref_to<T, boost::asio::execution_context>;

// What the executor-first forms accept: an execution context, or something shaped like an
// executor (one this file cannot place meets the message in arm_on).
template <class T>
struct is_executor_or_context
    : std::bool_constant<is_execution_context<T> || is_any_io_executor<T> || has_context_member<T>::value ||
                         has_inner_executor_member<T>::value || has_execute_member<T>::value> {};

#if defined(BOOST_ASIO_NO_TS_EXECUTORS)
inline constexpr bool can_query_context = true;
#else
inline constexpr bool can_query_context = false;
#endif

template <class T>
void arm_on(const context& c, T& t) {
  using kind = arm_site::kind;
  if constexpr (is_ref_to<T, boost::asio::io_context>) {
    arm_at_once(c, {kind::io_context, static_cast<boost::asio::io_context*>(&t)});
  } else if constexpr (is_ref_to<T, boost::asio::thread_pool>) {
    arm_at_once(c, {kind::thread_pool, static_cast<boost::asio::thread_pool*>(&t)});
  } else if constexpr (is_ref_to<T, boost::asio::system_context>) {
    arm_at_once(c, {kind::system_context, static_cast<boost::asio::system_context*>(&t)});
  } else if constexpr (is_ref_to<T, boost::asio::execution_context>) {
    arm_at_once(c, {kind::other, static_cast<boost::asio::execution_context*>(&t)});
  } else if constexpr (is_any_io_executor<T>) {
    arm_at_once(c, {kind::any_io_executor, const_cast<std::remove_const_t<T>*>(&t)});
  } else if constexpr (has_inner_executor_member<T>::value) {
    auto inner = t.get_inner_executor();  // a strand: the executor under it
    arm_on(c, inner);
  } else if constexpr (has_context_member<T>::value) {
    auto& ctx = t.context();
    arm_on(c, ctx);
  } else {
    static_assert(can_query_context || always_false<T>,
                  "asioctx: this executor has no context() member function; pass its execution "
                  "context instead: asioctx::with_timeout(boost::asio::query(ex, "
                  "boost::asio::execution::context), parent, t)");
#if defined(BOOST_ASIO_NO_TS_EXECUTORS)
    auto& ctx = boost::asio::query(t, boost::asio::execution::context);
    arm_on(c, ctx);
#endif
  }
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_ARM_SITE_HPP
