//! Scopes that give their eden back when they end: what is reclaimed, and each way an object
//! can outlive its scope, every one of which must keep the scope's objects.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tenured_gc::{Gc, GcCell, GcWeak, Heap, Mutation, Root, RunState, Trace};

use crate::common::*;

/// A node with no drop glue, so that a scope of them can be reclaimed.
#[derive(Trace)]
struct Link<'gc> {
    value: i64,
    next: GcCell<'gc, Option<Gc<'gc, Link<'gc>>>>,
    weak: GcCell<'gc, GcWeak<'gc, Link<'gc>>>,
}

fn link<'gc>(m: &Mutation<'gc>, value: i64) -> Gc<'gc, Link<'gc>> {
    Gc::new(
        m,
        Link {
            value,
            next: GcCell::new(None),
            weak: GcCell::new(GcWeak::new()),
        },
    )
}

fn heap() -> Heap {
    Heap::with_config(small_config()).unwrap()
}

fn stressed(heap: &Heap) -> bool {
    heap.config().stress.is_some()
}

fn reclaimed(heap: &Heap) -> u64 {
    heap.stats().bytes_reclaimed_by_scopes
}

/// A scope of garbage: a ring of `n` links, walked once. Returns the sum of its values.
fn garbage_ring(heap: &mut Heap, n: i64) -> i64 {
    heap.mutate(|m| {
        let first = link(m, 0);
        let mut last = first;
        for i in 1..n {
            let next = link(m, i);
            last.next.set(m, Some(next));
            last = next;
        }
        last.next.set(m, Some(first));
        let (mut sum, mut at) = (0, first);
        for _ in 0..n {
            sum += at.value;
            at = at.next.get().unwrap();
        }
        sum
    })
}

/// Scopes of garbage that, if a kept scope had wrongly been reclaimed, would write over it.
fn churn(heap: &mut Heap) {
    for _ in 0..scaled(200) {
        assert_eq!(garbage_ring(heap, 50), 50 * 49 / 2);
    }
}

#[test]
fn scopes_of_garbage_give_their_eden_back_without_collecting() {
    let mut heap = heap();
    let scopes = scaled(2000);
    for _ in 0..scopes {
        assert_eq!(garbage_ring(&mut heap, 50), 50 * 49 / 2);
    }
    let stats = heap.stats();
    let allocated = (scopes * 50 * 32) as u64; // header, value and two cells per link
    assert!(
        stats.bytes_reclaimed_by_scopes >= allocated,
        "reclaimed {} of at least {allocated} bytes",
        stats.bytes_reclaimed_by_scopes
    );
    assert!(stats.bytes_allocated >= stats.bytes_reclaimed_by_scopes);
    assert_eq!(stats.heap_used, 0);
    assert_eq!(stats.eden_used, 0);
    if !stressed(&heap) {
        // Many edens' worth of objects, and never a collection.
        assert!(allocated > 10 * small_config().nursery_size as u64);
        assert_eq!(stats.minor.count, 0);
    }
}

#[test]
fn a_rooted_object_keeps_its_scope() {
    let mut heap = heap();
    let root = heap.mutate(|m| {
        let a = link(m, 1);
        a.next.set(m, Some(link(m, 2)));
        m.root(a)
    });
    assert_eq!(reclaimed(&heap), 0);
    churn(&mut heap);
    let read = |heap: &mut Heap, root: &Root<Link<'static>>| {
        heap.mutate(|m| {
            let a = root.get(m);
            (a.value, a.next.get().unwrap().value)
        })
    };
    assert_eq!(read(&mut heap, &root), (1, 2));
    heap.collect_minor();
    assert_eq!(read(&mut heap, &root), (1, 2));
    assert_eq!(heap.verify(), Ok(()));
}

