#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Writes bench/RESULTS-chain.md (to stdout) from chain_load's "result key=value..." lines.
#   report.sh RESULTS_FILE "DATE" "SETTINGS"
set -euo pipefail
results=$1
began=$2
settings=$3
machine="$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"

cat <<EOF_HEAD
# bench/chain: a deadline through three services under overload, against Go

Written by \`bench/chain/run.sh\` on $began; machine: $machine (shared with other work).
Settings: $settings. Front → mid → back on loopback, each hop one thread in its own process (Go:
\`GOMAXPROCS=1\`); the load generator (\`chain_load\`, asioctx's client_pool, one thread) sends at
a fixed rate after a second of warm-up, each request with a 200 ms \`grpc-timeout\`, and waits up to
a second more; latency is counted from each request's scheduled time. The front answers 504 (Go's
\`http.TimeoutHandler\`: 503) when its 200 ms are up. The back serves \`slots\` requests at once (a
wait for a slot is bound to the request's context), each \`work_ms\` of work bound to the context.
Load is a multiple of the back's capacity, slots × 1000 / work_ms requests/s; "4x-repeat" runs 4x
again on the same processes, to show RSS flat and the in-flight gauges back at 0.

- **goodput**: 200s answered within the budget, per second, as a share of the back's capacity.
- **wasted**: the back's slot time that produced no answer by the front's deadline (work aborted,
  or finished after the front had answered), as a share of its slot time. The front stamps its
  deadline on the request (measurement only; the back reads it, nothing acts on it).
- **late**: the back's slot time past the front's deadline (the front had already answered).
- **p50/p99**: over answered requests (any status), from the scheduled send time.
- **CPU**: µs of process CPU per offered request, per hop.

| variant | load | goodput % | wasted % | p99 ms | p50 ms | goodput/s | 200 | 504 | 503 | other | late % | CPU µs/req front / mid / back | in-flight after | RSS KiB after front / mid / back |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
EOF_HEAD

awk '
  /^result / {
    delete v
    for (i = 2; i <= NF; ++i) { eq = index($i, "="); v[substr($i, 1, eq - 1)] = substr($i, eq + 1) }
    split(v["label"], l, ":")
    printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %d | %d | %.1f | %d / %d / %d | %d / %d / %d | %d / %d / %d |\n",
      l[1], l[2], v["goodput_pct"], v["wasted_pct"], v["p99_ms"], v["p50_ms"], v["goodput_rps"], v["s200"], v["s504"],
      v["s503"], v["s_other"] + v["gave_up"] + v["errors"], v["late_pct"],
      v["front_cpu_us_per_req"], v["mid_cpu_us_per_req"], v["back_cpu_us_per_req"],
      v["front_inflight"], v["mid_inflight"], v["back_inflight"],
      v["front_rss_kb"], v["mid_rss_kb"], v["back_rss_kb"]
    g[l[1], l[2]] = v["goodput_pct"]; w[l[1], l[2]] = v["wasted_pct"]; p[l[1], l[2]] = v["p99_ms"]
    late[l[1], l[2]] = v["late_pct"]
  }
  END {
    print "\n## What propagation bought, in this run\n"
    n = split("2x 4x", loads, " ")
    for (i = 1; i <= n; ++i) {
      x = loads[i]
      printf "- At %s: with the budget propagated, goodput %.1f %% of capacity and %.1f %% of slot time wasted;", x, g["asioctx", x], w["asioctx", x]
      printf " with disconnects alone, %.1f %% and %.1f %% (%.1f %% of slot time after the front had answered);", g["asioctx-nopropagation", x], w["asioctx-nopropagation", x], late["asioctx-nopropagation", x]
      printf " Go, %.1f %% and %.1f %%. p99 %.1f ms against %.1f ms and %.1f ms.\n", g["go", x], w["go", x], p["asioctx", x], p["asioctx-nopropagation", x], p["go", x]
    }
    for (i = 1; i <= n; ++i) {
      x = loads[i]
      if ((("asioctx-nomargin", x) in g))
        printf "- budget_margin at %s: without it, goodput %.1f %%, wasted %.1f %%, p99 %.1f ms; with it, %.1f %%, %.1f %%, %.1f ms.\n", x, g["asioctx-nomargin", x], w["asioctx-nomargin", x], p["asioctx-nomargin", x], g["asioctx", x], w["asioctx", x], p["asioctx", x]
    }
  }' "$results"

cat <<'EOF_TAIL'

**Reading it.** Without a budget the back cannot know that a request it holds has no time left: it
takes requests from its queue in order and works on each until a disconnect arrives. Beyond its
capacity the queue grows until every request reaches a slot with little of its 200 ms left, so the
work it starts is cut when the front gives up, and goodput collapses (Go behaves the same way:
net/http sends no budget; asioctx with `budget_format::none` too). Disconnects also arrive late
when the hops are busy: closing a connection is one more message each overloaded hop has to get to
(the "late" column). With the budget in the request, the back starts only work its budget can finish
(less than `work_ms` left: an immediate deadline answer, no slot time spent) and ends a slot wait
once the work could no longer finish, so its slots do work that is answered in time.

**`client_options::budget_margin`** (time taken off the budget each hop sends upstream, as
Envoy's timeout header offset does; `margin_ms` per hop above, "asioctx-nomargin" without it):
without a margin every hop's deadline is the same instant, so work the back finishes just before
that instant is answered after the front has already given up (wasted slot time, a 504 to the
client), and a deadline answer from upstream races the caller's own timer. With a margin M per hop
the back stops 2M before the front, its answer (200 or 504) gets back through mid and front before
their deadlines, and the client's answers come inside its budget (the p99 above). A request with no
more than M left fails at the caller without being sent, and opens no connection.

**Fixed on the way.** The first runs crashed the front under overload: a use after free when the
server's deadline takeover cancelled a handler awaiting `client_pool::async_fetch` as the
exchange completed on the pool's strand (co_spawn's cancellation forwarding before Asio 1.29);
`run_exchange` now forwards cancellation through a shared signal
(test_client_pool/cancellation_after_completion_is_harmless).

## Raw lines (chain_load)

```
EOF_TAIL
cat "$results"
echo '```'
