#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Runs example/http_server with example/http_client (two servers chained through --upstream),
# then shuts both down with SIGTERM and checks that they exit 0.
#   run_http_example.sh PATH/TO/http_server PATH/TO/http_client
set -euo pipefail
server=$1
client=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server with the given arguments; sets $port from its "listening on" line.
start_server() {
  local out=$work/server$#.$RANDOM
  "$server" --port 0 "$@" >"$out" 2>"$out.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$out" 2>/dev/null; then
      port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out" | head -1)
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$out.err"; echo "server died"; exit 1; }
    read -r -t 0.05 <> <(:) || true  # bounded wait between checks of the server's output
  done
  echo "server did not print its address"; exit 1
}

expect() {  # expect "what" "pattern" command...
  local what=$1 pattern=$2; shift 2
  local got rc=0
  got=$("$@") || rc=$?
  echo "$(date +%s.%N | cut -c1-14) $what: ${got:0:60} (exit $rc)"
  [[ $got =~ $pattern ]] || { echo "FAIL: $what: expected /$pattern/"; exit 1; }
}

start_server --handler-timeout 2000
upstream=$port
upstream_pid=${pids[-1]}
start_server --handler-timeout 5000 --upstream 127.0.0.1:$upstream
front=$port
front_pid=${pids[-1]}

expect "sleep" '^200 slept 10$' "$client" --port "$front" --path '/sleep?ms=10' --timeout 5000
# The server's deadline answer is the client's deadline_exceeded, saying who answered it; or,
# asked for raw, the 504 itself.
expect "server deadline" "^error: context deadline exceeded \\(the server's answer: 504\\)$" "$client" --port "$upstream" --path '/sleep?ms=10000' --timeout 8000
expect "raw server deadline" '^504 deadline exceeded' "$client" --port "$upstream" --path '/sleep?ms=10000' --timeout 8000 --deadline-answers raw
# Sent with its budget, the client's deadline and the server's fall together, and either may
# answer first: the client sees deadline_exceeded either way. Without it, the server's 5 s stands
# and only the client's 200 ms can end the call.
expect "client deadline" '^error: context deadline exceeded$' "$client" --port "$front" --path '/sleep?ms=10000' --timeout 200 --budget none
expect "budgeted deadline" "^error: context deadline exceeded( \\(the server's answer: 504\\))?$" "$client" --port "$front" --path '/sleep?ms=10000' --timeout 200
expect "echo budget" '^200 [0-9]+$' "$client" --port "$front" --path /echo-timeout --timeout 1000
expect "proxied budget" '^200 [0-9]+$' "$client" --port "$front" --path /proxy-echo-timeout --timeout 800
expect "proxy" '^200 slept 5$' "$client" --port "$front" --path '/proxy?ms=5' --timeout 5000
expect "metrics" 'asioctx_example_sleeps_canceled_total [1-9]' "$client" --port "$upstream" --path /metrics --timeout 5000
# The front's pooled client keeps its upstream connection between proxied requests.
for _ in 1 2 3; do expect "proxy again" '^200 slept 1$' "$client" --port "$front" --path '/proxy?ms=1' --timeout 5000; done
expect "pooled upstream connections" 'asioctx_example_upstream_reused_total [3-9]' "$client" --port "$front" --path /metrics --timeout 5000

# The proxied budget never exceeds the caller's.
budget=$("$client" --port "$front" --path /proxy-echo-timeout --timeout 800 | cut -d' ' -f2)
[ "$budget" -le 800 ] || { echo "FAIL: upstream saw $budget ms of an 800 ms budget"; exit 1; }

for p in "$front_pid" "$upstream_pid"; do
  echo "$(date +%s.%N | cut -c1-14) stopping $p"; kill -TERM "$p"
  rc=0
  wait "$p" || rc=$?
  [ "$rc" = 0 ] || { echo "FAIL: server $p exited $rc"; exit 1; }
done
pids=()
echo "http example passed"
