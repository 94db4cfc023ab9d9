#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# The pooled client against a connection per request, through example/http_server's /proxy:
# wrk (keep-alive, c=32) → front http_server → upstream http_server (/sleep?ms=0), each server on
# one thread, over loopback. Both servers share CPU 1 and wrk has CPU 0 (taskset), so requests/s
# compares what the servers spend per request, the client's connections included. For each
# client, prints requests/s, latency, the CPU time both servers spent per request (utime+stime
# from /proc, steadier than requests/s on a busy machine) and the TIME_WAIT sockets on the
# machine before and right after the run (ss -tan state time-wait).
#   bench/http/proxy.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
rounds=${3:-1}
server=$build/example/http_server
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 1; }
command -v ss >/dev/null || { echo "needs ss (iproute2)" >&2; exit 1; }
[ -x "$server" ] || { echo "no $server; build the http_server target first" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
pin_front=() pin_up=() pin_wrk=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  pin_front=(taskset -c 1) pin_up=(taskset -c 1) pin_wrk=(taskset -c 0)
fi
ticks=$(getconf CLK_TCK)

start() {  # start OUT COMMAND...: runs it in the background, sets $addr from "listening on"
  local out=$1; shift
  "$@" >"$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q '^listening on' "$out" && break; sleep 0.05; done
  addr=$(sed -n 's/^listening on //p' "$out")
}

time_wait() { ss -tan state time-wait | tail -n +2 | wc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime

run() {  # run CLIENT
  local client=$1
  pids=()
  start "$work/up" "${pin_up[@]}" "$server" --port 0 --threads 1
  local up=$addr
  start "$work/front" "${pin_front[@]}" "$server" --port 0 --threads 1 --upstream "$up" --proxy-client "$client"
  local front=$addr
  local before report after cpu0 cpu1
  before=$(time_wait)
  cpu0=$(($(cpu_ticks "${pids[0]}") + $(cpu_ticks "${pids[1]}")))
  report=$("${pin_wrk[@]}" wrk --latency -t1 -c32 -d"${seconds}s" --timeout 5s "http://$front/proxy?ms=0")
  cpu1=$(($(cpu_ticks "${pids[0]}") + $(cpu_ticks "${pids[1]}")))
  after=$(time_wait)
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  pids=()
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' <<<"$report")
  local requests us
  requests=$(awk '/requests in/ {print $1}' <<<"$report")
  us=$(awk -v t="$((cpu1 - cpu0))" -v hz="$ticks" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  echo "| $client | $rps | $p50 | $p99 | $us µs | $before → $after | ${errors:-none} |"
  # Let the previous run's TIME_WAIT sockets (60 s on Linux) drain before the next one counts.
  for _ in $(seq 1 130); do [ "$(time_wait)" -le "$before" ] && break; sleep 0.5; done
}

echo "| /proxy client | requests/s | p50 | p99 | server CPU per request | TIME_WAIT before → after | errors / non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for _ in $(seq 1 "$rounds"); do
  run pool
  run fetch
done
