// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/error.hpp
//
// Error codes a context reports: Go's context.Canceled and context.DeadlineExceeded as a
// boost::system category, so they flow through Asio completion handlers unchanged.
//

#ifndef ASIOCTX_ERROR_HPP
#define ASIOCTX_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace asioctx {

/// The error type every asioctx function reports: Boost.Asio's own.
using error_code = boost::system::error_code;

/// Why a context is done. Values compare equal to the matching `std::errc` conditions.
enum class error {
  /// The context was cancelled ("context canceled"); equivalent to `std::errc::operation_canceled`.
  canceled = 1,
  /// The context's deadline passed ("context deadline exceeded"); equivalent to `std::errc::timed_out`.
  deadline_exceeded = 2,
};

/// The category of asioctx::error; its name() is "asioctx".
const boost::system::error_category& category() noexcept;

/// Makes an error_code from an asioctx::error (found by ADL).
inline error_code make_error_code(error e) noexcept { return error_code(static_cast<int>(e), category()); }

}  // namespace asioctx

namespace boost {
namespace system {
template <>
struct is_error_code_enum<asioctx::error> : std::true_type {};
}  // namespace system
}  // namespace boost

#endif  // ASIOCTX_ERROR_HPP
