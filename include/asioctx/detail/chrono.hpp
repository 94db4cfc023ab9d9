// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/chrono.hpp
//
// The library's one piece of time arithmetic: durations and deadlines that saturate instead of
// overflowing. `max()` of any duration means "no limit" and stays that way through every
// conversion and addition; a negative duration is a time already past.
//

#ifndef ASIOCTX_DETAIL_CHRONO_HPP
#define ASIOCTX_DETAIL_CHRONO_HPP

#include <chrono>
#include <limits>
#include <ratio>
#include <type_traits>

namespace asioctx {
namespace detail {

// d converted to To, clamped to [To::min(), To::max()] instead of wrapping. Fractions of To's
// tick are truncated towards zero, as duration_cast does.
template <class To, class Rep, class Period>
constexpr To saturating_cast(std::chrono::duration<Rep, Period> d) noexcept {
  using to_rep = typename To::rep;
  // Compared in long double: exact enough at the edges, and wide enough for any Rep.
  using wide = std::chrono::duration<long double, typename To::period>;
  const long double v = std::chrono::duration_cast<wide>(d).count();
  if (!(v == v)) return To::zero();  // NaN: no meaningful time
  if (v >= static_cast<long double>(std::numeric_limits<to_rep>::max())) return To::max();
  if (v <= static_cast<long double>(std::numeric_limits<to_rep>::lowest())) return To::min();
  if constexpr (std::is_floating_point_v<Rep>) {
    return To(static_cast<to_rep>(v));
  } else {
    // Integers that fit are converted exactly (long double may not hold 64 bits of them).
    return std::chrono::duration_cast<To>(d);
  }
}

// t + d, clamped to the time_point's range: time_point::max() means no deadline at all.
template <class Clock, class Duration, class Rep, class Period>
constexpr std::chrono::time_point<Clock, Duration> saturating_add(
    std::chrono::time_point<Clock, Duration> t, std::chrono::duration<Rep, Period> d) noexcept {
  using tp = std::chrono::time_point<Clock, Duration>;
  using rep = typename Duration::rep;
  if (t == tp::max()) return t;
  const Duration step = saturating_cast<Duration>(d);
  if (step == Duration::max()) return tp::max();
  if (step == Duration::min()) return tp::min();
  const rep base = t.time_since_epoch().count();
  const rep add = step.count();
  if (add > 0 && base > std::numeric_limits<rep>::max() - add) return tp::max();
  if (add < 0 && base < std::numeric_limits<rep>::lowest() - add) return tp::min();
  return tp(Duration(base + add));
}

// How long until deadline, seen at now: zero once it has passed, and To::max() when the gap is
// too wide for To (a deadline of time_point::max() is never reached).
template <class To, class Clock, class Duration>
constexpr To remaining(std::chrono::time_point<Clock, Duration> deadline,
                       std::chrono::time_point<Clock, Duration> now) noexcept {
  using rep = typename Duration::rep;
  if (deadline <= now) return To::zero();
  if (deadline == std::chrono::time_point<Clock, Duration>::max()) return To::max();
  const rep d = deadline.time_since_epoch().count();
  const rep n = now.time_since_epoch().count();
  if (n < 0 && d > std::numeric_limits<rep>::max() + n) return To::max();
  return saturating_cast<To>(Duration(d - n));
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_CHRONO_HPP
