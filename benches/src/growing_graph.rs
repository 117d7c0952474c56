//! growing-graph: a graph that only grows, rewired as it grows.
//!
//! `size` nodes are added one after another. Node `i` (its id) has four edge slots: the first
//! three point at pseudo-random earlier nodes ([`crate::rng`]), the fourth starts empty; then
//! a pseudo-random earlier node has a pseudo-random one of its four slots pointed at node `i`.
//! Every node stays reachable from the list of all nodes until the end, so all the data lives,
//! and every rewiring is a pointer from an older node to the newest. The checks: the number
//! of edges and a checksum of every edge's target in order, then the sum of the ids met on a
//! walk of `size` steps along edges from node 0. Written for this harness.

use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "growing-graph",
    size_unit: "nodes",
    quick_size: 2_000_000,
    full_size: 10_000_000,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        optional "gc-arena" => gc_arena,
    },
    java_class: Some("GrowingGraph"),
    hotspot: HotSpot::DEFAULT_SIZING,
    go: true,
    notes: "Edges: four `GcCell`s in the node in tenured-gc, four `Lock`s in gc-arena, four \
            fields in Java (one object per node, as in the other versions), an array of four \
            pointers in Go. The list of nodes is a `Vec<Gc<Node>>`: the state of `heap.run` in \
            tenured-gc, which adds 100 nodes per step, and the arena's root in gc-arena, \
            which adds 100 per `mutate_root` (followed by `collect_debt`); an `ArrayList` in \
            Java, a slice in Go. Rc and Box are left out: the rewiring makes cycles, which Rc \
            would leak and Box cannot express.",
};

/// Edge slots per node.
const EDGES: usize = 4;
/// Slots a new node fills, each with a pseudo-random earlier node.
const LINKS: usize = 3;
/// Nodes added per step, for the peers that have steps.
const NODES_PER_STEP: usize = 100;

/// Prints the check lines. `id` reads a node's id, `edge` its `k`-th edge.
fn check<N: Copy>(nodes: &[N], id: impl Fn(N) -> u64, edge: impl Fn(N, usize) -> Option<N>) {
    let (mut edges, mut checksum) = (0u64, 0u64);
    for &node in nodes {
        for k in 0..EDGES {
            if let Some(target) = edge(node, k) {
                edges += 1;
                checksum = checksum
                    .wrapping_mul(31)
                    .wrapping_add(id(target) * EDGES as u64 + k as u64);
            }
        }
    }
    println!(
        "{} nodes, {edges} edges, edge checksum {checksum}",
        nodes.len()
    );
    // The walk takes the edge of the step's slot, or the next filled slot after it; from a
    // node without edges it goes to the newest node.
    let (mut node, mut sum) = (nodes[0], 0u64);
    let steps = nodes.len();
    for step in 0..steps {
        sum += id(node);
        let next = (0..EDGES).find_map(|k| edge(node, (step + k) % EDGES));
        node = next.unwrap_or(nodes[nodes.len() - 1]);
    }
    println!("walk of {steps} steps from node 0: ids sum to {sum}");
}

fn tenured_gc(size: u32) {
    use std::ops::ControlFlow;
    use tenured_gc::{Gc, GcCell, Heap, Mutation, RunState, Trace};

    type Edge<'gc> = GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Trace)]
    struct Node<'gc> {
        id: u64,
        edges: [Edge<'gc>; EDGES],
    }

    /// Adds the next node, with its edges, and points an earlier node at it.
    fn add<'gc>(m: &Mutation<'gc>, nodes: &mut Vec<Gc<'gc, Node<'gc>>>, rng: &mut XorShift) {
        let id = nodes.len() as u64;
        let mut edge = |k| (k < LINKS && id > 0).then(|| nodes[rng.below(id) as usize]);
        let edges = std::array::from_fn(|k| GcCell::new(edge(k)));
        let node = Gc::new(m, Node { id, edges });
        if id > 0 {
            let old = nodes[rng.below(id) as usize];
            old.edges[rng.below(EDGES as u64) as usize].set(m, Some(node));
        }
        nodes.push(node);
    }

    let size = size as usize;
    let mut heap = Heap::new();
    let mut rng = XorShift::new(SEED);
    heap.run(
        |_| RunState::new(Vec::<Gc<Node>>::new()),
        |m, mut nodes| {
            if nodes.len() == size {
                check(&nodes, |n| n.id, |n, k| n.edges[k].get());
                return ControlFlow::Break(());
            }
            for _ in 0..NODES_PER_STEP.min(size - nodes.len()) {
                add(m, &mut nodes, &mut rng);
            }
            ControlFlow::Continue(nodes)
        },
    );
    crate::print_pauses(&heap.stats());
}

#[cfg(feature = "gc-arena")]
fn gc_arena(size: u32) {
    use gc_arena::barrier::field;
    use gc_arena::{Arena, Collect, Gc, Lock, Mutation, Rootable};

    type Edge<'gc> = Lock<Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Node<'gc> {
        id: u64,
        edges: [Edge<'gc>; EDGES],
    }

    fn add<'gc>(mc: &Mutation<'gc>, nodes: &mut Vec<Gc<'gc, Node<'gc>>>, rng: &mut XorShift) {
        let id = nodes.len() as u64;
        let mut edge = |k| (k < LINKS && id > 0).then(|| nodes[rng.below(id) as usize]);
        let edges = std::array::from_fn(|k| Lock::new(edge(k)));
        let node = Gc::new(mc, Node { id, edges });
        if id > 0 {
            let old = nodes[rng.below(id) as usize];
            let k = rng.below(EDGES as u64) as usize;
            field!(Gc::write(mc, old), Node, edges)[k]
                .unlock()
                .set(Some(node));
        }
        nodes.push(node);
    }

    let size = size as usize;
    let mut arena = Arena::<Rootable![Vec<Gc<'_, Node<'_>>>]>::new(|_| Vec::new());
    let mut rng = XorShift::new(SEED);
    let mut len = 0;
    while len < size {
        len = arena.mutate_root(|mc, nodes| {
            for _ in 0..NODES_PER_STEP.min(size - nodes.len()) {
                add(mc, nodes, &mut rng);
            }
            nodes.len()
        });
        arena.collect_debt();
    }
    arena.mutate(|_, nodes| check(nodes, |n| n.id, |n, k| n.edges[k].get()));
}
