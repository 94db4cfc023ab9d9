#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Runs a test program bounded as ctest bounds it (900 s): a hang fails the stage with a message
# instead of holding CI until its own limit. `bounded.sh PROGRAM ARGS...`
set -uo pipefail
limit=900
timeout -k 10 "$limit" "$@"
rc=$?
[ $rc -ne 124 ] || echo "timed out after $limit s: $*" >&2
exit $rc
