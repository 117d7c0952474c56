//! Pacing: eden grows to hold the biggest recent scope, so its garbage dies young, and shrinks
//! back when scopes are small again.

use tenured_gc::{Gc, Heap, HeapConfig};

use crate::common::*;

const KIB: usize = 1024;
/// Eden to start with, and the most it may grow to.
const EDEN: usize = if cfg!(miri) { 16 * KIB } else { 64 * KIB };
const MAX_EDEN: usize = 16 * EDEN;

fn config() -> HeapConfig {
    HeapConfig {
        nursery_size: EDEN,
        max_nursery_size: MAX_EDEN,
        ..small_config()
    }
}

#[test]
fn eden_grows_for_big_scopes_and_shrinks_after() {
    let mut heap = Heap::with_config(config()).unwrap();
    let kept = heap.mutate(|m| m.root(Gc::new(m, Node::new(7))));
    // One scope allocates about five edens of garbage.
    let big_scope = |heap: &mut Heap| {
        heap.mutate(|m| {
            for i in 0..scaled(4_000) {
                Gc::new(m, Node::new(i as i64));
            }
        })
    };
    big_scope(&mut heap);
    heap.collect_minor();
    let grown = heap.stats().eden_size;
    assert!(grown > EDEN && grown <= MAX_EDEN, "eden is {grown} bytes");
    // Scopes like it now fit in eden: their garbage dies young, no major collection runs.
    let majors = heap.stats().major.count;
    for _ in 0..if cfg!(miri) { 3 } else { 10 } {
        big_scope(&mut heap);
    }
    if heap.config().stress.is_none() {
        assert_eq!(heap.stats().major.count, majors, "{:?}", heap.stats());
    }
    // Many small scopes later, eden is back near its configured size (it shrinks only once it
    // is four times too big, so that it does not flap).
    for i in 0..if cfg!(miri) { 60 } else { 200 } {
        heap.mutate(|m| {
            Gc::new(m, Node::new(i));
        });
    }
    heap.collect_minor();
    let shrunk = heap.stats().eden_size;
    assert!(
        shrunk < grown && shrunk < 4 * EDEN,
        "eden is {shrunk} bytes after growing to {grown}"
    );
    heap.mutate(|m| assert_eq!(kept.get(m).label, "node 7"));
    heap.verify().unwrap();
}

#[test]
fn eden_stays_within_its_maximum_and_the_heap_limit() {
    let limited = HeapConfig {
        heap_limit: Some(4 * 1024 * KIB),
        ..config()
    };
    for config in [config(), limited] {
        let limit = config.heap_limit;
        let mut heap = Heap::with_config(config).unwrap();
        heap.mutate(|m| {
            for i in 0..scaled(40_000) / if cfg!(miri) { 4 } else { 1 } {
                if Gc::try_new(m, Node::new(i as i64)).is_err() {
                    break;
                }
            }
        });
        heap.collect_minor();
        let stats = heap.stats();
        assert!(stats.eden_size <= MAX_EDEN, "{stats:?}");
        if let Some(limit) = limit {
            assert!(stats.heap_reserved <= limit, "{stats:?}");
        }
    }
}

#[test]
fn a_maximum_below_the_initial_size_is_rejected() {
    let config = HeapConfig {
        nursery_size: 64 * KIB,
        max_nursery_size: 32 * KIB,
        ..config()
    };
    let error = Heap::with_config(config).err().unwrap().to_string();
    assert!(
        error.contains("`max_nursery_size` = 32768: must be between `nursery_size`"),
        "{error}"
    );
}
