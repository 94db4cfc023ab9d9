// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/config.hpp
//
// What the Boost.Asio in use offers, decided once: Boost 1.81 (Asio 1.26) is the floor.
//

#ifndef ASIOCTX_DETAIL_CONFIG_HPP
#define ASIOCTX_DETAIL_CONFIG_HPP

#include <boost/asio/version.hpp>

// Asio 1.28 (Boost 1.82) added associated immediate executors and bind_immediate_executor.
#if BOOST_ASIO_VERSION >= 102800
#define ASIOCTX_HAS_IMMEDIATE_EXECUTOR 1
#else
#define ASIOCTX_HAS_IMMEDIATE_EXECUTOR 0
#endif

#endif  // ASIOCTX_DETAIL_CONFIG_HPP
