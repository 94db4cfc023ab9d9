#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# connect-es against asioctx over loopback, bounded, either way:
#   run.sh server PATH/TO/interop_connect_server SOURCE_DIR WORK_DIR
#     starts our server with a 300 ms handler timeout, runs connect-es's client (client.mjs) against it
#   run.sh client PATH/TO/interop_connect_client SOURCE_DIR WORK_DIR
#     starts connect-es's server (server.mjs), runs our client against it
# Installs the pinned connect-es packages (package-lock.json) into WORK_DIR with npm ci, once per
# lock file. The server prints "listening on 127.0.0.1:PORT" and the client gets PORT.
set -euo pipefail
mode=$1
binary=$2
src=$3
work=$4
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$src/client.mjs" "$src/server.mjs" "$work/"
if ! cmp -s "$src/package-lock.json" "$work/node_modules/.asioctx-installed-lock"; then
  (cd "$work" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$work/node_modules/.asioctx-installed-lock"
fi
case $mode in
  server) server=("$binary" 300) client=(node "$work/client.mjs") ;;
  client) server=(node "$work/server.mjs") client=("$binary") ;;
  *) echo "run.sh: mode is server or client"; exit 2 ;;
esac

out=$work/$mode.server.out
err=$work/$mode.server.err
"${server[@]}" >"$out" 2>"$err" &
pid=$!
trap 'kill -9 "$pid" 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$err"; echo "server died"; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "server did not listen"; exit 1; }

status=0
timeout 120 "${client[@]}" "$port" || status=$?
kill -TERM "$pid"
timeout 10 tail --pid="$pid" -f /dev/null || { echo "server did not shut down"; exit 1; }
[ "$status" -eq 0 ] || { cat "$err"; exit "$status"; }
wait "$pid"
