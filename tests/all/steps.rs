//! Long computations reach collection points, so memory stays bounded.

use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Root, RunState};

use crate::common::*;

#[test]
fn a_long_step_loop_keeps_the_heap_bounded() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let mut peak = 0;
    let steps = if cfg!(miri) { 200 } else { 20_000 };
    let total = heap.run(
        |m| RunState::new((Gc::new(m, Node::new(0)), 0)),
        |m, (acc, i)| {
            // A little garbage per step, some of it in cycles, and one live node carried on.
            let a = Gc::new(m, Node::tracked(1, &counter));
            let b = Gc::new(m, Node::tracked(2, &counter));
            a.next.set(m, Some(b));
            b.next.set(m, Some(a));
            let next = Gc::new(m, Node::new(acc.value + 1));
            next.prev.set(m, Some(acc)); // keeps only the previous one
            acc.prev.set(m, None);
            if i == steps {
                ControlFlow::Break(acc.value)
            } else {
                ControlFlow::Continue((next, i + 1))
            }
        },
    );
    assert_eq!(total, steps as i64);
    heap.collect_minor(); // the last steps' garbage
    let stats = heap.stats();
    peak = peak.max(stats.heap_reserved);
    assert!(
        stats.minor.count >= 2,
        "collections ran during the loop: {stats:?}"
    );
    assert!(peak < 4 * 1024 * 1024, "the heap grew to {peak} bytes");
    assert_eq!(counter.count(), 2 * (steps as usize + 1));
}

#[test]
fn a_root_used_with_another_heap_panics() {
    let mut first = Heap::with_config(HeapConfig::from_env()).unwrap();
    let mut second = Heap::with_config(HeapConfig::from_env()).unwrap();
    let root: Root<i32> = first.mutate(|m| m.root(Gc::new(m, 5)));
    let panic = catch_unwind(AssertUnwindSafe(|| second.mutate(|m| *root.get(m)))).unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or(panic.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(
        message.contains("a Root was used with a heap other than the one that created it"),
        "{message}"
    );
    assert_eq!(first.mutate(|m| *root.get(m)), 5);
}

#[test]
fn a_panic_in_a_scope_leaves_the_heap_usable() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let keep = heap.mutate(|m| m.root(Gc::new(m, GcCell::new(Some(Gc::new(m, Node::new(3)))))));
    let result = catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|m| {
            keep.get(m).set(m, Some(Gc::new(m, Node::new(4))));
            panic!("user code failed");
        })
    }));
    assert!(result.is_err());
    heap.collect_minor();
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(keep.get(m).get().unwrap().value, 4));
}
