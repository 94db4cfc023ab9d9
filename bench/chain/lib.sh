# shellcheck shell=bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Sourced by smoke.sh and run.sh: a scratch directory, services started in the background (Go's
# with GOMAXPROCS=1), and every one of them stopped on exit.
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# start NAME COMMAND...: runs a service, sets PORT once it prints "listening on ADDR:PORT" (10 s at most).
start() {
  local name=$1
  shift
  : >"$tmp/$name.out"  # emptied here: the child may open it only after the loop below reads it
  GOMAXPROCS=1 "$@" >>"$tmp/$name.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$tmp/$name.out")
    [[ -n $PORT ]] && return 0
    sleep 0.05
  done
  echo "$name did not start:" >&2
  cat "$tmp/$name.out" >&2
  exit 1
}

# stop_all: stops the services started so far.
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}
