// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx.hpp: the whole library.
//

#ifndef ASIOCTX_HPP
#define ASIOCTX_HPP

#include <asioctx/after_func.hpp>
#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>
#include <asioctx/context.hpp>
#include <asioctx/detail/config.hpp>
#include <asioctx/error.hpp>
#include <asioctx/version.hpp>

// C++20: std::stop_token both ways, and errgroup for coroutines.
#if ASIOCTX_HAS_COROUTINES
#include <asioctx/group.hpp>
#include <asioctx/stop_token.hpp>
#endif

#endif  // ASIOCTX_HPP
