#!/usr/bin/env python3
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
"""How long the back's work outlived the front's 504, from chain_service --trace files.

  trace.py [--check MS] [--rows N] FRONT MID BACK

Joins the three hops' records by the front's deadline. For every request the front answered with
a deadline answer (its deadline fired while its handler was out, or its handler returned a 504),
the back's work that held a slot past that answer lagged by (slot released - the 504). The cancel
travels front (its call to mid returns, closing the connection) -> mid (sees the disconnect, its
call to the back returns, closing that one) -> back (sees the disconnect, releases the slot); the
time each hop spent runnable but waiting for a CPU on its stretch of that path, from its
/proc/self/schedstat samples (FILE.sched, every 2 ms, interpolated), is the machine's share of
the lag; the rest is ours. Prints the distribution and the N worst requests; with --check, exits 1
if any work outlived its 504 by more than MS once the machine's share is taken off.
"""
import bisect
import os
import sys


def load(path):
    out = {}
    with open(path) as f:
        for line in f:
            _, origin, arrived, done, slot, ended, outcome = line.split()
            if origin != "0":
                out[int(origin)] = dict(arrived=int(arrived), done=int(done), slot=int(slot), ended=int(ended),
                                        outcome=outcome)
    return out


class Sched:
    """A service's time spent runnable but off the CPU, as a function of time (ns)."""

    def __init__(self, path):
        self.at, self.waited = [], []
        if os.path.exists(path + ".sched"):
            with open(path + ".sched") as f:
                for line in f:
                    at, _, waited = (int(x) for x in line.split())
                    self.at.append(at)
                    self.waited.append(waited)

    def total_ms(self):
        return (self.waited[-1] - self.waited[0]) / 1e6 if self.at else 0.0

    def value(self, t):
        if not self.at:
            return 0.0
        i = bisect.bisect_right(self.at, t)
        if i == 0:
            return self.waited[0]
        if i == len(self.at):
            return self.waited[-1]
        t0, t1, w0, w1 = self.at[i - 1], self.at[i], self.waited[i - 1], self.waited[i]
        return w0 + (w1 - w0) * (t - t0) / (t1 - t0)

    def between(self, a, b):
        return max(0.0, (self.value(b) - self.value(a)) / 1e6) if b > a else 0.0


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else 0.0


def main(argv):
    limit, rows_wanted = None, 10
    while argv and argv[0].startswith("--"):
        if argv[0] == "--check":
            limit = float(argv[1])
        elif argv[0] == "--rows":
            rows_wanted = int(argv[1])
        argv = argv[2:]
    front, mid, back = (load(p) for p in argv[:3])
    fs, ms, bs = (Sched(p) for p in argv[:3])
    rows = []
    for origin, b in back.items():
        f, m = front.get(origin), mid.get(origin, {})
        if not f or not b["slot"]:
            continue
        answered = f["done"] or (f["ended"] if f["outcome"] == "5" else 0)  # the front's 504
        if not answered or b["ended"] <= answered:
            continue
        lag = (b["ended"] - answered) / 1e6
        # The cancel's path, each stretch clipped to [504, slot released].
        p1 = min(max(f["ended"], answered), b["ended"])
        p2 = min(max(m.get("ended", 0), p1), b["ended"])
        waits = (fs.between(answered, p1), ms.between(p1, p2), bs.between(p2, b["ended"]))
        ours = lag - min(lag, sum(waits))
        rows.append((lag, ours, waits, answered, f, m, b))
    lags = [r[0] for r in rows]
    ours = [r[1] for r in rows]
    print("work past the 504: %d of %d slots; lag ms p50 %.1f p99 %.1f max %.1f, over 50 ms: %d; "
          "without the hops' waits for a CPU: max %.1f, over 50 ms: %d; waits for a CPU over the run "
          "(ms) front %.0f mid %.0f back %.0f" % (
              len(rows), sum(1 for b in back.values() if b["slot"]), pct(lags, .5), pct(lags, .99),
              max(lags or [0]), sum(1 for x in lags if x > 50), max(ours or [0]), sum(1 for x in ours if x > 50),
              fs.total_ms(), ms.total_ms(), bs.total_ms()))
    if rows_wanted:
        print("   lag   ours | ms after the 504: f.ended m.done m.ended b.done b.ended | back: outcome "
              "slot-arrived | CPU waits: front mid back")
        rel = lambda t, a: "%7.1f" % ((t - a) / 1e6) if t else "      -"
        for lag, our, w, a, f, m, b in sorted(rows, key=lambda r: r[1], reverse=True)[:rows_wanted]:
            print("%6.1f %6.1f | %s %s %s %s %s | %s %s | %6.1f %6.1f %6.1f" % (
                lag, our, rel(f["ended"], a), rel(m.get("done"), a), rel(m.get("ended"), a), rel(b["done"], a),
                rel(b["ended"], a), b["outcome"], rel(b["slot"], b["arrived"]), w[0], w[1], w[2]))
    return 1 if limit is not None and any(x > limit for x in ours) else 0


sys.exit(main(sys.argv[1:]))
