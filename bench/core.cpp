// Placeholder replaced by the core shapes (Go's benchmark_test.go).
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
