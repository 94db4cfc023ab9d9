// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/access.hpp
//
// The one door to private parts: the library's internals reach context's node and the cancel
// functions' construction through it; the tree's node classes befriend it too, so that code
// outside the library that must look inside (the tests, test/support/internals.hpp) does it here
// and nowhere else.
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
  // For code outside the library that must read private state: it specialises door for a key
  // type of its own, and the specialisation, a member of access, has access's rights. The library
  // itself never specialises it.
  template <class Key>
  struct door;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_ACCESS_HPP
