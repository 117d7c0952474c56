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

use crate::collector_threads::{config, edge_checksum, push_node, Nodes};
use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "parallel-major",
    size_unit: "nodes",
    quick_size: 1_000_000,
    full_size: 4_500_000,
    peers: peers! {
        "tenured-gc 1 thread" => run::<1>,
        "tenured-gc 2 threads" => run::<2>,
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

fn run<const THREADS: usize>(size: u32) {
    use tenured_gc::{Gc, Heap};

    let size = size as usize;
    let mut heap = Heap::with_config(config(THREADS)).unwrap();
    let mut rng = XorShift::new(SEED);
    let nodes = heap.mutate(|m| m.root(Gc::new(m, Nodes::with_capacity(m, size))));
    while heap.mutate(|m| nodes.get(m).len()) < size {
        heap.mutate(|m| {
            let nodes = nodes.get(m);
            for _ in 0..PER_SCOPE.min(size - nodes.len()) {
                let i = nodes.len() as u64;
                let node = push_node(m, &nodes, &mut rng);
                if i > 0 {
                    let target = nodes.get(rng.below(i) as usize).unwrap();
                    target.edges[rng.below(4) as usize].set(m, Some(node));
                }
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
        let nodes = nodes.get(m);
        let checksum = edge_checksum(&nodes);
        println!("{} nodes, edge checksum {checksum}", nodes.len());
    });
    // The minor line as every workload prints it; the major line of the five explicit
    // collections alone, timed exactly (the heap's own percentiles are histogram buckets).
    crate::print_heap_pauses("minor", heap.stats().minor);
    crate::print_exact_pauses("major", &mut pauses);
}
