#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Draws doc/bench-vs-go.png from the core table of bench/RESULTS.md (written by bench/compare):
# Go's ns/op beside asioctx's for each of Go's own benchmark shapes, on a log scale.
# Usage: doc/chart.sh [RESULTS.md [OUT.png]]. Installs gnuplot-nox with apt-get if it is missing
# (as root, or through sudo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
input=${1:-$here/../bench/RESULTS.md}
output=${2:-$here/bench-vs-go.png}
[ -r "$input" ] || { echo "chart.sh: no $input; run bench/compare first" >&2; exit 1; }

if ! command -v gnuplot >/dev/null; then
  "$here/../scripts/deps.sh" gnuplot-nox
fi

data=$(mktemp)
trap 'rm -f "$data"' EXIT
# The rows of the table whose header starts "| benchmark | Go ns/op | asioctx ns/op |", up to the
# first line that is not a table row: name, Go ns/op, asioctx ns/op, ratio.
awk -F'|' '
  function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
  /^\| *benchmark *\| *Go ns\/op *\| *asioctx ns\/op *\|/ { in_table = 1; next }
  in_table && /^\| *-/ { next }
  in_table && !/^\|/ { exit }
  in_table { printf "\"%s\" %s %s %s\n", trim($2), trim($3), trim($4), trim($5) }
' "$input" >"$data"
rows=$(wc -l <"$data")
[ "$rows" -gt 0 ] || { echo "chart.sh: no core table (| benchmark | Go ns/op | asioctx ns/op | ...) in $input" >&2; exit 1; }
source_line=$(grep -m1 '^Written by' "$input" | sed 's/`//g; s/"/'"'"'/g' | cut -c1-160 || true)

width=$((320 + 75 * rows))
gnuplot <<GNUPLOT
set terminal pngcairo size ${width},760 font "DejaVu Sans,11" noenhanced
set output "${output}"
set title "asioctx vs Go's context: Go's benchmark shapes, ns/op (lower is better, log scale)"
set label 1 "${source_line}" at screen 0.5, screen 0.915 center font ",8"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.1:*]
set grid ytics
set ylabel "ns/op"
set xtics rotate by 40 right nomirror
set bmargin 15
set lmargin 16
set tmargin 6
set key top left
plot "${data}" using 2:xtic(1) title "Go" linecolor rgb "#9e9e9e", \
     "" using 3 title "asioctx" linecolor rgb "#1f77b4", \
     "" using (\$0 + 1.0/6):3:(sprintf("%sx", stringcolumn(4))) with labels offset 0,0.7 font ",8" notitle
GNUPLOT
echo "wrote $output ($rows benchmarks)"
