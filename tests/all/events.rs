//! The collection hook sees every collection, with why it ran and what it left.

use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use tenured_gc::{
    CollectionEvent, CollectionKind, CollectionReason, Gc, Heap, HeapConfig, HeapStats, RunState,
};

use crate::common::*;

/// A configuration whose hook appends every event to the returned log.
fn logged(config: HeapConfig) -> (HeapConfig, Rc<RefCell<Vec<CollectionEvent>>>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let sink = log.clone();
    let config = config.on_collection(move |e| sink.borrow_mut().push(*e));
    (config, log)
}

/// The small configuration without the stress mode, whatever `GC_STRESS` says: for tests of
/// what the pacer decides.
fn unstressed() -> HeapConfig {
    HeapConfig {
        stress: None,
        ..small_config()
    }
}

fn check_sizes_match_stats(event: &CollectionEvent, stats: &HeapStats) {
    let after = &event.after;
    assert_eq!(
        after.young,
        stats.eden_used + stats.overflow_used + stats.survivor_used
    );
    assert_eq!(after.old, stats.old_used);
    assert_eq!(after.large, stats.large_used);
    assert_eq!(after.reserved, stats.heap_reserved);
    assert_eq!(after.used() as u64, stats.used_after_last_collection);
}

#[test]
fn the_hook_sees_every_collection_in_order() {
    let (config, log) = logged(small_config());
    let mut heap = Heap::with_config(config).unwrap();
    let mut roots = Vec::new();
    for round in 0..20 {
        let seen = log.borrow().len();
        roots.push(heap.mutate(|m| {
            // Enough to fill half of eden, under Miri's smaller one too.
            for i in 0..if cfg!(miri) { 150 } else { 500 } {
                Gc::new(m, Node::new(i));
            }
            Gc::new(m, [7u8; 4000]); // large
            m.root(Gc::new(m, Node::new(round)))
        }));
        if log.borrow().len() > seen {
            check_sizes_match_stats(log.borrow().last().unwrap(), &heap.stats());
        }
    }
    assert!(log.borrow().len() >= 5, "a scope fills half of eden");
    heap.collect_minor();
    check_sizes_match_stats(log.borrow().last().unwrap(), &heap.stats());
    roots.truncate(5);
    heap.collect_major();

    let stats = heap.stats();
    let events = log.borrow();
    assert_eq!(events.len() as u64, stats.minor.count + stats.major.count);
    let numbers: Vec<_> = events.iter().map(|e| e.number).collect();
    assert_eq!(numbers, (1..=events.len() as u64).collect::<Vec<_>>());
    let of = |kind| events.iter().filter(|e| e.kind == kind).count() as u64;
    assert_eq!(of(CollectionKind::Minor), stats.minor.count);
    assert_eq!(of(CollectionKind::Major), stats.major.count);
    let paused: std::time::Duration = events.iter().map(|e| e.pause).sum();
    assert_eq!(paused, stats.minor.total + stats.major.total);

    let [.., minor, major] = &events[..] else {
        panic!("two requested collections at least")
    };
    assert_eq!(
        (minor.kind, minor.reason),
        (CollectionKind::Minor, CollectionReason::Requested)
    );
    assert_eq!(
        (major.kind, major.reason),
        (CollectionKind::Major, CollectionReason::Requested)
    );
    // Each collection begins with what the one before it left, and what was allocated since.
    assert!(major.before.old >= minor.after.old);
    // A major collection empties the nursery and leaves only what is live.
    assert_eq!(major.after.young, 0);
    assert_eq!(major.after.used() as u64, stats.live_after_last_major);
    assert!(major.after.used() < major.before.used(), "15 rounds died");
    check_sizes_match_stats(major, &stats);
}

#[test]
fn reasons_name_what_the_pacer_saw() {
    let (config, log) = logged(unstressed());
    let eden = config.nursery_size;
    let mut heap = Heap::with_config(config).unwrap();
    let reasons = |log: &RefCell<Vec<CollectionEvent>>| {
        let reasons: Vec<_> = log.borrow().iter().map(|e| (e.kind, e.reason)).collect();
        log.borrow_mut().clear();
        reasons
    };
    use CollectionKind::{Major, Minor};

    // Scopes of a tenth of eden each, which keep one object: eden fills up.
    let mut kept = Vec::new();
    while log.borrow().is_empty() {
        kept.push(heap.mutate(|m| {
            for _ in 0..eden / 10 / 256 {
                Gc::new(m, [0u64; 31]);
            }
            m.root(Gc::new(m, [0u64; 31]))
        }));
    }
    let seen = reasons(&log);
    assert!(
        seen == [(Minor, CollectionReason::EdenFull)]
            || seen == [(Minor, CollectionReason::NextScopeWouldNotFit)],
        "{seen:?}"
    );

    // A scope that allocates more than eden holds overflows it.
    let _big = heap.mutate(|m| {
        let all: Vec<_> = (0..2 * eden / 256)
            .map(|_| Gc::new(m, [0u64; 30]))
            .collect();
        m.root(Gc::from_vec(m, all))
    });
    assert_eq!(
        reasons(&log).first(),
        Some(&(Minor, CollectionReason::EdenOverflowed))
    );

    // Promoting far more than the old budget allows brings a major collection.
    let budget = heap.stats().old_budget;
    let (mut promoted, mut promoted_roots) = (0, Vec::new());
    let mut seen = Vec::new();
    while !seen.contains(&(Major, CollectionReason::OldOverBudget)) {
        for _ in 0..10 {
            promoted_roots.push(heap.mutate(|m| m.root(Gc::from_vec(m, vec![1u64; 100]))));
        }
        heap.collect_minor();
        heap.collect_minor();
        promoted += 10 * 816;
        assert!(promoted < 4 * budget, "no major collection: {seen:?}");
        seen.extend(reasons(&log));
    }
    // The major collection followed the minor one that put the old generation over.
    let at = seen
        .iter()
        .position(|r| *r == (Major, CollectionReason::OldOverBudget))
        .unwrap();
    assert_eq!(seen[at - 1], (Minor, CollectionReason::Requested));
}

