// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Must not compile (DESIGN rule 7): a post to no executor, bound to a handler that has none,
// says nothing of where the operation completes, so bind() refuses with a message saying how to
// write it rather than guessing system_executor. ctest checks the compiler's message.
#include <asioctx/bind.hpp>

#include <boost/asio/post.hpp>

int main() {
  auto [ctx, cancel] = asioctx::with_cancel(asioctx::background());
  boost::asio::post(asioctx::bind(ctx, [] {}));
}
