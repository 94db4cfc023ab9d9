// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/exception.hpp: the error_code an exception_ptr holds, read once here.
//

#ifndef ASIOCTX_DETAIL_EXCEPTION_HPP
#define ASIOCTX_DETAIL_EXCEPTION_HPP

#include <asioctx/error.hpp>

#include <boost/system/system_error.hpp>

#include <exception>
#include <system_error>

namespace asioctx {
namespace detail {

// The code of a boost::system::system_error or a std::system_error (as a Boost error_code, which
// keeps a std::error_code's category); {} for a null pointer or any other exception.
inline error_code error_code_of(const std::exception_ptr& e) noexcept {
  if (!e) return error_code();
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& x) {
    return x.code();
  } catch (const std::system_error& x) {
    return error_code(x.code());
  } catch (...) {
  }
  return error_code();
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_EXCEPTION_HPP
