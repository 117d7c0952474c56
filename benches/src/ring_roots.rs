//! ring-roots: the rings of [`crate::cycles`], each built in its own scope and held by a root.
//!
//! The same rounds, rings and checks as cycles, written the way a program that makes its
//! rings one at a time would: each ring is built in a mutation scope of its own, which hands
//! back a root of the ring's first node; the roots are kept in a `Vec` until the round's
//! walks are done (one scope per ring again), then dropped, and a collection follows. Every
//! scope ends at a collection point, so the rings of a round live across the collections that
//! come while it is built, and are promoted before they die. Written for this harness.

use crate::cycles::{rounds, walk, RING};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "ring-roots",
    size_unit: "nodes",
    quick_size: 2_000_000,
    full_size: 10_000_000,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        "Box" => crate::cycles::boxed,
        "Rc" => crate::cycles::rc,
        optional "gc-arena" => gc_arena,
    },
    java_class: None,
    hotspot: HotSpot::NONE,
    go: false,
    notes: "tenured-gc: a `heap.mutate` per ring returning `m.root(first)`, a `Vec<Root<Node>>` \
            per round, a `heap.mutate` per ring's walk, then `collect_major`. gc-arena: a \
            `DynamicRootSet` as the arena's root, an `arena.mutate` per ring that stashes its \
            first node (followed by `collect_debt`), a `Vec<DynamicRoot<..>>` per round, \
            then `finish_cycle`. Box and Rc have no scopes: their rows run the cycles \
            program (Box rings in one `Vec` each with index links, Rc rings with `Weak` back \
            links broken by hand).",
};

fn tenured_gc(nodes: u32) {
    use crate::cycles::managed_rings::{ring, step, Node};
    use tenured_gc::{Gc, Heap, Root};

    let mut heap = Heap::new();
    rounds(nodes, |nodes| {
        let rings: Vec<Root<Node<'static>>> = (0..nodes)
            .step_by(RING as usize)
            .map(|v| heap.mutate(|m| m.root(ring(m, v))))
            .collect();
        let sum = rings
            .iter()
            .map(|r| {
                heap.mutate(|m| {
                    walk(
                        r.get(m),
                        |n| n.value,
                        |n| step(&n.next),
                        |n| step(&n.prev),
                        |a, b| Gc::ptr_eq(*a, *b),
                    )
                })
            })
            .sum();
        drop(rings);
        heap.collect_major();
        sum
    });
    crate::print_pauses(&heap.stats());
}

#[cfg(feature = "gc-arena")]
fn gc_arena(nodes: u32) {
    use crate::cycles::arena_rings::{ring, step, Node};
    use gc_arena::{Arena, DynamicRoot, DynamicRootSet, Gc, Rootable};

    type RingRoot = DynamicRoot<Rootable![Node<'_>]>;

    // A closure, not the function: `DynamicRootSet::new` names one brand, the arena needs any.
    #[allow(clippy::redundant_closure)]
    let mut arena = Arena::<Rootable![DynamicRootSet<'_>]>::new(|mc| DynamicRootSet::new(mc));
    rounds(nodes, |nodes| {
        let rings: Vec<RingRoot> = (0..nodes)
            .step_by(RING as usize)
            .map(|v| {
                let root = arena.mutate(|mc, roots| roots.stash(mc, ring(mc, v)));
                arena.collect_debt();
                root
            })
            .collect();
        let sum = rings
            .iter()
            .map(|r| {
                arena.mutate(|_, roots| {
                    walk(
                        roots.fetch(r),
                        |n| n.value,
                        |n| step(&n.next),
                        |n| step(&n.prev),
                        |a, b| Gc::ptr_eq(*a, *b),
                    )
                })
            })
            .sum();
        drop(rings);
        arena.finish_cycle();
        sum
    });
}
