// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The Go net/http counterpart of bench/http/bench_server.cpp, for bench/http/run.sh: the same
// routes, each request under a per-request http.TimeoutHandler whose duration is the smaller of
// the server's handler timeout and the caller's grpc-timeout, and Shutdown on SIGTERM.
//
//	go run . -addr 127.0.0.1:0 -handler-timeout 30s
//
// Prints "listening on ADDR:PORT" first. Run with GOMAXPROCS=1 to match the one-thread server.
//
//	GET /sleep?ms=N     waits N ms or until the request's context is done: "slept N"
//	GET /echo-timeout   the remaining budget in whole ms, or "none"
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

var grpcUnits = map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second,
	'm': time.Millisecond, 'u': time.Microsecond, 'n': time.Nanosecond}

// grpcTimeout parses gRPC's ^[0-9]{1,8}[HMSmun]$; ok is false for a malformed value.
func grpcTimeout(v string) (d time.Duration, ok bool) {
	if len(v) < 2 || len(v) > 9 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	u, ok := grpcUnits[v[len(v)-1]]
	if !ok {
		return 0, false
	}
	return time.Duration(n) * u, true
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil || ms < 0 {
			http.Error(w, "want /sleep?ms=N", http.StatusBadRequest)
			return
		}
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			fmt.Fprintf(w, "slept %d", ms)
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/echo-timeout", func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			fmt.Fprint(w, "none")
			return
		}
		fmt.Fprint(w, time.Until(d).Milliseconds())
	})
	return mux
}

// withBudget runs each request under its own TimeoutHandler: the caller's budget can only
// shorten the server's timeout, as in the C++ server.
func withBudget(next http.Handler, serverTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := serverTimeout
		if b, ok := grpcTimeout(r.Header.Get("grpc-timeout")); ok && b < d {
			d = b
		}
		if d <= 0 {
			w.Header().Set("x-deadline-exceeded", "1")
			http.Error(w, "deadline exceeded", http.StatusGatewayTimeout)
			return
		}
		http.TimeoutHandler(next, d, "deadline exceeded\n").ServeHTTP(w, r)
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	timeout := flag.Duration("handler-timeout", 30*time.Second, "longest a handler may run")
	grace := flag.Duration("shutdown-grace", 5*time.Second, "shutdown grace period")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           withBudget(routes(), *timeout),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	done := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), *grace)
		defer cancel()
		srv.Shutdown(ctx)
		close(done)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	<-done
}
