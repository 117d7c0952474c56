//! Card marking: a minor collection scans an old array only where stores went, and keeps what
//! those stores made reachable.

use std::cell::Cell;

use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Rebrand, Root, Trace, Tracer};

use crate::common::*;

thread_local! {
    /// How many `Counted` elements were traced on this thread.
    static TRACED: Cell<usize> = const { Cell::new(0) };
}

/// A slot of a big table that counts how often the collector traces it.
struct Counted<'gc> {
    item: GcCell<'gc, Option<Gc<'gc, u64>>>,
}

// SAFETY: `trace` hands the one managed pointer to the tracer and only bumps a counter
// besides.
unsafe impl Trace for Counted<'_> {
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        TRACED.with(|t| t.set(t.get() + 1));
        tracer.trace(&mut self.item);
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc> Rebrand<'gc> for Counted<'_> {
    type Branded = Counted<'gc>;
}

fn traced() -> usize {
    TRACED.with(|t| t.replace(0))
}

/// Elements in the table: far more than a card holds (fewer under Miri, which is slow to
/// build them).
const SLOTS: usize = if cfg!(miri) { 2_000 } else { 100_000 };

/// A table of `SLOTS` empty slots, old (a large object), rooted.
fn old_table(heap: &mut Heap) -> Root<[Counted<'static>]> {
    let table = heap.mutate(|m| {
        let slots = (0..SLOTS).map(|_| Counted {
            item: GcCell::new(None),
        });
        m.root(Gc::from_vec(m, slots.collect()))
    });
    heap.collect_major();
    table
}

#[test]
fn a_minor_collection_scans_only_the_stored_part_of_an_old_array() {
    // Neither the verifier nor the stress mode's extra collections, which trace the whole
    // table themselves.
    let config = HeapConfig {
        verify: false,
        stress: None,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let table = old_table(&mut heap);
    let stored = [7, SLOTS / 2, SLOTS - 1];
    traced();
    heap.mutate(|m| {
        let table = table.get(m);
        for &i in &stored {
            table[i].item.set(m, Some(Gc::new(m, i as u64 * 10)));
        }
    });
    heap.collect_minor();
    let scanned = traced();
    assert!(
        (stored.len()..SLOTS / 20).contains(&scanned),
        "{scanned} of {SLOTS} elements traced for {} stores",
        stored.len()
    );

    // A second minor collection, with no store in between, scans at most the cards whose
    // slots still point into the nursery; a major one finds everything where it was put.
    heap.collect_minor();
    assert!(traced() < SLOTS / 20);
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_major();
    heap.mutate(|m| {
        let table = table.get(m);
        for (i, slot) in table.iter().enumerate() {
            let expected = stored.contains(&i).then_some(i as u64 * 10);
            assert_eq!(slot.item.get().map(|gc| *gc), expected, "slot {i}");
        }
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "slow under Miri; the same code paths run in the smaller card tests"
)]
fn stores_into_an_old_array_survive_many_minor_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let table = old_table(&mut heap);
    for round in 0..scaled(40) as u64 {
        heap.mutate(|m| {
            let table = table.get(m);
            let i = (round as usize * 7919) % SLOTS;
            table[i].item.set(m, Some(Gc::new(m, round)));
        });
        heap.collect_minor();
        if round % 8 == 7 {
            heap.collect_major();
        }
    }
    assert_eq!(heap.verify(), Ok(()));
    heap.mutate(|m| {
        let table = table.get(m);
        for round in 0..scaled(40) as u64 {
            let i = (round as usize * 7919) % SLOTS;
            assert_eq!(table[i].item.get().map(|gc| *gc), Some(round));
        }
    });
}

#[test]
fn stores_into_old_objects_on_neighbouring_cards_are_all_kept() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    // Many small old nodes, several per card.
    let nodes: Root<Vec<Gc<'static, Node<'static>>>> = heap.mutate(|m| {
        let nodes = (0..if cfg!(miri) { 100 } else { 2_000 }).map(|i| Gc::new(m, Node::new(i)));
        m.root(Gc::new(m, nodes.collect::<Vec<_>>()))
    });
    heap.collect_major();
    heap.mutate(|m| {
        for (i, node) in nodes.get(m).iter().enumerate() {
            node.next.set(m, Some(Gc::new(m, Node::new(-(i as i64)))));
        }
    });
    heap.collect_minor();
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_minor();
    heap.mutate(|m| {
        for (i, node) in nodes.get(m).iter().enumerate() {
            assert_eq!(node.next.get().map(|next| next.value), Some(-(i as i64)));
        }
    });
}

#[test]
fn a_dead_old_object_keeps_what_it_points_at_until_a_major_collection() {
    // No stress mode: it would run major collections at the scopes' ends.
    let config = HeapConfig {
        stress: None,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let (kept, cleared) = (DropCounter::default(), DropCounter::default());
    let olds = heap.mutate(|m| {
        let olds = [Gc::new(m, Node::new(0)), Gc::new(m, Node::new(1))];
        m.root(Gc::new(m, olds))
    });
    heap.collect_major();
    heap.mutate(|m| {
        let [linked, unlinked] = *olds.get(m);
        linked
            .next
            .set(m, Some(Gc::new(m, Node::tracked(2, &kept))));
        unlinked
            .next
            .set(m, Some(Gc::new(m, Node::tracked(3, &cleared))));
        unlinked.next.set(m, None);
    });
    drop(olds);
    heap.collect_minor();
    assert_eq!(
        kept.count(),
        0,
        "a minor collection scans a dirty card's old objects as live"
    );
    assert_eq!(cleared.count(), 1, "a cleared link keeps nothing");
    heap.collect_major();
    assert_eq!(
        kept.count(),
        1,
        "the major collection finds the old object dead"
    );
}

/// An old object with a slot for a young one and a payload that spreads its kind over many
/// chunks (under a kibibyte, so not a large object in the small configuration).
#[derive(Trace)]
struct Spread<'gc> {
    young: GcCell<'gc, Option<Gc<'gc, u64>>>,
    payload: [u64; 120],
}

#[test]
fn stores_into_old_objects_on_more_chunks_than_the_barrier_caches_are_all_kept() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    // Some 100 chunks of old objects (chunks are 16 KiB under Miri, 256 KiB otherwise), more
    // than the barrier caches; under Miri some 20, of which it caches 8.
    let n = if cfg!(miri) { 320 } else { 25_000 };
    let olds: Root<Vec<Gc<'static, Spread<'static>>>> = heap.mutate(|m| {
        let olds = (0..n).map(|i| {
            Gc::new(
                m,
                Spread {
                    young: GcCell::new(None),
                    payload: [i as u64; 120],
                },
            )
        });
        m.root(Gc::new(m, olds.collect::<Vec<_>>()))
    });
    heap.collect_major();
    // A stride that visits the chunks out of order, so that their cached card tables evict
    // one another.
    let stride = 7_919; // a prime: every index once
    heap.mutate(|m| {
        let olds = olds.get(m);
        for k in 0..n {
            let i = k * stride % n;
            olds[i].young.set(m, Some(Gc::new(m, i as u64)));
        }
    });
    heap.collect_minor();
    if !cfg!(miri) {
        assert_eq!(heap.verify(), Ok(()));
    }
    heap.collect_minor();
    heap.mutate(|m| {
        for (i, old) in olds.get(m).iter().enumerate() {
            assert_eq!(old.young.get().map(|gc| *gc), Some(i as u64));
            assert_eq!(old.payload[119], i as u64);
        }
    });
}
