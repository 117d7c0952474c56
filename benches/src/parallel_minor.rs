//! parallel-minor: the pause of a minor collection that copies a big young graph, on one
//! collector thread and on two.
//!
//! Each of five rounds builds `size` nodes in one `heap.mutate`, as in growing-graph (three
//! edges to pseudo-random earlier nodes of the round), held by a `GcVec` made in the same
//! scope and rooted; then the heap runs one minor collection with all of it live (about 56
//! bytes a node: 900,000 nodes are 50 MiB, more than the survivor space holds, so the rest is
//! promoted), the root is dropped and a major collection frees the graph. The nursery is
//! 256 MiB, so that a round fits in eden.
//! The check line is the number of nodes and a checksum of every edge's target after the
//! last round's collection. The rows differ only in `HeapConfig::collector_threads`; the
//! pause table under the times compares their five explicit minor collections, timed
//! exactly. Written for this harness.

use crate::collector_threads::{config, edge_checksum, push_node, Nodes};
use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "parallel-minor",
    size_unit: "nodes",
    quick_size: 200_000,
    full_size: 900_000,
    peers: peers! {
        "tenured-gc 1 thread" => run::<1>,
        "tenured-gc 2 threads" => run::<2>,
    },
    java_class: None,
    hotspot: HotSpot::NONE,
    go: false,
    notes: "Both rows are tenured-gc with `collector_threads` set to 1 and to 2, and a \
            256 MiB nursery. The pause table's minor columns are the five explicit minor \
            collections with a whole round's graph live, each timed exactly (median and max \
            of five); its major columns the major collection after each round.",
};

/// Rounds, each ending with a timed minor collection.
const ROUNDS: usize = 5;
/// The nursery: room for a round's graph in eden.
const NURSERY: usize = 256 << 20;

fn run<const THREADS: usize>(size: u32) {
    use tenured_gc::{Gc, Heap, HeapConfig};

    let size = size as usize;
    let config = HeapConfig {
        nursery_size: NURSERY,
        max_nursery_size: NURSERY,
        ..config(THREADS)
    };
    let mut heap = Heap::with_config(config).unwrap();
    let mut rng = XorShift::new(SEED);
    let mut pauses = Vec::with_capacity(ROUNDS);
    let mut checksum = 0;
    for round in 0..ROUNDS {
        let nodes = heap.mutate(|m| {
            let nodes = Nodes::with_capacity(m, size);
            for _ in 0..size {
                push_node(m, &nodes, &mut rng);
            }
            m.root(Gc::new(m, nodes))
        });
        let start = std::time::Instant::now();
        heap.collect_minor();
        pauses.push(start.elapsed());
        if round == ROUNDS - 1 {
            checksum = heap.mutate(|m| edge_checksum(&nodes.get(m)));
        }
        // The graph dies with its root. A major collection frees it, so that the next
        // round's minor collection copies that round's graph alone (a minor collection takes
        // every old object for live, the array of this round's graph among them).
        drop(nodes);
        heap.collect_major();
    }
    println!("{size} nodes a round, edge checksum {checksum}");
    crate::print_exact_pauses("minor", &mut pauses);
    crate::print_heap_pauses("major", heap.stats().major);
}
