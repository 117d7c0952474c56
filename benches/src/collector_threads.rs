//! What parallel-major and parallel-minor share: the node of their graphs, how a node is
//! added, the configuration of their rows (tenured-gc on one collector thread and on two),
//! and the checksum of their check lines.

use tenured_gc::{Gc, GcCell, GcVec, HeapConfig, Mutation, Trace};

use crate::rng::XorShift;

#[derive(Trace)]
pub struct Node<'gc> {
    pub id: u64,
    pub edges: [GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>; 4],
}

pub type Nodes<'gc> = GcVec<'gc, Gc<'gc, Node<'gc>>>;

/// Appends a node with three edges to pseudo-random earlier nodes of `nodes`, as in
/// growing-graph, and returns it.
pub fn push_node<'gc>(
    m: &Mutation<'gc>,
    nodes: &Nodes<'gc>,
    rng: &mut XorShift,
) -> Gc<'gc, Node<'gc>> {
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
    nodes.push(m, node);
    node
}

/// The default configuration with `threads` collector threads: what the rows differ in.
pub fn config(threads: usize) -> HeapConfig {
    HeapConfig {
        collector_threads: threads,
        ..HeapConfig::default()
    }
}

/// A checksum of the target of every edge of every node, in order.
pub fn edge_checksum(nodes: &Nodes<'_>) -> u64 {
    let mut checksum = 0u64;
    for node in nodes.iter() {
        for edge in &node.edges {
            let target = edge.get().map_or(u64::MAX, |t| t.id);
            checksum = checksum.wrapping_mul(31).wrapping_add(target);
        }
    }
    checksum
}
