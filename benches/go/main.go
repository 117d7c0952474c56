// gc-bench-go: the Go versions of benches/src/{old_table,growing_graph,lru_cache}.rs, each
// printing the same check lines as the Rust programs and then the time of the workload in
// nanoseconds. Run as `gc-bench-go WORKLOAD SIZE`, the way the harness runs it.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// The harness's seed and xorshift64 (benches/src/rng.rs).
const seed uint64 = 0x9E3779B97F4A7C15

type xorShift struct{ state uint64 }

// below returns a number in 0..n: the top 53 bits modulo n.
func (r *xorShift) below(n uint64) uint64 {
	x := r.state
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	r.state = x
	return (x >> 11) % n
}

func main() {
	workloads := map[string]func(int){
		"old-table":     oldTable,
		"growing-graph": growingGraph,
		"lru-cache":     lruCache,
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gc-bench-go WORKLOAD SIZE")
		os.Exit(2)
	}
	run, ok := workloads[os.Args[1]]
	size, err := strconv.Atoi(os.Args[2])
	if !ok || err != nil {
		fmt.Fprintf(os.Stderr, "gc-bench-go: no workload %q or bad size %q\n", os.Args[1], os.Args[2])
		os.Exit(2)
	}
	start := time.Now()
	run(size)
	fmt.Printf("elapsed_ns: %d\n", time.Since(start).Nanoseconds())
}
