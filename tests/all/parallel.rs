//! Collections on several threads (`HeapConfig::collector_threads`): the same heap after
//! them as after one thread's, minor and major, weak pointers and weak maps, identity hashes,
//! drop glue once, and a panic out of a `trace` on a worker thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use tenured_gc::{
    Gc, GcCell, GcWeak, GcWeakMap, Heap, HeapConfig, Mutation, Rebrand, Root, Trace, Tracer,
};

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

/// Appends to `made` a vertex whose id is its index there, with three edges to random earlier
/// vertices, and drop glue that `drops` counts on every seventh.
fn random_vertex<'gc>(
    m: &Mutation<'gc>,
    made: &mut Vec<Gc<'gc, Vertex<'gc>>>,
    rng: &mut Rng,
    drops: &DropCounter,
) -> Gc<'gc, Vertex<'gc>> {
    let id = made.len();
    let mut edge = || (!made.is_empty()).then(|| made[rng.below(made.len())]);
    let vertex = Gc::new(
        m,
        Vertex {
            id: id as u64,
            edges: [
                GcCell::new(edge()),
                GcCell::new(edge()),
                GcCell::new(edge()),
            ],
            tracked: id.is_multiple_of(7).then(|| Tracked(drops.clone())),
        },
    );
    made.push(vertex);
    vertex
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
            let vertex = random_vertex(m, &mut made, &mut rng, &drops);
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

/// What a heap holds after [`young_graph_collected`]'s collections.
#[derive(Debug)]
struct YoungOutcome {
    walk: Vec<u64>,
    weak_alive: Vec<bool>,
    map_len: usize,
    heap_used: u64,
    bytes_promoted: u64,
    objects_finalized: u64,
    drops: usize,
    census: String,
}

/// Builds a random graph in the nursery (some of it garbage, some hashed, some behind weak
/// pointers and a weak map's keys), and runs minor collections that copy it to the survivor
/// space and then promote it, with new vertices linked from the promoted ones in between;
/// then one major collection. Returns what is left, and how many collections used threads.
fn young_graph_collected(threads: usize) -> (YoungOutcome, u64) {
    // In stress mode the heap collects, and verifies itself, at every scope: fewer nodes.
    let stress = std::env::var_os("GC_STRESS").is_some();
    // (Under Miri, not 90 or 100 nodes: every weak pointer's target would be garbage.)
    let nodes = if cfg!(miri) {
        120
    } else if stress {
        3_000
    } else {
        30_000
    };
    let nursery = if cfg!(miri) { 64 * 1024 } else { 8 << 20 };
    let config = HeapConfig {
        collector_threads: threads,
        verify: true,
        nursery_size: nursery,
        max_nursery_size: nursery,
        ..HeapConfig::from_env()
    };
    let drops = DropCounter::default();
    let mut heap = Heap::with_config(config).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    type Map<'gc> = GcWeakMap<'gc, Vertex<'gc>, Gc<'gc, Key>>;
    let (all, weak, map, hashes) = heap.mutate(|m| {
        let mut made: Vec<Gc<Vertex>> = Vec::new();
        let map: Gc<Map> = Gc::new(m, GcWeakMap::new());
        let (mut weak, mut hashes) = (Vec::new(), Vec::new());
        for id in 0..nodes {
            let vertex = random_vertex(m, &mut made, &mut rng, &drops);
            if id % 11 == 0 {
                hashes.push((vertex, Gc::identity_hash(vertex)));
            }
            if id % (nodes / 30) == 0 {
                weak.push(m.root(Gc::new(m, Gc::downgrade(vertex))));
            }
            if id % 13 == 0 {
                map.insert(m, vertex, Gc::new(m, Key { id: id as u32 }));
            }
        }
        // A third of the vertices are garbage from the start.
        let kept: Vec<_> = made.iter().copied().filter(|v| v.id % 3 != 0).collect();
        let hashes: Vec<_> = (hashes.into_iter())
            .filter(|(v, _)| v.id % 3 != 0)
            .map(|(v, h)| (m.root(v), h))
            .collect();
        (m.root(Gc::from_vec(m, kept)), weak, m.root(map), hashes)
    });
    for round in 0..3 {
        heap.collect_minor();
        // New vertices, linked from the ones that were copied (and, from the second round
        // on, promoted); some old links dropped.
        heap.mutate(|m| {
            let all = all.get(m);
            for i in 0..nodes / 10 {
                let from = all[rng.below(all.len())];
                let to = all[rng.below(all.len())];
                let fresh = Gc::new(
                    m,
                    Vertex {
                        id: (nodes * (round + 1) + i) as u64,
                        edges: [GcCell::new(Some(to)), GcCell::new(None), GcCell::new(None)],
                        tracked: Some(Tracked(drops.clone())),
                    },
                );
                from.edges[rng.below(3)].set(m, if i % 5 == 0 { None } else { Some(fresh) });
            }
        });
    }
    heap.collect_minor();
    let promoted = heap.stats().bytes_promoted;
    heap.collect_major();
    heap.verify().unwrap();
    for (vertex, hash) in &hashes {
        heap.mutate(|m| assert_eq!(Gc::identity_hash(vertex.get(m)), *hash));
    }
    let walk = heap.mutate(|m| {
        let mut walk = Vec::new();
        for &start in all.get(m).iter() {
            let mut at = Some(start);
            for step in 0..4 {
                let Some(vertex) = at else { break };
                walk.push(vertex.id);
                at = vertex.edges[step % 3].get();
            }
        }
        walk
    });
    let weak_alive = heap.mutate(|m| weak.iter().map(|w| w.get(m).upgrade().is_some()).collect());
    let map_len = heap.mutate(|m| map.get(m).len());
    let stats = heap.stats();
    let outcome = YoungOutcome {
        walk,
        weak_alive,
        map_len,
        heap_used: stats.heap_used,
        bytes_promoted: promoted,
        objects_finalized: stats.objects_finalized,
        drops: drops.count(),
        census: heap.census().to_string(),
    };
    (outcome, stats.collections_on_threads)
}

#[test]
fn a_young_graph_copies_to_the_same_heap_on_one_two_and_three_threads() {
    let (one, on_threads) = young_graph_collected(1);
    assert_eq!(on_threads, 0, "one thread never uses workers");
    assert!(one.weak_alive.contains(&true) && one.weak_alive.contains(&false));
    assert!(one.drops > 0 && one.bytes_promoted > 0);
    assert!(one.map_len > 0);
    for &threads in if cfg!(miri) { &[2][..] } else { &[2, 3] } {
        let (outcome, on_threads) = young_graph_collected(threads);
        assert!(
            outcome.walk == one.walk,
            "the walks differ with {threads} threads"
        );
        assert_eq!(
            (outcome.weak_alive, outcome.map_len, outcome.heap_used),
            (one.weak_alive.clone(), one.map_len, one.heap_used),
            "with {threads} threads"
        );
        assert_eq!(
            (outcome.objects_finalized, outcome.drops),
            (one.objects_finalized, one.drops),
            "with {threads} threads"
        );
        // Which survivors find room in the survivor space, and which are promoted, depends
        // on the order they are copied in.
        assert!(outcome.bytes_promoted > 0);
        assert_eq!(outcome.census, one.census, "with {threads} threads");
        // At least the four minor collections and the major one (in stress mode, the heap
        // collects more often).
        assert!(
            on_threads >= 5,
            "{on_threads} collections on threads with {threads}"
        );
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

/// Whether `Grenade<N>`'s trace panics: one switch per test that uses them.
static GRENADE_ARMED: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];

/// A value whose `trace` panics once `GRENADE_ARMED[N]` is set, on whichever thread traces it.
struct Grenade<const N: usize>;

// SAFETY: holds no managed pointer; its `trace` reads an atomic and may panic, and never
// touches the heap.
unsafe impl<const N: usize> Trace for Grenade<N> {
    fn trace(&mut self, _: &mut Tracer<'_>) {
        if GRENADE_ARMED[N].load(Ordering::SeqCst) {
            panic!("trace failed");
        }
    }
}

// SAFETY: no brand.
unsafe impl<'gc, const N: usize> Rebrand<'gc> for Grenade<N> {
    type Branded = Grenade<N>;
}

/// Whether the panic `result` caught says that the heap is unusable.
fn refused_as_unusable(result: std::thread::Result<()>) -> bool {
    let refused = result.unwrap_err();
    let message = (refused.downcast_ref::<String>().map(String::as_str))
        .or(refused.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.contains("this heap is unusable")
}

#[test]
fn a_panic_in_trace_on_a_collector_thread_reaches_the_caller_and_poisons_the_heap() {
    let mut heap = Heap::with_config(config(2)).unwrap();
    // Many grenades behind one slice, which marking splits between the threads, so that
    // both threads trace some.
    let _grenades = heap.mutate(|m| {
        let grenades = (0..scaled(2_000))
            .map(|_| Gc::new(m, Grenade::<0>))
            .collect();
        m.root(Gc::from_vec(m, grenades))
    });
    heap.collect_major();
    GRENADE_ARMED[0].store(true, Ordering::SeqCst);
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_major())).unwrap_err();
    GRENADE_ARMED[0].store(false, Ordering::SeqCst);
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"trace failed"));
    assert!(refused_as_unusable(catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|_| ())
    }))));
}

#[test]
fn a_panic_in_trace_while_threads_copy_reaches_the_caller_and_poisons_the_heap() {
    let mut heap = Heap::with_config(config(2)).unwrap();
    // Young grenades in a young list: the copying threads share them.
    #[derive(Trace)]
    struct Link<'gc> {
        grenade: Gc<'gc, Grenade<1>>,
        next: Option<Gc<'gc, Link<'gc>>>,
    }
    let _list = heap.mutate(|m| {
        let mut list = None;
        for _ in 0..scaled(1_000) {
            let grenade = Gc::new(m, Grenade::<1>);
            list = Some(Gc::new(
                m,
                Link {
                    grenade,
                    next: list,
                },
            ));
        }
        let grenades: Vec<_> = (0..scaled(1_000))
            .map(|_| Gc::new(m, Grenade::<1>))
            .collect();
        (m.root(list.unwrap()), m.root(Gc::from_vec(m, grenades)))
    });
    GRENADE_ARMED[1].store(true, Ordering::SeqCst);
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_minor())).unwrap_err();
    GRENADE_ARMED[1].store(false, Ordering::SeqCst);
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"trace failed"));
    assert!(refused_as_unusable(catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|_| ())
    }))));
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
