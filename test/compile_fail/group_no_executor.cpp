// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Must not compile (DESIGN rule 13): a group has no I/O object and may have no task yet, so a
// plain callback says nothing of where to complete; group::async_wait refuses with a message
// saying how to write it rather than guessing system_executor. ctest checks the compiler's message.
#include <asioctx/group.hpp>

#include <exception>

int main() {
  asioctx::group g;
  g.async_wait([](std::exception_ptr) {});
}
