// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// <asioctx/context.hpp> declares after_func but leaves its body to <asioctx/after_func.hpp>: a call
// without that header must stop at a message naming it (not at a link error).

#include <asioctx/context.hpp>

#include <boost/asio/io_context.hpp>

int main() {
  boost::asio::io_context io;
  asioctx::after_func(asioctx::background(), io, [] {});
}
