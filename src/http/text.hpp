// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/text.hpp: header-value text helpers, once for the module (internal; standard library
// only, for the fuzz target).
//

#ifndef ASIOCTX_SRC_HTTP_TEXT_HPP
#define ASIOCTX_SRC_HTTP_TEXT_HPP

#include <string_view>

namespace asioctx {
namespace http {
namespace detail {

// A std::string_view of any contiguous string type (Beast's string_view included).
template <class String>
std::string_view view(const String& s) noexcept {
  return {s.data(), s.size()};
}

// Without the optional whitespace (spaces and tabs) around a field value (RFC 9110 §5.5).
inline std::string_view trim_ows(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_TEXT_HPP
