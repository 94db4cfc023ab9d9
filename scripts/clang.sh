#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Builds the library and the unit and stress tests with clang 14 (the other compiler DESIGN.md
# names) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
dir=build-clang
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DASIOCTX_NO_CONSUMER_TESTS=ON >/dev/null
cmake --build "$dir" -j "$(nproc)" --target asioctx_unit asioctx_stress
scripts/bounded.sh "$dir"/test/asioctx_unit --report_level=short
scripts/bounded.sh "$dir"/test/asioctx_stress --report_level=short
