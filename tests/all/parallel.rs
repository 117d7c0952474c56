//! Major collections on several threads (`HeapConfig::collector_threads`): the same heap after
//! them as after one thread's, weak pointers and weak maps, drop glue once, and a panic out of
//! a `trace` on a worker thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use tenured_gc::{Gc, GcCell, GcWeak, GcWeakMap, Heap, HeapConfig, Rebrand, Root, Trace, Tracer};

use crate::common::*;

/// `small_config` with `threads` collector threads, used at every major collection (the
/// verifier is on, which makes a heap use its threads however small it is).
fn config(threads: usize) -> HeapConfig {
    HeapConfig {
        collector_threads: threads,
        verify: true,
        ..small_config()
    }
}

/// Nodes in the graph: enough that marking shares work between threads (under Miri, which
/// runs threads slowly, just enough to).
const NODES: usize = if cfg!(miri) { 200 } else { 20_000 };
/// Slots of the table, a big slice that marking splits between threads.
const SLOTS: usize = if cfg!(miri) { 600 } else { 5_000 };

#[derive(Trace)]
struct Vertex<'gc> {
    id: u64,
    edges: [GcCell<'gc, Option<Gc<'gc, Vertex<'gc>>>>; 3],
    tracked: Option<Tracked>,
}

type Table<'gc> = [GcCell<'gc, Option<Gc<'gc, Vertex<'gc>>>>];

/// A pseudo-random sequence, the same in every heap.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What a heap holds after the collections of [`build_and_collect`], as seen from outside.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// The ids met on a walk of the graph from the table, in order.
    walk: Vec<u64>,
    /// Which of the weak pointers still reach their targets.
    weak_alive: Vec<bool>,
    heap_used: u64,
    objects_finalized: u64,
    drops: usize,
    census: String,
}

/// Builds one random graph (a third of it garbage, some of it pointed to by weak pointers),
/// rewires it between major collections, and reports what is left.
fn build_and_collect(threads: usize) -> Outcome {
    let drops = DropCounter::default();
    let mut heap = Heap::with_config(config(threads)).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let table: Root<Table<'static>> = heap.mutate(|m| {
        let slots: Vec<GcCell<Option<Gc<Vertex>>>> =
            (0..SLOTS).map(|_| GcCell::new(None)).collect();
        m.root(Gc::from_vec(m, slots))
    });
    let weak: Vec<Root<GcWeak<'static, Vertex<'static>>>> = heap.mutate(|m| {
        let table = table.get(m);
        let mut made: Vec<Gc<Vertex>> = Vec::new();
        let mut weak = Vec::new();
        for id in 0..NODES {
            let edge = |rng: &mut Rng| (!made.is_empty()).then(|| made[rng.below(made.len())]);
            let vertex = Gc::new(
                m,
                Vertex {
                    id: id as u64,
                    edges: [
                        GcCell::new(edge(&mut rng)),
                        GcCell::new(edge(&mut rng)),
                        GcCell::new(edge(&mut rng)),
                    ],
                    tracked: (id % 7 == 0).then(|| Tracked(drops.clone())),
                },
            );
            made.push(vertex);
            // Two in three vertices are in the table at first.
            if id % 3 != 0 {
                table[rng.below(SLOTS)].set(m, Some(vertex));
            }
            if id % (NODES / 25) == 0 {
                weak.push(m.root(Gc::new(m, Gc::downgrade(vertex))));
            }
        }
        weak
    });
    for round in 0..if cfg!(miri) { 1 } else { 3 } {
        heap.collect_major();
        // Rewire: old vertices point at others, some slots are emptied.
        heap.mutate(|m| {
            let table = table.get(m);
            for i in 0..SLOTS / 10 {
                let slot = rng.below(SLOTS);
                if (i + round) % 4 == 0 {
                    table[slot].set(m, None);
                } else if let (Some(from), Some(to)) =
                    (table[slot].get(), table[rng.below(SLOTS)].get())
                {
                    from.edges[rng.below(3)].set(m, Some(to));
                }
            }
        });
    }
    heap.collect_major();
    heap.verify().unwrap();
    let walk = heap.mutate(|m| {
        let table = table.get(m);
        let mut walk = Vec::new();
        for slot in table.iter() {
            let mut at = slot.get();
            for step in 0..4 {
                let Some(vertex) = at else { break };
                walk.push(vertex.id);
                at = vertex.edges[step % 3].get();
            }
        }
        walk
    });
    let weak_alive = heap.mutate(|m| weak.iter().map(|w| w.get(m).upgrade().is_some()).collect());
    let stats = heap.stats();
    Outcome {
        walk,
        weak_alive,
        heap_used: stats.heap_used,
        objects_finalized: stats.objects_finalized,
        drops: drops.count(),
        census: heap.census().to_string(),
    }
}

#[test]
fn a_graph_collects_to_the_same_heap_on_one_two_and_three_threads() {
    let one = build_and_collect(1);
    assert!(
        one.walk.len() > SLOTS / 2,
        "the walk met {} vertices",
        one.walk.len()
    );
    assert!(one.weak_alive.contains(&true) && one.weak_alive.contains(&false));
    assert!(one.drops > 0 && one.objects_finalized > 0);
    for &threads in if cfg!(miri) { &[2][..] } else { &[2, 3] } {
        assert_eq!(build_and_collect(threads), one, "with {threads} threads");
    }
}

#[derive(Trace)]
struct Key {
    id: u32,
}

#[derive(Trace)]
struct Entry<'gc> {
    /// The key of another entry, which lives if this entry's value does.
    next_key: Option<Gc<'gc, Key>>,
    tracked: Tracked,
}

