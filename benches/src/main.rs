//! `gc-bench`: tenured-gc against other ways to manage memory in Rust, and HotSpot.
//!
//! # Workloads
//! Each workload is one module with one function per peer, every function the same program
//! written as idiomatically as that peer allows:
//! - [`binary_trees`]: the Computer Language Benchmarks Game's binary-trees.
//! - [`gcbench`]: Hans Boehm's GCBench (top-down and bottom-up tree construction).
//! - [`cycles`]: doubly linked rings, built and dropped, with a collection after each round.
//! - [`alloc`]: a tight loop of small short-lived allocations.
//!
//! Then four whose data lives across collections, the case a generational collector is for:
//! - [`old_table`]: stores of new objects into pseudo-random slots of one big old table.
//! - [`growing_graph`]: a graph that grows node by node, older nodes rewired to the newest.
//! - [`lru_cache`]: an LRU cache (hash map index plus linked list) under a skewed load.
//! - [`ring_roots`]: the rings of `cycles`, one scope and one root per ring.
//!
//! And [`threads`]: one server-like program on one thread and on two, a heap per thread; and
//! [`parallel_major`] and [`parallel_minor`]: the pause of a major collection of a big live
//! graph, and of a minor collection that copies a big young one, on one collector thread and
//! on two.
//!
//! The pause distribution of tenured-gc is read from `Heap::stats()` at the end of its runs
//! of binary-trees, GCBench and the four workloads of live data, HotSpot's from `-Xlog:gc` and
//! Go's from `GODEBUG=gctrace=1` ([`pauses`]); each workload's table of times is followed by
//! one of pauses.
//!
//! # Measurement
//! The harness re-runs itself as `gc-bench run WORKLOAD PEER SIZE`, one fresh process per run
//! (see [`harness`]): the child times the workload and prints its check lines, the parent
//! reads the child's peak RSS from `wait4` and checks that every peer printed the same lines.

mod alloc;
mod binary_trees;
mod collector_threads;
mod cycles;
mod gcbench;
mod growing_graph;
mod harness;
mod lru_cache;
mod old_table;
mod parallel_major;
mod parallel_minor;
mod pauses;
mod ring_roots;
mod rng;
mod threads;

use std::process::ExitCode;
use std::time::Instant;

/// One peer's version of a workload, run at the given size.
pub type Body = fn(u32);

