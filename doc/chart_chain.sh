#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Draws doc/chain.png from the table of bench/RESULTS-chain.md (written by bench/chain/run.sh):
# goodput and wasted work against offered load, one line per variant.
# Usage: doc/chart_chain.sh [RESULTS-chain.md [OUT.png]]. Needs gnuplot (scripts/deps.sh gnuplot-nox).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
input=${1:-$here/../bench/RESULTS-chain.md}
output=${2:-$here/chain.png}
[ -r "$input" ] || { echo "chart_chain.sh: no $input; run bench/chain/run.sh first" >&2; exit 1; }
if ! command -v gnuplot >/dev/null; then
  "$here/../scripts/deps.sh" gnuplot-nox
fi
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# Table rows "| variant | 2x | goodput | wasted | p99 | ...": one file per variant, "load goodput wasted".
for v in asioctx asioctx-nopropagation go; do
  awk -F'|' -v want="$v" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    trim($2) == want && trim($3) ~ /x$/ { x = trim($3); sub(/x$/, "", x); print x, trim($4), trim($5) }
  ' "$input" >"$data/$v"
  [ -s "$data/$v" ] || { echo "chart_chain.sh: no rows for $v in $input" >&2; exit 1; }
done
when=$(grep -m1 '^Written by' "$input" | sed 's/`//g; s/"/'"'"'/g; s/;.*//' | cut -c1-120 || true)
gnuplot <<GNUPLOT
set terminal pngcairo size 1100,460 font "DejaVu Sans,11" noenhanced
set output "${output}"
set multiplot layout 1,2 title "Three-service chain, 200 ms budget: asioctx vs Go (${when})"
file(i) = sprintf("${data}/%s", word("asioctx asioctx-nopropagation go", i))
name(i) = i == 1 ? "asioctx, budget propagated" : i == 2 ? "asioctx, disconnects only" : "Go net/http"
set logscale x 2
set xtics ("0.5x" 0.5, "1x" 1, "2x" 2, "4x" 4)
set xrange [0.4:5]
set xlabel "offered load (x the back's capacity)"
set grid
set key bottom left
set yrange [0:110]
set ylabel "goodput (% of the back's capacity)"
set title "goodput (higher is better)"
plot for [i=1:3] file(i) using 1:2 with linespoints lw 2 pt 2*i+3 title name(i)
set key top left
set yrange [0:105]
set ylabel "wasted (% of the back's slot time)"
set title "wasted work (lower is better)"
plot for [i=1:3] file(i) using 1:3 with linespoints lw 2 pt 2*i+3 title name(i)
unset multiplot
GNUPLOT
echo "wrote $output"
