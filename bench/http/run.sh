#!/usr/bin/env bash
# Requests per second of example/http_server with and without request contexts (wrk, loopback,
# keep-alive). Needs a release build of http_server and the wrk package:
#   bench/http/run.sh [BUILD_DIR] [SECONDS]
# Prints a Markdown table row per endpoint and mode.
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
server=$build/example/http_server
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$server" ] || { echo "no $server; build the http_server target first" >&2; exit 1; }
threads=${WRK_THREADS:-1}
conns=${WRK_CONNECTIONS:-32}

run() {  # run MODE PATH [server flags...]
  local mode=$1 path=$2; shift 2
  local out; out=$(mktemp)
  "$server" --port 0 --threads 1 "$@" >"$out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 100); do grep -q '^listening on' "$out" && break; sleep 0.05; done
  local addr; addr=$(sed -n 's/^listening on //p' "$out")
  # A budget header on every request, so the parsing is part of what is measured.
  local report rps p99
  report=$(wrk --latency -t"$threads" -c"$conns" -d"${seconds}s" -H 'grpc-timeout: 5S' "http://$addr$path")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  kill -TERM "$pid"; wait "$pid" || true
  rm -f "$out"
  echo "| $path | $mode | $rps | $p99 |"
}

echo "| endpoint | mode | requests/s | p99 latency |"
echo "| --- | --- | --- | --- |"
for path in /echo-timeout '/sleep?ms=0'; do
  run "request contexts" "$path"
  run "no request contexts" "$path" --no-request-context
done
