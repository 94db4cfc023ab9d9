#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Builds and runs the tests and examples against another Asio placed before Debian's Boost:
#   scripts/newest_asio.sh /path/to/asio/include [BUILD_DIR]
# where the directory holds boost/asio.hpp (a checkout of boostorg/asio's include/). Nothing of
# it is copied into this tree. CI stays on Debian's Boost 1.81; this is the check of the newest.
set -euo pipefail
cd "$(dirname "$0")/.."
asio=${1:?usage: scripts/newest_asio.sh ASIO_INCLUDE_DIR [BUILD_DIR]}
build=${2:-build-newest-asio}
[ -f "$asio/boost/asio/version.hpp" ] || { echo "no boost/asio/version.hpp under $asio" >&2; exit 1; }
scripts/deps.sh
echo "Asio $(sed -n 's/^#define BOOST_ASIO_VERSION \([0-9]*\).*/\1/p' "$asio/boost/asio/version.hpp") from $asio"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIOCTX_SEPARATE_COMPILATION=ON \
  -DCMAKE_CXX_FLAGS="-I$(cd "$asio" && pwd)" -DASIOCTX_NO_CONSUMER_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)")
