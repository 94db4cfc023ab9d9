#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Builds the unit, stress and HTTP tests with a sanitizer and runs them: `sanitize.sh thread` or `sanitize.sh address`
# (AddressSanitizer with UndefinedBehaviorSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: sanitize.sh thread|address}
scripts/deps.sh
# Optimisation and debug info are kept low: the instrumented builds compile Asio's templates three to
# four times faster at -O1 (ThreadSanitizer) and -O0 (AddressSanitizer with UBSan, whose checks are
# the costliest to optimise) with line tables only (-g1), which is all a sanitizer report needs.
case "$kind" in
  thread) flags="-fsanitize=thread" opt="-O1 -g1" ;;
  address) flags="-fsanitize=address,undefined -fno-sanitize-recover=all" opt="-O0 -g1" ;;
  *) echo "unknown sanitizer: $kind" >&2; exit 2 ;;
esac
dir=build-$kind
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIOCTX_SEPARATE_COMPILATION=ON \
  -DASIOCTX_NO_CONSUMER_TESTS=ON \
  -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt -DNDEBUG" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$dir" -j "$(nproc)" --target asioctx_unit asioctx_stress asioctx_http_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
export ASAN_OPTIONS="detect_leaks=1 halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1"
scripts/bounded.sh "$dir"/test/asioctx_unit --report_level=short
scripts/bounded.sh "$dir"/test/asioctx_stress --report_level=short
# The HTTP module: unit, loopback integration and the load test.
scripts/bounded.sh "$dir"/test/http/asioctx_http_tests --report_level=short
