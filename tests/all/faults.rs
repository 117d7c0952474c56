//! Faults: panics out of user code at every place the collector calls it, re-entrant drop
//! glue, the stress mode, and a long churn that must not grow the heap.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tenured_gc::{Gc, GcCell, GcDrop, Heap, HeapConfig, Root, RunState, Trace, Tracer};

use crate::common::*;

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(panic) => panic
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// Whether `TraceBomb`'s trace panics: a static, as a major collection may trace it on one of
/// its worker threads.
static TRACE_BOMB_ARMED: AtomicBool = AtomicBool::new(false);

/// A value whose `trace` panics once armed.
struct TraceBomb;

// SAFETY: holds no managed pointer; its `trace` panics but never touches the heap.
unsafe impl Trace for TraceBomb {
    fn trace(&mut self, _: &mut Tracer<'_>) {
        if TRACE_BOMB_ARMED.load(Ordering::SeqCst) {
            panic!("trace failed");
        }
    }
}

// SAFETY: no brand.
unsafe impl<'gc> tenured_gc::Rebrand<'gc> for TraceBomb {
    type Branded = TraceBomb;
}

/// Counts its drops in a static, so that leaking it (as a poisoned heap does) leaks nothing.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct CountsDrops;

static POISONED_HEAP_DROPS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: `drop` touches only a static counter.
unsafe impl GcDrop for CountsDrops {}

impl Drop for CountsDrops {
    fn drop(&mut self) {
        POISONED_HEAP_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn a_panic_in_trace_poisons_the_heap_which_then_refuses_use() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    // Both objects are rooted, so no collection (stress mode collects at the end of this
    // scope) finalizes the counter before the heap is poisoned.
    let (_counter, _bomb) = heap.mutate(|m| {
        (
            m.root(Gc::new(m, CountsDrops)),
            m.root(Gc::new(m, TraceBomb)),
        )
    });
    TRACE_BOMB_ARMED.store(true, Ordering::SeqCst);
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_minor())).unwrap_err();
    TRACE_BOMB_ARMED.store(false, Ordering::SeqCst);
    assert_eq!(message(panic), "trace failed");
    let refused = catch_unwind(AssertUnwindSafe(|| heap.mutate(|_| ()))).unwrap_err();
    assert!(message(refused).contains("this heap is unusable"));
    let refused = catch_unwind(AssertUnwindSafe(|| heap.collect_major())).unwrap_err();
    assert!(message(refused).contains("this heap is unusable"));
    // Dropping a poisoned heap frees its memory without running drop glue on half-moved
    // objects.
    drop(heap);
    assert_eq!(POISONED_HEAP_DROPS.load(Ordering::Relaxed), 0);
}

/// Panics when dropped, once armed, after counting the drop.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct DropBomb(#[gc(ignore)] DropCounter);

// SAFETY: `drop` touches only the counter, no managed pointer.
unsafe impl GcDrop for DropBomb {}

impl Drop for DropBomb {
    fn drop(&mut self) {
        self.0 .0.set(self.0 .0.get() + 1);
        if self.0 .0.get() == 3 {
            panic!("drop failed");
        }
    }
}

#[test]
fn a_panic_in_drop_glue_surfaces_after_the_collection_and_the_heap_stays_usable() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let keep = heap.mutate(|m| m.root(Gc::new(m, Node::new(9))));
    let panic = catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|m| {
            for _ in 0..10 {
                Gc::new(m, DropBomb(counter.clone()));
            }
        });
        // The panic surfaces at the first collection: this one, or in stress mode the one
        // at the end of the scope.
        heap.collect_minor();
    }))
    .unwrap_err();
    assert_eq!(message(panic), "drop failed");
    assert_eq!(counter.count(), 10, "every dead object was dropped, once");
    heap.verify().unwrap();
    heap.collect_major();
    assert_eq!(counter.count(), 10);
    heap.mutate(|m| assert_eq!(keep.get(m).value, 9));
}

#[test]
fn a_panic_in_a_step_leaves_the_heap_usable() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let keep = heap.mutate(|m| m.root(Gc::new(m, Node::new(1))));
    let result: std::thread::Result<()> = catch_unwind(AssertUnwindSafe(|| {
        heap.run(
            |m| RunState::new((Gc::new(m, Node::new(0)), 0u32)),
            |m, (node, i)| {
                assert!(i < scaled(500) as u32, "step failed");
                let next = Gc::new(m, Node::new(i as i64));
                next.next.set(m, Some(node));
                ControlFlow::Continue((next, i + 1))
            },
        )
    }));
    assert!(message(result.unwrap_err()).contains("step failed"));
    heap.collect_minor();
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(keep.get(m).value, 1));
    assert!(
        heap.stats().old_used < 4096,
        "the abandoned state became garbage"
    );
}

