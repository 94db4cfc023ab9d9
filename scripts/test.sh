#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Builds and runs every test: the unit tests, the examples and the CMake consumers through ctest,
# then the b2 build (library, unit tests in C++17, demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/check_license.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIOCTX_SEPARATE_COMPILATION=ON >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest --output-on-failure -j "$jobs")

echo "== b2 (C++17)"
b2 -j"$jobs" -q cxxstd=17
