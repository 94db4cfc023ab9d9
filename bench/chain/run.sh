#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# The three-service chain under overload (issue 18): front -> mid -> back on loopback, each hop one
# thread in its own process, driven open-loop by chain_load (a 200 ms budget on every request) at
# 0.5x, 1x, 2x and 4x the back's capacity (SLOTS x 1000 / WORK_MS requests/s; 4x twice, to see
# RSS stay flat), three variants:
#   asioctx                 the budget propagates (grpc-timeout, budget_margin MARGIN_MS per hop);
#   asioctx-nopropagation   budget_format::none: only disconnects travel;
#   go                      bench/chain/go, net/http with GOMAXPROCS=1 (disconnects only, as Go does);
# and asioctx-nomargin (propagation, no margin) at 2x and 4x, to show what the margin changes.
# Writes bench/RESULTS-chain.md and doc/chain.png (doc/chart_chain.sh), ends with one line per run:
#   chain VARIANT LOADx goodput=G% wasted=W% p99=Pms
# Needs golang-go and gnuplot-nox (scripts/deps.sh). Usage:
#   bench/chain/run.sh [BUILD_DIR]     env: SECONDS_PER_RUN (10) SLOTS (8) WORK_MS (20) MARGIN_MS (15)
#                                           BUDGET_MS (200) CPU=1 (CPU-bound work) VARIANTS (all; a subset
#                                           draws no plot) LOADS ("0.5 1 2 4 4r") OUT (bench/RESULTS-chain.md)
#                                           PNG (doc/chain.png)
#   QUICK=1 bench/chain/run.sh         the 2x/4x pair of the asioctx variant, 5 s each (about 20 s):
#                                           its table goes to stdout, RESULTS-chain.md is left alone
set -euo pipefail
if [[ ${QUICK:-0} == 1 ]]; then
  : "${VARIANTS:=asioctx}" "${LOADS:=2 4}" "${SECONDS_PER_RUN:=5}"
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
seconds=${SECONDS_PER_RUN:-10}
slots=${SLOTS:-8}
work_ms=${WORK_MS:-20}
margin_ms=${MARGIN_MS:-15}
budget_ms=${BUDGET_MS:-200}
cpu_flag=() go_cpu=()
if [[ ${CPU:-0} == 1 ]]; then cpu_flag=(--cpu) go_cpu=(-cpu); fi
capacity=$((slots * 1000 / work_ms))
service=$build/bench/chain/chain_service
load=$build/bench/chain/chain_load
variants=${VARIANTS:-asioctx asioctx-nopropagation go}
uses_go=0
[[ " $variants " == *" go "* ]] && uses_go=1
if ((uses_go)); then command -v go >/dev/null || { echo "needs go (scripts/deps.sh golang-go)" >&2; exit 1; }; fi
for p in "$service" "$load"; do
  [ -x "$p" ] || { echo "no $p; build the chain_service and chain_load targets first" >&2; exit 1; }
done
# shellcheck source=bench/chain/lib.sh
source "$(dirname "$0")/lib.sh"
if ((uses_go)); then (cd "$here/go" && go build -o "$tmp/chain_go" .); fi
ulimit -n 20000 2>/dev/null || true

results=$tmp/results
: >"$results"
run_variant() {  # run_variant VARIANT LOADS...
  local variant=$1
  shift
  case $variant in
    go)
      start back "$tmp/chain_go" -role back -slots "$slots" -work-ms "$work_ms" "${go_cpu[@]}"
      local back=$PORT
      start mid "$tmp/chain_go" -role mid -next "127.0.0.1:$back"
      local mid=$PORT
      start front "$tmp/chain_go" -role front -next "127.0.0.1:$mid" -timeout-ms "$budget_ms"
      ;;
    *)
      local prop=(--propagate grpc --margin-ms "$margin_ms")
      [[ $variant == asioctx-nopropagation ]] && prop=(--propagate none)
      [[ $variant == asioctx-nomargin ]] && prop=(--propagate grpc --margin-ms 0)
      start back "$service" --role back --slots "$slots" --work-ms "$work_ms" "${cpu_flag[@]}"
      local back=$PORT
      start mid "$service" --role mid --next "127.0.0.1:$back" "${prop[@]}"
      local mid=$PORT
      start front "$service" --role front --next "127.0.0.1:$mid" --timeout-ms "$budget_ms" "${prop[@]}"
      ;;
  esac
  local front=$PORT
  for arg in "$@"; do  # "4r": 4x once more, to see that RSS stays flat ("4x-repeat")
    local x=${arg%r} label=${arg%r}x rate
    [[ $arg == *r ]] && label=${x}x-repeat
    rate=$(awk "BEGIN { printf \"%d\", $capacity * $x }")
    "$load" --target "127.0.0.1:$front" --rate "$rate" --warmup 1 --seconds "$seconds" --budget-ms "$budget_ms" \
      --capacity "$capacity" --metrics "front=127.0.0.1:$front" --metrics "mid=127.0.0.1:$mid" \
      --metrics "back=127.0.0.1:$back" --label "$variant:$label" | tee -a "$results"
    if tail -1 "$results" | grep -q '=unreachable'; then tail -n 5 "$tmp"/*.out >&2; fi
  done
  stop_all
}

began=$(date -u '+%Y-%m-%d %H:%M UTC')
# shellcheck disable=SC2086  # LOADS is a list
for v in $variants; do run_variant "$v" ${LOADS:-0.5 1 2 4 4r}; done
[[ -n ${VARIANTS:-} ]] || run_variant asioctx-nomargin 2 4

out=${OUT:-$root/bench/RESULTS-chain.md}
if [[ ${QUICK:-0} == 1 && -z ${OUT:-} ]]; then out=$tmp/quick.md; fi
"$here/report.sh" "$results" "$began" "slots=$slots work_ms=$work_ms${CPU:+ cpu=$CPU} margin_ms=$margin_ms budget_ms=$budget_ms seconds_per_run=$seconds capacity=$capacity" \
  >"$out"
[[ -n ${VARIANTS:-} ]] || "$root/doc/chart_chain.sh" "$out" "${PNG:-$root/doc/chain.png}"
if [[ $out == "$tmp/quick.md" ]]; then sed '/^## What propagation/q' "$out" | grep '^|'; fi
echo
sed -n 's/^| \([a-z-]*\) | \([0-9.]*x\) | \([0-9.]*\) | \([0-9.]*\) | \([0-9.]*\) |.*/chain \1 \2 goodput=\3% wasted=\4% p99=\5ms/p' \
  "$out" | grep -v '^chain asioctx-nomargin '  # that one is in RESULTS-chain.md
