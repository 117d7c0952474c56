//! `Cell`s of leaves in managed objects: set through a shared reference, with no `Mutation`,
//! and kept through minor and major collections.

use std::cell::Cell;

use tenured_gc::{Gc, GcCell, Heap, Leaf, Trace};

use crate::common::*;

/// A pointer-free value a cell may hold.
#[derive(Trace, Clone, Copy, PartialEq, Debug)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Trace)]
struct Counter<'gc> {
    hits: Cell<u32>,
    seen: Cell<bool>,
    last: Cell<Option<Point>>,
    name: Cell<&'static str>,
    next: GcCell<'gc, Option<Gc<'gc, Counter<'gc>>>>,
}

fn counter<'gc>() -> Counter<'gc> {
    Counter {
        hits: Cell::new(0),
        seen: Cell::new(false),
        last: Cell::new(None),
        name: Cell::new("new"),
        next: GcCell::new(None),
    }
}

fn is_leaf<T: Leaf>() {}

#[test]
fn a_cell_of_a_leaf_is_a_leaf() {
    is_leaf::<Cell<u32>>();
    is_leaf::<Cell<Option<Point>>>();
}

#[test]
fn leaf_cells_keep_their_values_through_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let a = Gc::new(m, counter());
        let b = Gc::new(m, counter());
        a.next.set(m, Some(b));
        b.next.set(m, Some(a));
        m.root(a)
    });
    for round in 0..12_u32 {
        heap.mutate(|m| {
            let a = root.get(m);
            let b = a.next.get().unwrap();
            a.hits.set(a.hits.get() + 1);
            b.hits.set(b.hits.get() + 2);
            a.seen.set(true);
            b.last.set(Some(Point {
                x: round as i32,
                y: -(round as i32),
            }));
            b.name.set(if round % 2 == 0 { "even" } else { "odd" });
            // Garbage, so the collections have something to free.
            for _ in 0..50 {
                Gc::new(m, counter());
            }
        });
        if round % 4 == 3 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.verify().unwrap();
        heap.mutate(|m| {
            let a = root.get(m);
            let b = a.next.get().unwrap();
            assert_eq!(a.hits.get(), round + 1);
            assert_eq!(b.hits.get(), 2 * (round + 1));
            assert!(a.seen.get() && !b.seen.get());
            let expected = Point {
                x: round as i32,
                y: -(round as i32),
            };
            assert_eq!(b.last.get(), Some(expected));
            assert_eq!(b.name.get(), if round % 2 == 0 { "even" } else { "odd" });
            assert!(b.next.get() == Some(a));
        });
    }
}

#[test]
fn a_leaf_cell_in_an_old_object_changes_without_a_barrier() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| m.root(Gc::new(m, counter())));
    heap.collect_major(); // now old
    heap.mutate(|m| root.get(m).hits.set(41));
    heap.collect_minor();
    heap.mutate(|m| root.get(m).hits.set(root.get(m).hits.get() + 1));
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(root.get(m).hits.get(), 42));
}