#[test]
fn weak_maps_keep_exactly_the_entries_of_live_keys_on_two_threads() {
    let drops = DropCounter::default();
    let mut heap = Heap::with_config(config(2)).unwrap();
    // Resolving the chain takes a round per link: short under Miri.
    let n = if cfg!(miri) { 40 } else { 2_000 };
    // Entry i's value holds key i + 1; only key 0 and the keys with ids divisible by 10
    // from n / 2 on are rooted. So keys 0..n/2 live through the chain of values, and the
    // rest only where rooted.
    let (map, kept) = heap.mutate(|m| {
        let map = Gc::new(m, GcWeakMap::<Key, Gc<Entry>>::new());
        let keys: Vec<Gc<Key>> = (0..n).map(|id| Gc::new(m, Key { id })).collect();
        for (i, &key) in keys.iter().enumerate() {
            let next_key = (i + 1 < n as usize / 2).then(|| keys[i + 1]);
            let value = Gc::new(
                m,
                Entry {
                    next_key,
                    tracked: Tracked(drops.clone()),
                },
            );
            map.insert(m, key, value);
        }
        let kept: Vec<Root<Key>> = keys
            .iter()
            .filter(|k| k.id == 0 || (k.id >= n / 2 && k.id % 10 == 0))
            .map(|&k| m.root(k))
            .collect();
        (m.root(map), kept)
    });
    heap.collect_major();
    let live = n as usize / 2 + (n as usize / 2).div_ceil(10);
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len(), live);
        for key in &kept {
            assert!(map.get(key.get(m)).is_some(), "key {}", key.get(m).id);
        }
    });
    assert_eq!(drops.count(), n as usize - live);
    drop(kept);
    heap.collect_major();
    // Key 0 is gone, and with it the whole chain.
    heap.mutate(|m| assert_eq!(map.get(m).len(), 0));
    assert_eq!(drops.count(), n as usize);
}

/// Whether `Grenade`'s trace panics.
static GRENADE_ARMED: AtomicBool = AtomicBool::new(false);

/// A value whose `trace` panics once armed, on whichever thread traces it.
struct Grenade;

// SAFETY: holds no managed pointer; its `trace` reads an atomic and may panic, and never
// touches the heap.
unsafe impl Trace for Grenade {
    fn trace(&mut self, _: &mut Tracer<'_>) {
        if GRENADE_ARMED.load(Ordering::SeqCst) {
            panic!("trace failed");
        }
    }
}

// SAFETY: no brand.
unsafe impl<'gc> Rebrand<'gc> for Grenade {
    type Branded = Grenade;
}

#[test]
fn a_panic_in_trace_on_a_collector_thread_reaches_the_caller_and_poisons_the_heap() {
    let mut heap = Heap::with_config(config(2)).unwrap();
    // Many grenades behind one slice, which marking splits between the threads, so that
    // both threads trace some.
    let _grenades = heap.mutate(|m| {
        let grenades = (0..scaled(2_000)).map(|_| Gc::new(m, Grenade)).collect();
        m.root(Gc::from_vec(m, grenades))
    });
    heap.collect_major();
    GRENADE_ARMED.store(true, Ordering::SeqCst);
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_major())).unwrap_err();
    GRENADE_ARMED.store(false, Ordering::SeqCst);
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"trace failed"));
    let refused = catch_unwind(AssertUnwindSafe(|| heap.mutate(|_| ()))).unwrap_err();
    let message = (refused.downcast_ref::<String>().map(String::as_str))
        .or(refused.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(message.contains("this heap is unusable"), "{message}");
}

/// Whether `Loud`'s trace panics.
static LOUD_ARMED: AtomicBool = AtomicBool::new(false);

/// The payload of `Noisy`'s panic, whose drop panics in turn.
struct Loud;

impl Drop for Loud {
    fn drop(&mut self) {
        panic!("dropping the payload");
    }
}

/// A value whose `trace` panics with a `Loud` payload once armed.
struct Noisy;

// SAFETY: holds no managed pointer; its `trace` reads an atomic and may panic, and never
// touches the heap.
unsafe impl Trace for Noisy {
    fn trace(&mut self, _: &mut Tracer<'_>) {
        if LOUD_ARMED.load(Ordering::SeqCst) {
            std::panic::panic_any(Loud);
        }
    }
}

// SAFETY: no brand.
unsafe impl<'gc> Rebrand<'gc> for Noisy {
    type Branded = Noisy;
}

#[test]
fn panics_on_several_collector_threads_at_once_reach_the_caller_without_an_abort() {
    let mut heap = Heap::with_config(config(3)).unwrap();
    let _noisy = heap.mutate(|m| {
        let noisy = (0..scaled(4_000)).map(|_| Gc::new(m, Noisy)).collect();
        m.root(Gc::from_vec(m, noisy))
    });
    heap.collect_major();
    LOUD_ARMED.store(true, Ordering::SeqCst);
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_major())).unwrap_err();
    LOUD_ARMED.store(false, Ordering::SeqCst);
    assert!(panic.is::<Loud>());
    // The first payload reaches the caller; the other threads' were dropped safely. This
    // one's drop would panic again.
    std::mem::forget(panic);
    assert!(catch_unwind(AssertUnwindSafe(|| heap.mutate(|_| ()))).is_err());
}

#[test]
fn collector_threads_is_checked() {
    for threads in [0, tenured_gc::config::MAX_COLLECTOR_THREADS + 1] {
        let error = HeapConfig {
            collector_threads: threads,
            ..HeapConfig::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(error.field, "collector_threads");
    }
    assert!(HeapConfig::default().collector_threads >= 1);
}
