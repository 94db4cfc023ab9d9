// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/version.hpp
//
// The library's version, as Boost's own: ASIOCTX_VERSION % 100 is the patch level,
// ASIOCTX_VERSION / 100 % 1000 the minor version and ASIOCTX_VERSION / 100000 the major version.
// CMake's project version is read from this file.
//

#ifndef ASIOCTX_VERSION_HPP
#define ASIOCTX_VERSION_HPP

#define ASIOCTX_VERSION_MAJOR 0
#define ASIOCTX_VERSION_MINOR 1
#define ASIOCTX_VERSION_PATCH 0

/// The version as one number: major * 100000 + minor * 100 + patch (0.1.0 is 100).
#define ASIOCTX_VERSION (ASIOCTX_VERSION_MAJOR * 100000 + ASIOCTX_VERSION_MINOR * 100 + ASIOCTX_VERSION_PATCH)

#define ASIOCTX_DETAIL_STRINGIZE_(x) #x
#define ASIOCTX_DETAIL_STRINGIZE(x) ASIOCTX_DETAIL_STRINGIZE_(x)

/// The version as a string, "major.minor.patch".
#define ASIOCTX_VERSION_STRING                    \
  ASIOCTX_DETAIL_STRINGIZE(ASIOCTX_VERSION_MAJOR) \
  "." ASIOCTX_DETAIL_STRINGIZE(ASIOCTX_VERSION_MINOR) "." ASIOCTX_DETAIL_STRINGIZE(ASIOCTX_VERSION_PATCH)

#endif  // ASIOCTX_VERSION_HPP
