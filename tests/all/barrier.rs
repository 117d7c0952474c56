//! The write barrier: a minor collection never frees an object reachable only through an old
//! object.

use tenured_gc::{Gc, GcCell, GcRefCell, GcWeak, Heap, Mutation, Root, Trace};

use crate::common::*;

/// Enough nodes to overflow eden inside one scope.
const NODES: usize = scaled(5_000);

/// Fails unless `NODES` nodes overflow eden in the small configuration.
fn assert_nodes_overflow_eden() {
    let config = small_config();
    let object = core::mem::size_of::<Node>() + core::mem::size_of::<usize>(); // and header
    assert!(
        NODES * object > config.max_nursery_size,
        "the tests below need a scope that overflows eden"
    );
}

/// A chain of `NODES` nodes, each pointing at the one made before it, valued 0 to
/// `NODES - 1`; returns the last (whose value is `NODES - 1`). Tracked by `counter` if given.
fn chain<'gc>(m: &Mutation<'gc>, counter: Option<&DropCounter>) -> Gc<'gc, Node<'gc>> {
    let node = |i| match counter {
        Some(counter) => Node::tracked(i, counter),
        None => Node::new(i),
    };
    let mut head = Gc::new(m, node(0));
    for i in 1..NODES as i64 {
        let next = Gc::new(m, node(i));
        next.next.set(m, Some(head));
        head = next;
    }
    head
}

/// Fails unless `head` starts an intact chain made by [`chain`].
fn assert_chain<'gc>(head: Option<Gc<'gc, Node<'gc>>>) {
    let mut node = head;
    let mut expected = NODES as i64 - 1;
    while let Some(n) = node {
        assert_eq!(
            (n.value, n.label.as_str()),
            (expected, &*format!("node {expected}"))
        );
        expected -= 1;
        node = n.next.get();
    }
    assert_eq!(expected, -1, "the chain is whole");
}

/// An old node gets a young child after promotion.
#[test]
fn an_old_to_young_edge_through_a_cell_survives_a_minor_collection() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let old: Root<Node<'static>> = heap.mutate(|m| m.root(Gc::new(m, Node::new(1))));
    heap.collect_major(); // `old` is now in the old generation
    heap.mutate(|m| {
        let young = Gc::new(m, Node::tracked(2, &counter));
        young
            .next
            .set(m, Some(Gc::new(m, Node::tracked(3, &counter))));
        old.get(m).next.set(m, Some(young)); // the only reference to `young`
    });
    for _ in 0..5 {
        heap.collect_minor();
        heap.verify().unwrap();
        heap.mutate(|m| {
            let young = old.get(m).next.get().expect("the edge is still there");
            assert_eq!(young.value, 2);
            assert_eq!(young.label, "node 2");
            assert_eq!(young.next.get().unwrap().value, 3);
        });
    }
    assert_eq!(counter.count(), 0);
    heap.mutate(|m| old.get(m).next.set(m, None));
    heap.collect_major();
    assert_eq!(counter.count(), 2);
}

#[derive(Trace)]
struct Bag<'gc> {
    items: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
    slots: Vec<GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>>,
    weak: GcCell<'gc, GcWeak<'gc, Node<'gc>>>,
}

#[test]
fn a_store_into_an_out_of_line_cell_alone_keeps_the_heap_valid() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let bag = heap.mutate(|m| {
        let slots = (0..4).map(|_| GcCell::new(None)).collect();
        let items = GcRefCell::new(Vec::new());
        m.root(Gc::new(
            m,
            Bag {
                items,
                slots,
                weak: GcCell::new(GcWeak::new()),
            },
        ))
    });
    heap.collect_major();
    // The bag itself is not logged: only the minor collection's rescan finds the pointer.
    heap.mutate(|m| bag.get(m).slots[2].set(m, Some(Gc::new(m, Node::new(12)))));
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_minor();
    assert_eq!(heap.verify(), Ok(()));
    heap.mutate(|m| assert_eq!(bag.get(m).slots[2].get().unwrap().value, 12));
}

#[test]
fn stores_through_a_ref_cell_and_out_of_line_cells_are_remembered() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let bag = heap.mutate(|m| {
        let slots = (0..8).map(|_| GcCell::new(None)).collect();
        m.root(Gc::new(
            m,
            Bag {
                items: GcRefCell::new(Vec::new()),
                slots,
                weak: GcCell::new(GcWeak::new()),
            },
        ))
    });
    heap.collect_major();
    let keep = heap.mutate(|m| {
        let bag = bag.get(m);
        bag.items.borrow_mut(m).push(Gc::new(m, Node::new(10)));
        // These cells live in the Vec's buffer, outside the managed heap.
        bag.slots[3].set(m, Some(Gc::new(m, Node::new(13))));
        bag.slots[7].set(m, Some(Gc::new(m, Node::new(17))));
        let target = Gc::new(m, Node::new(99));
        bag.weak.set(m, Gc::downgrade(target));
        m.root(target)
    });
    for _ in 0..4 {
        heap.collect_minor();
        heap.mutate(|m| {
            let bag = bag.get(m);
            assert_eq!(bag.items.borrow()[0].value, 10);
            assert_eq!(bag.slots[3].get().unwrap().value, 13);
            assert_eq!(bag.slots[7].get().unwrap().value, 17);
            assert!(bag.slots[0].get().is_none());
            assert_eq!(
                bag.weak.get().upgrade().expect("target is rooted").value,
                99
            );
        });
    }
    drop(keep);
    heap.collect_major();
    heap.mutate(|m| assert!(bag.get(m).weak.get().is_dead()));
}

