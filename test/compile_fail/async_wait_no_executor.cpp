// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Must not compile (DESIGN rule 13): async_wait has no I/O object, so a plain callback says
// nothing of where to complete; async_wait refuses with a message saying how to write it rather
// than guessing system_executor. ctest checks the compiler's message.
#include <asioctx/async_wait.hpp>

int main() {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  asioctx::async_wait(ctx, [](asioctx::error_code) {});
}
