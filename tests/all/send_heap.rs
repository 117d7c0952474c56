//! `SendHeap`: a heap whose state and objects move between threads together.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tenured_gc::{
    Admits, Gc, GcCell, GcDrop, GcVec, HeapConfig, HeapKind, HeapSend, Mutation, RunState,
    SendHeap, Trace,
};

use crate::common::small_config;

#[derive(Trace)]
struct Node<'gc> {
    value: u64,
    label: String,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

/// Counts its drops in a counter shared with the test's thread.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Counted {
    #[gc(ignore)]
    drops: Arc<AtomicUsize>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: `drop` touches only the counter, no managed pointer.
unsafe impl GcDrop for Counted {}

type Ring = (GcVec<'static, Gc<'static, Node<'static>>>, u64);

/// A ring of `n` nodes whose values are `0..n`.
fn ring<'gc>(m: &Mutation<'gc, impl Admits<Node<'gc>>>, n: u64) -> Gc<'gc, Node<'gc>> {
    let first = Gc::new(m, node(0));
    let mut last = first;
    for value in 1..n {
        let next = Gc::new(m, node(value));
        last.next.set(m, Some(next));
        last = next;
    }
    last.next.set(m, Some(first));
    first
}

fn node<'gc>(value: u64) -> Node<'gc> {
    Node {
        value,
        label: format!("node {value}"),
        next: GcCell::new(None),
    }
}

/// The values of the ring from `start`, once round.
fn values<'gc>(start: Gc<'gc, Node<'gc>>) -> Vec<u64> {
    let mut out = vec![start.value];
    let mut at = start.next.get().unwrap();
    while !Gc::ptr_eq(at, start) {
        assert_eq!(at.label, format!("node {}", at.value));
        out.push(at.value);
        at = at.next.get().unwrap();
    }
    out
}

#[test]
fn a_heap_with_live_state_moves_between_threads_a_thousand_times() {
    let moves = if cfg!(miri) { 12 } else { 1_000 };
    let mut heap = SendHeap::with_config(small_config(), |m| {
        let rings = GcVec::new();
        rings.push(m, ring(m, 5));
        RunState::new((rings, 0u64))
    })
    .unwrap();
    for i in 0..moves {
        heap = std::thread::spawn(move || {
            heap.mutate(|m, (rings, steps)| {
                // Garbage, and a new ring that lives.
                for _ in 0..20 {
                    Gc::new(m, node(99));
                }
                if rings.len() < 8 {
                    rings.push(m, ring(m, 3 + rings.len() as u64));
                }
                *steps += 1;
            });
            if i % 3 == 0 {
                heap.collect_major();
            } else {
                heap.collect_minor();
            }
            heap
        })
        .join()
        .unwrap();
        heap.mutate(|_, (rings, steps)| {
            assert_eq!(*steps, i + 1);
            for (k, start) in rings.iter().enumerate() {
                let n = if k == 0 { 5 } else { 3 + k as u64 };
                assert_eq!(values(start), (0..n).collect::<Vec<_>>());
            }
        });
    }
    heap.verify().unwrap();
    let stats = heap.stats();
    assert!(stats.minor.count >= moves / 2, "{stats:?}");
    assert!(stats.major.count >= moves / 3, "{stats:?}");
}

#[test]
fn drop_glue_runs_once_on_the_thread_that_holds_the_heap() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&drops);
    let mut heap = SendHeap::with_config(small_config(), |m| {
        RunState::new(Some(Gc::new(m, Counted { drops: counter })))
    })
    .unwrap();
    let seen = Arc::clone(&drops);
    let heap = std::thread::spawn(move || {
        heap.mutate(|m, kept| {
            for _ in 0..10 {
                Gc::new(
                    m,
                    Counted {
                        drops: Arc::clone(&seen),
                    },
                );
            }
            assert!(kept.is_some());
        });
        heap.collect_major();
        assert_eq!(seen.load(Ordering::Relaxed), 10, "the garbage is dropped");
        heap.mutate(|_, kept| *kept = None);
        heap.collect_major();
        assert_eq!(
            seen.load(Ordering::Relaxed),
            11,
            "so is the state's, once let go"
        );
        heap
    })
    .join()
    .unwrap();
    drop(heap);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        11,
        "nothing is dropped twice"
    );
}

#[test]
fn objects_still_alive_are_dropped_with_the_heap_on_another_thread() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&drops);
    let heap = SendHeap::new(|m| {
        let v = GcVec::new();
        for _ in 0..4 {
            v.push(
                m,
                Gc::new(
                    m,
                    Counted {
                        drops: Arc::clone(&counter),
                    },
                ),
            );
        }
        RunState::new(v)
    });
    std::thread::spawn(move || drop(heap)).join().unwrap();
    assert_eq!(drops.load(Ordering::Relaxed), 4);
}

#[test]
fn a_collection_hook_is_refused() {
    let config = HeapConfig::default().on_collection(|_| {});
    let error = SendHeap::with_config(config, |_| RunState::new(0u32))
        .err()
        .expect("a SendHeap refuses a hook");
    assert_eq!(error.field, "collection_hook");
    assert!(
        error.to_string().contains("may hold values of the thread"),
        "{error}"
    );
}

/// Generic code over both kinds of heap: `Admits<T>` for each type it allocates.
fn push_squares<'gc, K>(m: &Mutation<'gc, K>, out: &GcVec<'gc, Gc<'gc, u64>>, n: u64)
where
    K: Admits<u64> + Admits<Gc<'gc, u64>>,
{
    for i in 0..n {
        out.push(m, Gc::new(m, i * i));
    }
}

fn total<'gc>(_: &Mutation<'gc, impl HeapKind>, v: &GcVec<'gc, Gc<'gc, u64>>) -> u64 {
    v.iter().map(|x| *x).sum()
}

#[test]
fn generic_code_runs_in_both_kinds_of_heap() {
    let mut local = tenured_gc::Heap::new();
    let sum = local.mutate(|m| {
        let v = GcVec::new();
        push_squares(m, &v, 10);
        total(m, &v)
    });
    let mut moving = SendHeap::new(|_| RunState::new(GcVec::<Gc<u64>>::new()));
    moving.mutate(|m, v| push_squares(m, v, 10));
    moving.collect_major();
    assert_eq!(moving.mutate(|m, v| total(m, v)), sum);
    assert_eq!(sum, (0..10u64).map(|i| i * i).sum::<u64>());
}

#[test]
fn derived_types_are_heap_send_when_their_fields_are() {
    fn heap_send<T: HeapSend>() {}
    heap_send::<Node<'static>>();
    heap_send::<Counted>();
    heap_send::<(GcVec<'static, Gc<'static, Node<'static>>>, u64)>();
    heap_send::<Ring>();
}

#[test]
fn a_snapshot_of_a_send_heap_starts_at_its_state() {
    let mut heap = SendHeap::with_config(small_config(), |m| {
        let rings = GcVec::new();
        rings.push(m, ring(m, 4));
        RunState::new((rings, 0u64))
    })
    .unwrap();
    heap.mutate(|m, _| {
        Gc::new(m, node(7)); // garbage, which the snapshot leaves out
    });
    let mut json = Vec::new();
    let summary = heap.write_heap_snapshot(&mut json).unwrap();
    // The snapshot's root, the state's node, the vector's storage and the four nodes of the
    // ring; an edge to each but the first, and one more closing the ring.
    assert_eq!((summary.nodes, summary.edges), (7, 7), "{summary:?}");
    let json = String::from_utf8(json).unwrap();
    assert!(json.contains("heap.run state"), "the state is the root");
}
