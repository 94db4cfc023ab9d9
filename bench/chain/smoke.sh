#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

# The chain's smoke test (ctest chain_smoke): front -> mid -> back on loopback, 400 requests at
# twice the back's capacity (4 slots x 20 ms) after 200 to warm up, every tenth with a spent budget,
# three ways:
#   grpc      the budget propagates (10 ms margin per hop): no work starts past the request's deadline;
#   none      only disconnects travel;
#   none-cpu  the same for CPU-bound work that checks ctx.done() every 100 us.
# Each: a 504 at the front ends the back's work for that request within 50 ms, every service's
# in-flight gauge back to 0, the front always answers. The 50 ms are checked on the services'
# traces (bench/chain/trace.py): from the moment the front answered, less the time the hops on the
# cancel's path spent waiting for a CPU (/proc/self/schedstat), which is the machine's, not ours;
# on a quiet machine that is nothing and the bound holds as it is. A variant that misses it, or
# (grpc) starts work past the front's deadline, is run once more: a stall the hops cannot see fails
# one run, a defect fails both.
#   smoke.sh CHAIN_SERVICE CHAIN_LOAD        env: TRACE_DIR keeps the traces there
set -euo pipefail
service=$1
load=$2
# shellcheck source=bench/chain/lib.sh
source "$(dirname "$0")/lib.sh"

val() { tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p"; }
fails=0
check() {  # check DESCRIPTION EXPRESSION
  if ! awk "BEGIN { exit !($2) }"; then echo "FAIL [$variant]: $1 ($2)"; fails=$((fails + 1)); fi
}

# run_once: one run of $variant through a fresh chain; sets line (chain_load's) and lag_ok.
run_once() {
  local prop=${variant%-cpu} work=(--slots 4 --work-ms 20) rate=400 capacity=200 margin=()
  if [[ $variant == *-cpu ]]; then work=(--slots 2 --work-ms 5 --cpu); fi  # one thread: 200/s
  local traces=${TRACE_DIR:-$tmp}
  start back "$service" --role back "${work[@]}" --trace "$traces/$variant-back.txt"
  local back=$PORT
  if [[ $prop == grpc ]]; then margin=(--margin-ms 10); fi
  start mid "$service" --role mid --next "127.0.0.1:$back" --propagate "$prop" "${margin[@]}" \
    --trace "$traces/$variant-mid.txt"
  local mid=$PORT
  start front "$service" --role front --next "127.0.0.1:$mid" --propagate "$prop" "${margin[@]}" --timeout-ms 200 \
    --trace "$traces/$variant-front.txt"
  local front=$PORT
  line=$("$load" --target "127.0.0.1:$front" --rate $rate --warmup 0.5 --seconds 1 --capacity $capacity --spent-every 10 \
    --metrics "front=127.0.0.1:$front" --metrics "mid=127.0.0.1:$mid" --metrics "back=127.0.0.1:$back" \
    --label "smoke-$variant")
  echo "$line"
  stop_all  # the services write their traces as they stop
  lag_ok=1
  "$(dirname "$0")/trace.py" --check 50 --rows 5 "$traces/$variant-"{front,mid,back}.txt || lag_ok=0
}

# timed CHECK...: the checks a starved machine can spoil (the time they bound includes a hop's wait
# for a CPU it cannot see); sets timed_ok.
timed() {
  timed_ok=1
  if ((!lag_ok)); then
    echo "[$variant] the back's work did not end within 50 ms of the front's 504 (the hops' waits for a CPU aside)"
    timed_ok=0
  fi
  # A relative budget (grpc-timeout) starts when the next hop reads it: a hop kept from the CPU
  # between the send and the read stretches it past the front's deadline.
  if [[ $prop == grpc ]] && ! awk "BEGIN { exit !($(val started_past_deadline) == 0) }"; then
    echo "[$variant] work started past its deadline: $(val started_past_deadline)"
    timed_ok=0
  fi
}

for variant in grpc none none-cpu; do
  prop=${variant%-cpu}
  # A stall the hops cannot see (this VM charges a vCPU's stolen time to the task that ran on it)
  # spoils a run now and then on a loaded machine; a defect spoils every run. The other checks
  # hold in every run.
  for attempt in 1 2; do
    run_once
    timed
    check "the front answered 504s" "$(val s504) > 0"
    check "the front answered every request" "$(val gave_up) == 0 && $(val errors) == 0"
    check "spent budgets never reached the back" "$(val spent) > 0 && $(val spent_arrived) == 0"
    for s in front mid back; do check "$s in-flight gauge back to 0" "$(val ${s}_inflight) == 0"; done
    if [[ $prop != grpc ]]; then check "disconnects aborted work (the test exercised them)" "$(val aborted) > 0"; fi
    if ((timed_ok)); then break; fi
    if ((attempt == 1)); then echo "[$variant] once more"; fi
  done
  if ((!timed_ok)); then
    echo "FAIL [$variant]: the back's work ended within 50 ms of the front's 504 and none started past its deadline"
    fails=$((fails + 1))
  fi
done
if ((fails > 0)); then exit 1; fi
echo "chain smoke: OK"
