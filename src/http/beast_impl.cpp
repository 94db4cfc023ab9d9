// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/beast_impl.cpp: Beast's compiled part, built once (ASIOCTX_SEPARATE_COMPILATION).
//

#include <boost/beast/src.hpp>
