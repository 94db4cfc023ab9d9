// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/config.hpp
//
// Every decision on what the compiler, the standard library, the platform and the Boost.Asio in
// use offer, made once here: Boost 1.81 (Asio 1.26) is the floor.
//

#ifndef ASIOCTX_DETAIL_CONFIG_HPP
#define ASIOCTX_DETAIL_CONFIG_HPP

#include <boost/asio/version.hpp>

#include <ctime>

// Asio 1.28 (Boost 1.82) added associated immediate executors and bind_immediate_executor.
#if BOOST_ASIO_VERSION >= 102800
#define ASIOCTX_HAS_IMMEDIATE_EXECUTOR 1
#else
#define ASIOCTX_HAS_IMMEDIATE_EXECUTOR 0
#endif

// Newer Asio has inline_executor (Boost 1.81 does not): looked for by its header.
#if __has_include(<boost/asio/inline_executor.hpp>)
#define ASIOCTX_HAS_INLINE_EXECUTOR 1
#else
#define ASIOCTX_HAS_INLINE_EXECUTOR 0
#endif

// C++20: std::stop_token interop (stop_token.hpp) and group (group.hpp) need it; the umbrella
// header asioctx.hpp includes them where coroutines are there too.
#if __cplusplus >= 202002L
#define ASIOCTX_HAS_CXX20 1
#else
#define ASIOCTX_HAS_CXX20 0
#endif
#if ASIOCTX_HAS_CXX20 && defined(__cpp_impl_coroutine)
#define ASIOCTX_HAS_COROUTINES 1
#else
#define ASIOCTX_HAS_COROUTINES 0
#endif

// A coarse reading of the steady clock (a few ns, where the precise one costs about 25): Linux's
// CLOCK_MONOTONIC_COARSE, the same clock as libstdc++'s steady_clock (CLOCK_MONOTONIC).
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE) && defined(__GLIBCXX__)
#define ASIOCTX_HAS_COARSE_STEADY_CLOCK 1
#else
#define ASIOCTX_HAS_COARSE_STEADY_CLOCK 0
#endif

// A function the bound path needs inlined where the compiler's size heuristics would not.
#if defined(__GNUC__) || defined(__clang__)
#define ASIOCTX_DETAIL_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define ASIOCTX_DETAIL_ALWAYS_INLINE __forceinline
#else
#define ASIOCTX_DETAIL_ALWAYS_INLINE inline
#endif

namespace asioctx {
namespace detail {

// A hint that *p is about to be used (written, mostly): the one prefetch of the library. A wrong
// or null address costs nothing; compilers without the builtin ignore it.
inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1);
#else
  (void)p;
#endif
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_CONFIG_HPP