#[derive(Trace)]
struct Big<'gc> {
    filler: [u64; 300],
    child: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

#[test]
fn large_and_pretenured_objects_pointing_into_the_nursery_are_remembered() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let big = heap.mutate(|m| {
        // Large objects are born old; this one points at a young node from the start.
        let child = Gc::new(m, Node::new(5));
        m.root(Gc::new(
            m,
            Big {
                filler: [7; 300],
                child: GcCell::new(Some(child)),
            },
        ))
    });
    heap.collect_minor();
    heap.mutate(|m| assert_eq!(big.get(m).child.get().unwrap().value, 5));
    // Fill eden inside one scope: later objects overflow into overflow blocks, point at eden
    // objects, and the old large object points at one of them.
    let head = heap.mutate(|m| {
        let head = chain(m, None);
        big.get(m).child.set(m, Some(head));
        m.root(head)
    });
    for _ in 0..3 {
        heap.collect_minor();
        heap.verify().unwrap();
    }
    heap.mutate(|m| {
        assert_chain(Some(head.get(m)));
        assert_eq!(big.get(m).filler, [7; 300]);
    });
}

#[test]
fn objects_that_overflow_eden_inside_a_scope_survive_and_are_finalized_once() {
    assert_nodes_overflow_eden();
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let holder = heap.mutate(|m| m.root(Gc::new(m, GcCell::new(GcWeak::<Node>::new()))));
    let minors = heap.stats().minor.count;
    let keep = heap.mutate(|m| {
        // Far more than eden holds: most of these land in overflow blocks.
        let head = chain(m, Some(&counter));
        // A weak reference from an overflow object to a young one.
        let young = Gc::new(m, Node::new(-1));
        let holder_obj = Gc::new(m, GcCell::new(Gc::downgrade(young)));
        holder.get(m).set(m, holder_obj.get());
        (m.root(head), m.root(young))
    });
    let stats = heap.stats();
    assert!(
        stats.minor.count > minors,
        "the overflowing scope's collection point ran a minor collection"
    );
    assert_eq!(
        stats.overflow_used, 0,
        "the minor collection emptied overflow"
    );
    assert!(
        stats.old_used + stats.survivor_used >= NODES * core::mem::size_of::<Node>(),
        "the live overflow objects were evacuated"
    );
    heap.collect_minor();
    heap.mutate(|m| {
        assert_eq!(holder.get(m).get().upgrade().unwrap().value, -1);
        assert_chain(Some(keep.0.get(m)));
    });
    assert_eq!(counter.count(), 0, "nothing rooted is dropped");
    drop(keep);
    heap.collect_minor();
    heap.collect_major();
    assert_eq!(counter.count(), NODES);
    heap.mutate(|m| assert!(holder.get(m).get().is_dead()));
    drop(heap);
    assert_eq!(counter.count(), NODES);
}

#[test]
fn a_dead_overflow_is_freed_by_the_next_minor_collection() {
    assert_nodes_overflow_eden();
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let survivor = heap.mutate(|m| {
        chain(m, Some(&counter));
        // One overflow object survives; the chain dies with the scope.
        let kept = Gc::new(m, Node::new(-1));
        kept.prev.set(m, Some(Gc::new(m, Node::new(-2))));
        m.root(kept)
    });
    let stats = heap.stats();
    assert_eq!(
        counter.count(),
        NODES,
        "every dead overflow object was dropped once"
    );
    assert_eq!(stats.major.count, 0, "without a major collection");
    assert_eq!(stats.overflow_used, 0);
    assert!(
        stats.old_used + stats.survivor_used < 4 * core::mem::size_of::<Node>() + 64,
        "only the two live objects were kept: {stats:?}"
    );
    assert!(
        stats.heap_reserved < 2 * 1024 * 1024,
        "the overflow blocks were freed: {stats:?}"
    );
    heap.mutate(|m| assert_eq!(survivor.get(m).prev.get().unwrap().value, -2));
    drop(heap);
    assert_eq!(counter.count(), NODES);
}

#[test]
fn an_old_object_pointing_into_overflow_keeps_its_target() {
    assert_nodes_overflow_eden();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let old = heap.mutate(|m| m.root(Gc::new(m, Node::new(-1))));
    heap.collect_major();
    heap.mutate(|m| {
        let head = chain(m, None);
        // The chain's head is in an overflow block; only the old object reaches it.
        old.get(m).next.set(m, Some(head));
    });
    heap.verify().unwrap();
    heap.collect_major();
    heap.mutate(|m| {
        assert_chain(old.get(m).next.get());
    });
}
