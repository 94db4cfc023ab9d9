// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The one private member test/support/internals.hpp cannot reach through detail::access.

#include "internals.hpp"

namespace asioctx_test {

slot_count_member slot_count = nullptr;

namespace {
// An explicit instantiation may name a private member; its static member hands it on at start-up.
template <slot_count_member M>
struct take {
  static const bool done;
};
template <slot_count_member M>
const bool take<M>::done = (slot_count = M, true);

template struct take<&asioctx::detail::exec_slot::count_>;
}  // namespace

}  // namespace asioctx_test