thread_local! {
    static SHARED_HEAP: RefCell<Option<Heap>> = const { RefCell::new(None) };
}

/// Tries to reach the heap that is finalizing it.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Reentrant;

// SAFETY: `drop` touches no managed pointer (it tries to reach the heap, which is borrowed).
unsafe impl GcDrop for Reentrant {}

impl Drop for Reentrant {
    fn drop(&mut self) {
        SHARED_HEAP.with(|heap| {
            if let Some(heap) = heap.borrow_mut().as_mut() {
                heap.collect_minor();
            }
        })
    }
}

#[test]
fn drop_glue_that_reaches_for_its_own_heap_gets_a_clean_panic() {
    SHARED_HEAP.set(Some(Heap::with_config(small_config()).unwrap()));
    let result = catch_unwind(|| {
        SHARED_HEAP.with(|heap| {
            let mut heap = heap.borrow_mut();
            let heap = heap.as_mut().unwrap();
            heap.mutate(|m| {
                Gc::new(m, Reentrant);
            });
            heap.collect_minor();
        })
    });
    // The heap is exclusively borrowed while it collects: the drop glue cannot reach it.
    assert!(message(result.unwrap_err()).contains("already borrowed"));
    SHARED_HEAP.with(|heap| {
        let mut heap = heap.borrow_mut();
        let heap = heap.as_mut().unwrap();
        heap.verify().unwrap();
        let root = heap.mutate(|m| m.root(Gc::new(m, 5u32)));
        heap.collect_major();
        assert_eq!(heap.mutate(|m| *root.get(m)), 5);
    });
    SHARED_HEAP.set(None);
}

/// An object that owns a root of another object: dropping it (during finalization) unroots.
#[derive(Trace)]
struct Owner {
    #[gc(ignore)]
    _root: Root<Node<'static>>,
}

#[test]
fn a_root_dropped_by_drop_glue_unroots_its_object() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    heap.mutate(|m| {
        let node = Gc::new(m, Node::tracked(1, &counter));
        Gc::new(
            m,
            Owner {
                _root: m.root(node),
            },
        );
    });
    heap.collect_minor(); // the owner dies; its root is dropped
    if heap.config().stress.is_none() {
        assert_eq!(
            counter.count(),
            0,
            "the node was rooted when the owner died"
        );
    }
    heap.collect_minor();
    heap.collect_major();
    assert_eq!(counter.count(), 1);
}

#[test]
fn stress_mode_collects_at_every_collection_point() {
    let config = HeapConfig {
        stress: Some(3),
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let root = heap.mutate(|m| m.root(Gc::new(m, Node::new(0))));
    for i in 1..9 {
        heap.mutate(|m| {
            let node = Gc::new(m, Node::new(i));
            node.next.set(m, root.get(m).next.get());
            root.get(m).next.set(m, Some(node));
        });
    }
    let stats = heap.stats();
    assert_eq!(
        stats.minor.count + stats.major.count,
        9,
        "one collection per point"
    );
    assert_eq!(stats.major.count, 3, "a major collection every third point");
    heap.mutate(|m| {
        let mut node = root.get(m).next.get();
        for expected in (1..9).rev() {
            assert_eq!(node.unwrap().value, expected);
            node = node.unwrap().next.get();
        }
    });
}

#[test]
fn a_long_churn_does_not_grow_the_heap() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let table = heap.mutate(|m| {
        let slots: Vec<GcCell<Option<Gc<Node>>>> = (0..64).map(|_| GcCell::new(None)).collect();
        m.root(Gc::from_vec(m, slots))
    });
    let rounds = if cfg!(miri) { 16 } else { 4_000 };
    let mut after_warm_up = 0;
    for round in 0..rounds {
        heap.mutate(|m| {
            let table = table.get(m);
            for k in 0..16 {
                // Replace a slot with a fresh two-node cycle (the old one becomes garbage,
                // often an old one by now), and make a large object now and then.
                let i = (round * 16 + k) % table.len();
                let a = Gc::new(m, Node::tracked(round as i64, &counter));
                let b = Gc::new(m, Node::tracked(round as i64, &counter));
                a.next.set(m, Some(b));
                b.next.set(m, Some(a));
                table[i].set(m, Some(a));
                if k == 0 {
                    // Big enough that the large objects alone pass the old generation's budget.
                    Gc::from_vec(m, vec![round as u64; if cfg!(miri) { 1_000 } else { 200 }]);
                }
            }
        });
        if round == rounds / 4 {
            after_warm_up = heap.stats().heap_reserved;
        }
        if round > rounds / 4 {
            let reserved = heap.stats().heap_reserved;
            assert!(
                reserved <= after_warm_up + 1024 * 1024,
                "the heap grew from {after_warm_up} to {reserved} bytes in round {round}"
            );
        }
    }
    let stats = heap.stats();
    assert!(stats.major.count > 0 && stats.minor.count > 0, "{stats:?}");
    drop(table);
    heap.collect_major();
    assert_eq!(
        counter.count(),
        2 * 16 * rounds,
        "every node died exactly once"
    );
}