#[test]
fn the_stress_mode_says_so() {
    let (config, log) = logged(HeapConfig {
        stress: Some(3),
        ..small_config()
    });
    let mut heap = Heap::with_config(config).unwrap();
    for _ in 0..6 {
        heap.mutate(|m| {
            Gc::new(m, 1u64);
        });
    }
    let seen: Vec<_> = log.borrow().iter().map(|e| (e.kind, e.reason)).collect();
    let (minor, major) = (
        (CollectionKind::Minor, CollectionReason::Stress),
        (CollectionKind::Major, CollectionReason::Stress),
    );
    assert_eq!(seen, [minor, minor, major, minor, minor, major]);
}

#[test]
fn a_panicking_hook_leaves_the_heap_usable() {
    let panics_left = Rc::new(Cell::new(2));
    let left = panics_left.clone();
    let config = small_config().on_collection(move |e| {
        if e.kind == CollectionKind::Major && left.get() > 0 {
            left.set(left.get() - 1);
            panic!("the hook fails");
        }
    });
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(config).unwrap();
    let head = heap.mutate(|m| {
        let head = Gc::new(m, Node::new(0));
        let mut tail = head;
        for i in 1..100 {
            let next = Gc::new(m, Node::tracked(i, &counter));
            tail.next.set(m, Some(next));
            tail = next;
        }
        Gc::new(m, Node::tracked(-1, &counter)); // garbage with drop glue
        m.root(head)
    });

    let failed = catch_unwind(AssertUnwindSafe(|| heap.collect_major()));
    let message = *failed.unwrap_err().downcast::<&str>().unwrap();
    assert_eq!(message, "the hook fails");
    // The collection had finished: the garbage was finalized, the list moved intact.
    assert_eq!(counter.count(), 1);
    heap.verify().unwrap();
    let sum = |heap: &mut Heap| {
        heap.mutate(|m| {
            let (mut node, mut sum) = (Some(head.get(m)), 0);
            while let Some(n) = node {
                sum += n.value;
                node = n.next.get();
            }
            sum
        })
    };
    assert_eq!(sum(&mut heap), 99 * 100 / 2);

    // The same from a collection point the pacer chose, inside `run`: the state survives.
    let failed = catch_unwind(AssertUnwindSafe(|| {
        heap.run(
            |m| RunState::new((Gc::new(m, 5), 0)),
            |m, (gc, step)| {
                let _garbage = Gc::new(m, [0u8; 100]);
                if step == 50 {
                    ControlFlow::Break(*gc)
                } else {
                    ControlFlow::Continue((Gc::new(m, *gc + 1), step + 1))
                }
            },
        )
    }));
    if heap.config().stress.is_some() {
        assert!(failed.is_err(), "the stress mode runs a major collection");
    } else {
        // Without the stress mode the pacer runs no major collection here; ask for one.
        assert_eq!(failed.unwrap(), 55);
        assert!(catch_unwind(AssertUnwindSafe(|| heap.collect_major())).is_err());
    }
    assert_eq!(panics_left.get(), 0);
    heap.collect_major();
    heap.verify().unwrap();
    assert_eq!(sum(&mut heap), 99 * 100 / 2);
    drop(head);
    heap.collect_major();
    assert_eq!(counter.count(), 100);
    assert_eq!(heap.stats().live_after_last_major, 0);
}

#[test]
fn configurations_with_hooks_compare_and_clone() {
    let config = HeapConfig::default().on_collection(|_| {});
    assert_eq!(config, config.clone());
    assert_ne!(config, HeapConfig::default());
    assert_ne!(config, HeapConfig::default().on_collection(|_| {}));
    assert!(format!("{config:?}").contains("collection_hook: Some(CollectionHook("));
}
