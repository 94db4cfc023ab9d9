// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http.hpp: the Beast HTTP module (C++20) — request contexts for servers and clients.
//

#ifndef ASIOCTX_HTTP_HPP
#define ASIOCTX_HTTP_HPP

#include <asioctx/http/client.hpp>
#include <asioctx/http/client_pool.hpp>
#include <asioctx/http/error.hpp>
#include <asioctx/http/metrics.hpp>
#include <asioctx/http/request_scope.hpp>
#include <asioctx/http/server.hpp>
#include <asioctx/http/timeout_header.hpp>

#endif  // ASIOCTX_HTTP_HPP
