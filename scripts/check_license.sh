#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Checks that every source, build and script file carries the Boost Software License notice.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(git ls-files '*.hpp' '*.cpp' '*.go' '*.py' '*.sh' '*.cmake' '*.in' '*.lua' 'CMakeLists.txt' '*/CMakeLists.txt' \
  Jamfile Jamroot .ci/run bench/compare bench/ab | sort -u | while read -r f; do
    [ -f "$f" ] && ! grep -q 'Boost Software License' "$f" && echo "$f"
  done || true)
if [ -n "$missing" ]; then
  echo "license notice missing in:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "license: every source file carries the notice"
