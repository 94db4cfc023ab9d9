// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The Go counterpart of bench/chain/service.cpp, standard library only: one hop of the chain.
//
//	chain_go -role front|mid|back [-addr 127.0.0.1:0] [-next HOST:PORT] [-timeout-ms 200]
//	         [-slots 8] [-work-ms 20] [-cpu]
//
// front and mid forward each request to -next with http.NewRequestWithContext(r.Context()), so a
// caller that gives up cancels the upstream request (only disconnects travel: the standard library
// sends no budget); the front's handler is wrapped in http.TimeoutHandler(-timeout-ms). back takes
// a slot from a buffered channel, selected against ctx.Done(), then works -work-ms: a timer
// selected against ctx.Done(), or with -cpu a busy loop that checks ctx.Err() every 100 us.
// GET /metrics: the counters bench/chain/load.cpp reads, with the names service.cpp uses.
// Prints "listening on ADDR:PORT". Run with GOMAXPROCS=1.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const originField = "X-Chain-Deadline-Unix-Ns"

type counters struct {
	inflight, requests, spentArrived, waitEnded, started, completed, aborted, startedPastDeadline atomic.Int64
	slotUs, wastedUs, lateUs, lateMaxUs, lateOver50ms                                             atomic.Int64
}

var (
	c       counters
	slots   chan struct{}
	work    time.Duration
	cpuWork bool
)

func cpuUs() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return (ru.Utime.Sec+ru.Stime.Sec)*1e6 + int64(ru.Utime.Usec+ru.Stime.Usec)
}

func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func metrics(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	m := func(name string, v int64) { fmt.Fprintf(&b, "%s %d\n", name, v) }
	m("chain_inflight", c.inflight.Load())
	m("chain_requests_total", c.requests.Load())
	m("chain_spent_arrived_total", c.spentArrived.Load())
	m("chain_cpu_us_total", cpuUs())
	m("chain_rss_bytes", rssBytes())
	if slots != nil {
		m("chain_refused_total", 0)
		m("chain_wait_ended_total", c.waitEnded.Load())
		m("chain_work_started_total", c.started.Load())
		m("chain_work_completed_total", c.completed.Load())
		m("chain_work_aborted_total", c.aborted.Load())
		m("chain_work_started_past_deadline_total", c.startedPastDeadline.Load())
		m("chain_slot_us_total", c.slotUs.Load())
		m("chain_wasted_slot_us_total", c.wastedUs.Load())
		m("chain_late_slot_us_total", c.lateUs.Load())
		m("chain_late_max_us", c.lateMaxUs.Load())
		m("chain_late_over_50ms_total", c.lateOver50ms.Load())
	}
	io.WriteString(w, b.String())
}

// doWork reports whether the work ran to its end.
func doWork(ctx context.Context) bool {
	if !cpuWork {
		t := time.NewTimer(work)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// work of CPU time, spun 100 us at a time: requests that share the thread take turns.
	for spun := time.Duration(0); ; {
		step := work - spun
		if step > 100*time.Microsecond {
			step = 100 * time.Microsecond
		}
		begin := time.Now()
		for time.Since(begin) < step {
		}
		if spun += step; spun >= work {
			return true
		}
		runtime.Gosched()
		if ctx.Err() != nil {
			return false
		}
	}
}

func back(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	origin, _ := strconv.ParseInt(r.Header.Get(originField), 10, 64)
	if r.URL.Query().Get("spent") == "1" {
		c.spentArrived.Add(1)
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		c.waitEnded.Add(1)
		return
	}
	taken := time.Now()
	c.started.Add(1)
	if origin != 0 && time.Now().UnixNano() > origin {
		c.startedPastDeadline.Add(1)
	}
	finished := doWork(ctx)
	if finished {
		c.completed.Add(1)
	} else {
		c.aborted.Add(1)
	}
	<-slots
	held := time.Since(taken).Microseconds()
	var late int64
	if origin != 0 {
		if late = (time.Now().UnixNano() - origin) / 1000; late < 0 {
			late = 0
		}
	}
	c.slotUs.Add(held)
	if !finished || late > 0 {
		c.wastedUs.Add(held)
	}
	if late < held {
		c.lateUs.Add(late)
	} else {
		c.lateUs.Add(held)
	}
	for m := c.lateMaxUs.Load(); late > m && !c.lateMaxUs.CompareAndSwap(m, late); m = c.lateMaxUs.Load() {
	}
	if late > 50000 {
		c.lateOver50ms.Add(1)
	}
	if !finished {
		return
	}
	io.WriteString(w, "done\n")
}

// forward calls next under r.Context(); the front stamps the deadline at which it answers 503.
func forward(client *http.Client, next string, front bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), "GET", "http://"+next+r.URL.RequestURI(), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if d, ok := r.Context().Deadline(); ok && front {
			req.Header.Set(originField, strconv.FormatInt(d.UnixNano(), 10))
		} else if o := r.Header.Get(originField); o != "" {
			req.Header.Set(originField, o)
		}
		res, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(res.StatusCode)
		w.Write(body)
	}
}

// counted keeps the in-flight gauge and the request count (the scrapes not counted).
func counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		c.inflight.Add(1)
		defer c.inflight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

func main() {
	role := flag.String("role", "", "front, mid or back")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	next := flag.String("next", "", "the next hop, HOST:PORT")
	timeoutMs := flag.Int("timeout-ms", 200, "the front's http.TimeoutHandler duration")
	nslots := flag.Int("slots", 8, "the back's slots")
	workMs := flag.Float64("work-ms", 20, "the back's work per request")
	flag.BoolVar(&cpuWork, "cpu", false, "CPU-bound work")
	flag.Parse()
	work = time.Duration(*workMs * float64(time.Millisecond))

	var h http.Handler
	switch *role {
	case "back":
		slots = make(chan struct{}, *nslots)
		h = http.HandlerFunc(back)
	case "front", "mid":
		if *next == "" {
			fmt.Fprintln(os.Stderr, "-next is required")
			os.Exit(2)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 8192
		tr.MaxIdleConnsPerHost = 8192
		h = forward(&http.Client{Transport: tr}, *next, *role == "front")
		if *role == "front" {
			h = http.TimeoutHandler(h, time.Duration(*timeoutMs)*time.Millisecond, "timeout\n")
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: chain_go -role front|mid|back ...")
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", metrics)
	mux.Handle("/", counted(h))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
