// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// What test/unit/context_light.cpp, a translation unit with no Asio header, offers the others.
#ifndef ASIOCTX_TEST_UNIT_CONTEXT_LIGHT_HPP
#define ASIOCTX_TEST_UNIT_CONTEXT_LIGHT_HPP

#include <asioctx/context.hpp>

#include <chrono>

namespace asioctx_test {

// asioctx::with_timeout(io, background(), t) and with_deadline(io, background(), now + t),
// written where io_context is only the name context.hpp declares.
asioctx::derived<asioctx::cancel_func> light_timeout(boost::asio::io_context& io,
                                                     std::chrono::milliseconds t);
asioctx::derived<asioctx::cancel_func> light_deadline(boost::asio::io_context& io,
                                                      std::chrono::milliseconds t);

}  // namespace asioctx_test

#endif
