// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/error.hpp
//
// Why the HTTP module cancels a request context: the client went away, or the server is
// shutting down and the grace period ran out.
//

#ifndef ASIOCTX_HTTP_ERROR_HPP
#define ASIOCTX_HTTP_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace asioctx {
namespace http {

/// Causes (asioctx::cause()) the server gives the request contexts it cancels.
enum class error {
  /// The client closed or reset the connection while its request was being handled.
  client_disconnected = 1,
  /// The server shut down and the grace period for in-flight requests ran out.
  shutting_down = 2,
};

/// The category of asioctx::http::error; its name() is "asioctx.http".
const boost::system::error_category& http_category() noexcept;

/// Makes an error_code from an asioctx::http::error (found by ADL).
inline boost::system::error_code make_error_code(error e) noexcept {
  return boost::system::error_code(static_cast<int>(e), http_category());
}

}  // namespace http
}  // namespace asioctx

namespace boost {
namespace system {
template <>
struct is_error_code_enum<asioctx::http::error> : std::true_type {};
}  // namespace system
}  // namespace boost

#endif  // ASIOCTX_HTTP_ERROR_HPP
