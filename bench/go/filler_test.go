// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The filler of Go's BenchmarkCommonParentCancel (src/context/benchmark_test.go) measured alone,
// in the same run as Go's context benchmarks, so bench/compare can compare the shape's context
// part: each side's total minus its own filler.
package filler

import "testing"

func BenchmarkCommonParentCancelFiller(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		x := 0
		for pb.Next() {
			for i := 0; i < 100; i++ {
				x /= x + 1
			}
			for i := 0; i < 100; i++ {
				x /= x + 1
			}
		}
	})
}
