#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# asioctx::http::server (bench/http/bench_server.cpp) against Go's net/http (bench/http/go), both
# on one thread (GOMAXPROCS=1), driven by wrk over loopback, keep-alive:
#   /echo-timeout at c=32, with and without request contexts, and Go;
#   a mixed load at c=1000 where 40 % of requests exceed their 50 ms grpc-timeout (mixed.lua).
# Needs a release build of http_bench_server and http_bench_server_bare, wrk and golang-go (scripts/deps.sh wrk golang-go):
#   bench/http/run.sh [BUILD_DIR] [SECONDS] [ROUNDS]
# The server is pinned to CPU 1 and wrk to CPU 0 when taskset exists. Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
seconds=${2:-10}
rounds=${3:-1}
server=$build/bench/http/http_bench_server
bare=$build/bench/http/http_bench_server_bare  # the same without request contexts
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 1; }
command -v go >/dev/null || { echo "needs go (golang-go)" >&2; exit 1; }
for s in "$server" "$bare"; do
  [ -x "$s" ] || { echo "no $s; build the http_bench_server and http_bench_server_bare targets first" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here/go" && go build -o "$work/go_server" .)
pin_server=() pin_wrk=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  pin_server=(taskset -c 1) pin_wrk=(taskset -c 0)
fi

run() {  # run NAME CONNECTIONS PATH WRK_ARGS -- SERVER_COMMAND...
  local name=$1 conns=$2 path=$3 wrk_args=$4; shift 5
  local out=$work/out
  GOMAXPROCS=1 "${pin_server[@]}" "$@" >"$out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '^listening on' "$out" && break; sleep 0.05; done
  local addr; addr=$(sed -n 's/^listening on //p' "$out")
  local report
  # shellcheck disable=SC2086
  report=$("${pin_wrk[@]}" wrk --latency -t1 -c"$conns" -d"${seconds}s" --timeout 5s $wrk_args "http://$addr$path")
  kill -TERM "$pid"; wait "$pid" || true
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' <<<"$report")
  echo "| $name | $conns | $rps | $p50 | $p99 | ${errors:-none} |"
}

echo "| run | connections | requests/s | p50 | p99 | errors / non-2xx |"
echo "| --- | --- | --- | --- | --- | --- |"
for _ in $(seq 1 "$rounds"); do
  run "/echo-timeout asioctx" 32 /echo-timeout "-H grpc-timeout:5S" -- "$server" --threads 1
  run "/echo-timeout asioctx, no request contexts" 32 /echo-timeout "-H grpc-timeout:5S" -- \
    "$bare" --threads 1
  run "/echo-timeout Go net/http" 32 /echo-timeout "-H grpc-timeout:5S" -- "$work/go_server"
  run "mixed asioctx" 1000 / "-s $here/mixed.lua" -- "$server" --threads 1
  run "mixed Go net/http" 1000 / "-s $here/mixed.lua" -- "$work/go_server"
done
