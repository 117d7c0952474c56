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
    use tenured_gc::{Gc, GcCell, Heap, Mutation, Root, Trace};

    type Link<'gc> = GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Trace)]
    struct Node<'gc> {
        value: u64,
        prev: Link<'gc>,
        next: Link<'gc>,
    }

    fn ring<'gc>(m: &Mutation<'gc>, first_value: u64) -> Gc<'gc, Node<'gc>> {
        let node = |value| {
            let (prev, next) = (GcCell::new(None), GcCell::new(None));
            Gc::new(m, Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first;
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            last.next.set(m, Some(node));
            node.prev.set(m, Some(last));
            last = node;
        }
        last.next.set(m, Some(first));
        first.prev.set(m, Some(last));
        first
    }

    fn step<'gc>(link: &Link<'gc>) -> Gc<'gc, Node<'gc>> {
        link.get().unwrap()
    }

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
    use gc_arena::barrier::unlock;
    use gc_arena::{Arena, Collect, DynamicRoot, DynamicRootSet, Gc, Lock, Mutation, Rootable};

    type Link<'gc> = Lock<Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Node<'gc> {
        value: u64,
        prev: Link<'gc>,
        next: Link<'gc>,
    }

    fn ring<'gc>(mc: &Mutation<'gc>, first_value: u64) -> Gc<'gc, Node<'gc>> {
        let node = |value| {
            let (prev, next) = (Lock::new(None), Lock::new(None));
            Gc::new(mc, Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first;
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            unlock!(Gc::write(mc, last), Node, next).set(Some(node));
            unlock!(Gc::write(mc, node), Node, prev).set(Some(last));
            last = node;
        }
        unlock!(Gc::write(mc, last), Node, next).set(Some(first));
        unlock!(Gc::write(mc, first), Node, prev).set(Some(last));
        first
    }

    fn step<'gc>(link: &Link<'gc>) -> Gc<'gc, Node<'gc>> {
        link.get().unwrap()
    }

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
