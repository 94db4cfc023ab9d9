#!/usr/bin/env bash
# Builds and runs the demo program (example/demo.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIOCTX_SEPARATE_COMPILATION=ON >/dev/null
cmake --build build --target demo
./build/example/demo