/// A peer's name and its version of a workload, or `None` where it was built without it.
pub type Peer = (&'static str, Option<Body>);

/// Lists a workload's peers in table order. A peer marked `optional` is compiled only with the
/// Cargo feature of its name, so that `run.sh` can leave out a peer that fails to build.
#[macro_export]
macro_rules! peers {
    ($($($optional:ident)? $name:literal => $body:path),* $(,)?) => {
        &[$($crate::peers!(@peer $($optional)? $name, $body)),*]
    };
    (@peer optional $name:literal, $body:path) => {
        ($name, {
            #[cfg(feature = $name)]
            let body = Some($body as $crate::Body);
            #[cfg(not(feature = $name))]
            let body = None;
            body
        })
    };
    (@peer $name:literal, $body:path) => {
        ($name, Some($body as $crate::Body))
    };
}

/// One HotSpot row of a workload that has a Java program: the collector and heap sizing.
#[derive(Clone, Copy)]
pub enum HotSpot {
    /// `-XX:+UseSerialGC` with default heap sizing.
    Serial,
    /// `-XX:+UseSerialGC -Xmn<N>m`, the young generation held to the most tenured-gc's eden may
    /// grow to by default (`HeapConfig::default().max_nursery_size`): the same nursery budget.
    SerialNurseryBudget,
    /// `-XX:+UseParallelGC` with default heap sizing: young and old collections on every core.
    Parallel,
}

impl HotSpot {
    /// No Java program.
    pub const NONE: &'static [HotSpot] = &[];
    /// binary-trees and GCBench: Serial, at its default sizing and on tenured-gc's budget.
    pub const NURSERY_BUDGET: &'static [HotSpot] = &[HotSpot::Serial, HotSpot::SerialNurseryBudget];
    /// The workloads of live data: Serial and Parallel, both at their default sizing.
    pub const DEFAULT_SIZING: &'static [HotSpot] = &[HotSpot::Serial, HotSpot::Parallel];
}

/// A workload: its peers, its sizes, and the HotSpot and Go programs that mirror it, if any.
pub struct Workload {
    pub name: &'static str,
    /// What `size` counts, for the table titles.
    pub size_unit: &'static str,
    pub quick_size: u32,
    pub full_size: u32,
    pub peers: &'static [Peer],
    /// The main class in `benches/java/`, run once per entry of `hotspot`.
    pub java_class: Option<&'static str>,
    /// The HotSpot rows: one per collector configuration.
    pub hotspot: &'static [HotSpot],
    /// Whether `benches/go/` has a version, run as `gc-bench-go NAME SIZE` when Go is installed.
    pub go: bool,
    /// How a peer departs from the common program, printed under the table.
    pub notes: &'static str,
}

pub const WORKLOADS: &[Workload] = &[
    binary_trees::WORKLOAD,
    gcbench::WORKLOAD,
    cycles::WORKLOAD,
    alloc::WORKLOAD,
    old_table::WORKLOAD,
    growing_graph::WORKLOAD,
    lru_cache::WORKLOAD,
    ring_roots::WORKLOAD,
    threads::WORKLOAD,
    parallel_major::WORKLOAD,
    parallel_minor::WORKLOAD,
];

/// Prints tenured-gc's pause statistics on lines the harness reads apart from the check lines.
pub fn print_pauses(stats: &tenured_gc::HeapStats) {
    print_heap_pauses("minor", stats.minor);
    print_heap_pauses("major", stats.major);
}

/// Prints the pause line of `kind` from the heap's own statistics: count, total, median, p90,
/// p99 and max.
pub fn print_heap_pauses(kind: &str, p: tenured_gc::PauseStats) {
    println!(
        "{}{kind} {} {} {} {} {} {}",
        harness::PAUSES,
        p.count,
        p.total.as_nanos(),
        p.p50.as_nanos(),
        p.p90.as_nanos(),
        p.p99.as_nanos(),
        p.max.as_nanos()
    );
}

/// Prints the pause line of `kind` from collections the workload timed itself, exactly (the
/// heap's own percentiles are histogram buckets): their count, total, median, and the max in
/// the places of p90, p99 and max.
pub fn print_exact_pauses(kind: &str, pauses: &mut [std::time::Duration]) {
    pauses.sort();
    let total: std::time::Duration = pauses.iter().sum();
    let median = pauses[pauses.len() / 2].as_nanos();
    let max = pauses[pauses.len() - 1].as_nanos();
    println!(
        "{}{kind} {} {} {median} {max} {max} {max}",
        harness::PAUSES,
        pauses.len(),
        total.as_nanos()
    );
}

/// The child side: runs one workload on one peer and prints its time last.
fn run_one(workload: &str, peer: &str, size: &str) -> Result<(), String> {
    let workload = WORKLOADS
        .iter()
        .find(|w| w.name == workload)
        .ok_or_else(|| format!("no workload `{workload}`"))?;
    let body = workload
        .peers
        .iter()
        .find(|(name, _)| *name == peer)
        .ok_or_else(|| format!("no peer `{peer}` in {}", workload.name))?
        .1
        .ok_or_else(|| format!("`{peer}` was not built"))?;
    let size = size.parse().map_err(|e| format!("size `{size}`: {e}"))?;
    let start = Instant::now();
    body(size);
    println!("{}{}", harness::ELAPSED, start.elapsed().as_nanos());
    Ok(())
}

const USAGE: &str = "usage: gc-bench [--quick] [--runs N] [--only WORKLOAD,...] [--skip PEER,...] [--java CLASS_DIR] [--go BINARY]
       gc-bench run WORKLOAD PEER SIZE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() == 4 => run_one(&args[1], &args[2], &args[3]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => harness::Options::parse(&args).and_then(harness::run_all),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gc-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
