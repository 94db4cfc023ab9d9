// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/after_func.hpp
//
// Go's context.AfterFunc: a function posted to an executor once a context is done, and the
// stop_func that prevents it. <asioctx/context.hpp> declares both (and stays free of Asio); this
// header has after_func's body, which holds the function as an Asio handler: include it where
// after_func is called.
//

#ifndef ASIOCTX_AFTER_FUNC_HPP
#define ASIOCTX_AFTER_FUNC_HPP

#include <asioctx/context.hpp>

#include <asioctx/impl/after_func.hpp>

#endif  // ASIOCTX_AFTER_FUNC_HPP
