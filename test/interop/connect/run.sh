#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# connect-es's client against asioctx's server, over loopback, bounded:
#   run.sh PATH/TO/interop_connect_server SOURCE_DIR WORK_DIR
# Installs the pinned connect-es packages (package-lock.json) into WORK_DIR with npm ci, once per
# lock file; starts the server with a 300 ms handler timeout; runs client.mjs against it.
set -euo pipefail
server=$1
src=$2
work=$3
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$src/client.mjs" "$work/"
if ! cmp -s "$src/package-lock.json" "$work/node_modules/.asioctx-installed-lock"; then
  (cd "$work" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$work/node_modules/.asioctx-installed-lock"
fi

out=$work/server.out
"$server" 300 >"$out" 2>"$work/server.err" &
pid=$!
trap 'kill -9 "$pid" 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.err"; echo "server died"; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "server did not listen"; exit 1; }

timeout 120 node "$work/client.mjs" "$port"
kill -TERM "$pid"
timeout 10 tail --pid="$pid" -f /dev/null || { echo "server did not shut down"; exit 1; }
wait "$pid"
