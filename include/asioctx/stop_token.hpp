// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/stop_token.hpp
//
// std::stop_token both ways (C++20): a stop request cancels a context, and a context gives a
// stop_token that is stopped when the context is done. So contexts compose with std::jthread,
// std::stop_callback and everything built on them.
//

#ifndef ASIOCTX_STOP_TOKEN_HPP
#define ASIOCTX_STOP_TOKEN_HPP

#include <asioctx/detail/config.hpp>

#if !ASIOCTX_HAS_CXX20
#error "asioctx/stop_token.hpp needs C++20"
#endif

#include <asioctx/context.hpp>

#include <stop_token>

namespace asioctx {

/// A child of parent that is cancelled (error::canceled) once st is stopped.
/**
 * Born cancelled if st is stopped already. `where` is recorded as the context's cancel_site()
 * when the stop request is what ends it. The stop_callback registered on st is unregistered
 * when the context is released (every handle, cancel function and bound operation gone), so a
 * long-lived stop_token accumulates nothing.
 *
 * @par Thread safety
 * st may be stopped from any thread; the context is cancelled inline on that thread.
 */
derived<cancel_func> with_stop_token(const context& parent, std::stop_token st,
                                     const source_location& where = BOOST_CURRENT_LOCATION);

/// A stop_token whose stop is requested when c becomes done.
/**
 * The stop is requested inline on the thread that makes c done: the one calling a cancel
 * function, or running the deadline's timer when it fires (the deadline is armed by whatever
 * waits on c; use the executor overload to arm it). Already requested if c is done;
 * `stop_possible()` is false for a context that can never be done (background(),
 * without_cancel()). Every call for one context shares one stop state.
 *
 * @par Thread safety
 * Any thread.
 */
std::stop_token get_stop_token(const context& c);

/// As get_stop_token(c), and arms c's deadline on ex (an executor or an execution context), so
/// that the stop is requested when the deadline passes even with nothing else bound to c.
/**
 * The armed deadline is pending work on ex, as with the executor-first with_timeout.
 */
template <class Executor>
std::stop_token get_stop_token(Executor&& ex, const context& c);

}  // namespace asioctx

#include <asioctx/impl/stop_token.hpp>

#endif  // ASIOCTX_STOP_TOKEN_HPP
