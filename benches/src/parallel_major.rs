//! parallel-major: the pause of a major collection of a big live graph, on one collector
//! thread and on two.
//!
//! `size` nodes are built as in growing-graph (three edges to pseudo-random earlier nodes, and
//! each new node linked from a pseudo-random earlier one), held by a `GcVec` rooted outside
//! the heap, 10,000 nodes per `heap.mutate`. Then the heap runs five major collections with
//! all of it live (about 56 bytes a node: 4.5 M nodes are 250 MiB). The check line is the
//! number of nodes and a checksum of every edge's target after the collections. The rows
//! differ only in `HeapConfig::collector_threads`; the pause table under the times compares
//! their five explicit major collections, timed exactly. Written for this harness.

use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "parallel-major",
    size_unit: "nodes",
    quick_size: 1_000_000,
    full_size: 4_500_000,
    peers: peers! {
        "tenured-gc 1 thread" => one_thread,
        "tenured-gc 2 threads" => two_threads,
    },
    java_class: None,
    hotspot: HotSpot::NONE,
    go: false,
    notes: "Both rows are tenured-gc with `collector_threads` set to 1 and to 2. The pause \
            table's major columns are the five explicit major collections with everything \
            live, each timed exactly (median and max of five); its minor columns every minor \
            collection of the run, as in the other workloads.",
};

/// Major collections run once the graph is built.
const MAJORS: usize = 5;
/// Nodes added per `heap.mutate`.
const PER_SCOPE: usize = 10_000;

fn one_thread(size: u32) {
    run(size, 1)
}

fn two_threads(size: u32) {
    run(size, 2)
}

fn run(size: u32, threads: usize) {
    use tenured_gc::{Gc, GcCell, GcVec, Heap, HeapConfig, Trace};

    #[derive(Trace)]
    struct Node<'gc> {
        id: u64,
        edges: [GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>; 4],
    }

    let size = size as usize;
    let config = HeapConfig {
        collector_threads: threads,
        ..HeapConfig::default()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let mut rng = XorShift::new(SEED);
    let nodes = heap.mutate(|m| m.root(Gc::new(m, GcVec::<Gc<Node>>::with_capacity(m, size))));
    while heap.mutate(|m| nodes.get(m).len()) < size {
        heap.mutate(|m| {
            let nodes = nodes.get(m);
            for _ in 0..PER_SCOPE.min(size - nodes.len()) {
                let i = nodes.len();
                let mut edge = || (i > 0).then(|| nodes.get(rng.below(i as u64) as usize).unwrap());
                let node = Gc::new(
                    m,
                    Node {
                        id: i as u64,
                        edges: [
                            GcCell::new(edge()),
                            GcCell::new(edge()),
                            GcCell::new(edge()),
                            GcCell::new(None),
                        ],
                    },
                );
                if i > 0 {
                    let target = nodes.get(rng.below(i as u64) as usize).unwrap();
                    target.edges[rng.below(4) as usize].set(m, Some(node));
                }
                nodes.push(m, node);
            }
        });
    }
    let mut pauses: Vec<std::time::Duration> = (0..MAJORS)
        .map(|_| {
            let start = std::time::Instant::now();
            heap.collect_major();
            start.elapsed()
        })
        .collect();
    heap.mutate(|m| {
        let mut checksum = 0u64;
        for node in nodes.get(m).iter() {
            for edge in &node.edges {
                let target = edge.get().map_or(u64::MAX, |t| t.id);
                checksum = checksum.wrapping_mul(31).wrapping_add(target);
            }
        }
        println!("{} nodes, edge checksum {checksum}", nodes.get(m).len());
    });
    // The minor line as every workload prints it; the major line of the five explicit
    // collections alone, timed exactly (the heap's own percentiles are histogram buckets).
    let stats = heap.stats();
    let minor = stats.minor;
    println!(
        "{}minor {} {} {} {} {} {}",
        crate::harness::PAUSES,
        minor.count,
        minor.total.as_nanos(),
        minor.p50.as_nanos(),
        minor.p90.as_nanos(),
        minor.p99.as_nanos(),
        minor.max.as_nanos()
    );
    crate::print_exact_pauses("major", &mut pauses);
}