/// Roots one link, lets `setup` move it where it should be, then stores a new link into it in
/// a scope of its own and checks that the scope was kept, and the new link with it.
fn check_store_keeps_the_scope(setup: impl FnOnce(&mut Heap)) {
    let mut heap = heap();
    let root = heap.mutate(|m| m.root(link(m, 1)));
    setup(&mut heap);
    let before = reclaimed(&heap);
    heap.mutate(|m| root.get(m).next.set(m, Some(link(m, 7))));
    assert_eq!(reclaimed(&heap), before, "the storing scope was reclaimed");
    churn(&mut heap);
    let read = |heap: &mut Heap| heap.mutate(|m| root.get(m).next.get().unwrap().value);
    assert_eq!(read(&mut heap), 7);
    heap.collect_minor();
    assert_eq!(read(&mut heap), 7);
    heap.collect_major();
    assert_eq!(read(&mut heap), 7);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn a_store_into_a_young_object_of_an_earlier_scope_keeps_the_scope() {
    check_store_keeps_the_scope(|_| {});
}

#[test]
fn a_store_into_a_survivor_keeps_the_scope() {
    check_store_keeps_the_scope(|heap| heap.collect_minor());
}

#[test]
fn a_store_into_an_old_object_keeps_the_scope() {
    check_store_keeps_the_scope(|heap| heap.collect_major());
}

#[test]
fn a_root_moved_onto_a_new_object_keeps_the_scope() {
    let mut heap = heap();
    let root = heap.mutate(|m| m.root(link(m, 1)));
    let before = reclaimed(&heap);
    heap.mutate(|m| root.set(m, link(m, 9)));
    assert_eq!(reclaimed(&heap), before);
    churn(&mut heap);
    assert_eq!(heap.mutate(|m| root.get(m).value), 9);
    heap.collect_minor();
    assert_eq!(heap.mutate(|m| root.get(m).value), 9);
}

#[test]
fn an_object_that_needs_drop_keeps_its_scope_and_is_dropped_once() {
    let mut heap = heap();
    let drops = DropCounter::default();
    let before = reclaimed(&heap);
    heap.mutate(|m| {
        let node = Gc::new(m, Node::tracked(1, &drops));
        assert_eq!(node.value, 1);
    });
    assert_eq!(reclaimed(&heap), before);
    heap.collect_minor();
    assert_eq!(drops.count(), 1);
    churn(&mut heap);
    heap.collect_major();
    assert_eq!(drops.count(), 1);
}

#[test]
fn a_large_object_pointing_into_the_scope_keeps_it() {
    let mut heap = heap();
    let before = reclaimed(&heap);
    heap.mutate(|m| {
        // Past small_config's large-object threshold, and garbage when the scope ends.
        let target = link(m, 5);
        let big = Gc::from_vec(m, vec![Some(target); 200]);
        assert_eq!(big[199].unwrap().value, 5);
    });
    assert_eq!(reclaimed(&heap), before);
    churn(&mut heap);
    // The large object may still be in the remembered set: its slots must hold live objects.
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_minor();
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn a_weak_reference_from_an_earlier_object_keeps_the_scope() {
    let mut heap = heap();
    let root = heap.mutate(|m| m.root(link(m, 1)));
    let before = reclaimed(&heap);
    heap.mutate(|m| {
        let target = link(m, 3);
        root.get(m).weak.set(m, Gc::downgrade(target));
    });
    assert_eq!(reclaimed(&heap), before);
    if !stressed(&heap) {
        // No collection yet: the target is still there.
        let seen = heap.mutate(|m| root.get(m).weak.get().upgrade().map(|t| t.value));
        assert_eq!(seen, Some(3));
    }
    churn(&mut heap);
    heap.collect_minor();
    assert!(heap.mutate(|m| root.get(m).weak.get().is_dead()));
}

#[test]
fn a_scope_that_overflows_eden_is_kept_and_its_garbage_dies_young() {
    let mut heap = heap();
    let before = reclaimed(&heap);
    // Three edens' worth (not scaled down under Miri: the scope must overflow).
    let links = (small_config().nursery_size / 32 * 3) as i64;
    let sum = garbage_ring(&mut heap, links);
    assert_eq!(sum, links * (links - 1) / 2);
    assert_eq!(
        reclaimed(&heap),
        before,
        "an overflowing scope was reclaimed"
    );
    let stats = heap.stats();
    assert_eq!(
        stats.overflow_used, 0,
        "the collection point freed the overflow"
    );
    assert!(stats.minor.count >= 1);
    assert_eq!(stats.heap_used, 0);
}

#[test]
fn a_scope_that_panics_leaves_the_heap_usable() {
    let mut heap = heap();
    let root = heap.mutate(|m| m.root(link(m, 1)));
    let caught = catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|m| {
            root.get(m).next.set(m, Some(link(m, 2)));
            let _garbage = link(m, 3);
            panic!("out of the scope");
        })
    }));
    assert!(caught.is_err());
    churn(&mut heap);
    assert_eq!(heap.mutate(|m| root.get(m).next.get().unwrap().value), 2);
    heap.collect_minor();
    assert_eq!(heap.mutate(|m| root.get(m).next.get().unwrap().value), 2);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn the_steps_of_a_run_are_never_reclaimed() {
    use std::ops::ControlFlow;
    let mut heap = heap();
    let steps = scaled(2000) as i64;
    // Each step's state is an object that step allocated.
    let last = heap.run(
        |m| RunState::new(link(m, 0)),
        |m, state| {
            if state.value == steps {
                ControlFlow::Break(state.value)
            } else {
                let next = link(m, state.value + 1);
                let _garbage = link(m, -1);
                ControlFlow::Continue(next)
            }
        },
    );
    assert_eq!(last, steps);
    assert_eq!(reclaimed(&heap), 0);
}
