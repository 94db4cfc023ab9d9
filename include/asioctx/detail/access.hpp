// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/access.hpp
//
// The one door from the library's internals (and its tests) to the private parts of the public
// classes: context's node, the cancel functions' construction.
//

#ifndef ASIOCTX_DETAIL_ACCESS_HPP
#define ASIOCTX_DETAIL_ACCESS_HPP

#include <utility>

namespace asioctx {
namespace detail {

class node;

struct access {
  // The node behind a context (null for background()).
  template <class Context>
  static node* get(const Context& c) noexcept {
    return c.node_;
  }
  // Takes over a context's reference to its node, leaving the context background().
  template <class Context>
  static node* steal(Context& c) noexcept {
    return std::exchange(c.node_, nullptr);
  }
  // A context, cancel function or stop_func owning one reference to the object given.
  template <class T, class... Args>
  static T make(Args&&... args) noexcept {
    return T(std::forward<Args>(args)...);
  }
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_ACCESS_HPP