#[test]
fn a_root_released_by_drop_glue_while_its_object_slides_is_checked_where_the_object_went() {
    // Stress mode with the verifier runs the re-mark check after every collection. The owner
    // dies in a major collection while its root's target slides down over a dead filler:
    // the check must look at the target where it went, not where it was.
    let counter = DropCounter::default();
    let config = HeapConfig {
        stress: Some(1),
        verify: true,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let (filler, owner) = heap.mutate(|m| {
        let filler = m.root(Gc::new(m, [7u64; 32]));
        let target = Gc::new(m, Node::tracked(7, &counter));
        let owner = m.root(Gc::new(
            m,
            Owner {
                _root: m.root(target),
            },
        ));
        (filler, owner)
    });
    heap.collect_major();
    assert_eq!(heap.stats().eden_used + heap.stats().survivor_used, 0);
    drop((filler, owner));
    heap.collect_major(); // the filler and the owner die; the target slides
    heap.verify().unwrap();
    heap.collect_major(); // the target was rooted only by the owner's root
    assert_eq!(counter.count(), 1, "the target died once, after its owner");
}

/// Panics when dropped: drop glue that fails during a collection.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct PanicsWhenDropped(#[gc(ignore)] &'static str);

// SAFETY: `drop` touches no managed pointer.
unsafe impl GcDrop for PanicsWhenDropped {}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        if self.0 == "payload" {
            std::panic::panic_any(PayloadThatPanics);
        }
        panic!("{}", self.0);
    }
}

/// A panic payload whose own `Drop` panics.
struct PayloadThatPanics;

impl Drop for PayloadThatPanics {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("the payload's drop failed");
        }
    }
}

#[test]
fn the_state_of_run_is_dropped_once_when_a_collection_between_steps_panics() {
    let counter = DropCounter::default();
    let config = HeapConfig {
        stress: Some(1_000), // a minor collection between every two steps
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let keep = heap.mutate(|m| m.root(Gc::new(m, Node::new(3))));
    let result: std::thread::Result<()> = catch_unwind(AssertUnwindSafe(|| {
        heap.run(
            |m| {
                let label = String::from("the state owns this string");
                RunState::new((Gc::new(m, Node::new(1)), Tracked(counter.clone()), label))
            },
            |m, state| {
                // Garbage whose drop glue fails in the collection after this step.
                Gc::new(m, PanicsWhenDropped("drop failed between steps"));
                ControlFlow::Continue(state)
            },
        )
    }));
    assert!(message(result.unwrap_err()).contains("drop failed between steps"));
    assert_eq!(counter.count(), 1, "the state was dropped, once");
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(keep.get(m).value, 3));
    assert_eq!(counter.count(), 1);
}

#[test]
fn a_panic_payload_that_panics_when_dropped_does_not_abort() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let keep = heap.mutate(|m| m.root(Gc::new(m, Node::new(4))));
    let result = catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|m| {
            Gc::new(m, PanicsWhenDropped("the first drop failed"));
            Gc::new(m, PanicsWhenDropped("payload"));
            Gc::new(m, PanicsWhenDropped("payload"));
        });
        heap.collect_minor();
    }));
    assert!(message(result.unwrap_err()).contains("the first drop failed"));
    heap.verify().unwrap();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(keep.get(m).value, 4));
}
