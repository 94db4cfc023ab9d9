// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/text.hpp: the field-value helpers every reader of a header uses (internal).
//

#ifndef ASIOCTX_SRC_HTTP_TEXT_HPP
#define ASIOCTX_SRC_HTTP_TEXT_HPP

#include <boost/beast/core/string.hpp>

#include <string_view>

namespace asioctx {
namespace http {
namespace detail {

// Beast's string_view as the standard one.
inline std::string_view view(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

// v without its leading and trailing blanks (RFC 9110 §5.6.3's OWS).
inline std::string_view trim(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_TEXT_HPP
