//! `GcWeakMap`: entries that live exactly as long as their keys (ephemerons), through minor
//! and major collections, with their values' drop glue run once.

use std::cell::Cell;
use std::rc::Rc;

use tenured_gc::{Gc, GcCell, GcDrop, GcWeakMap, Heap, HeapConfig, Root, RunState, Trace};

#[derive(Trace)]
struct Key {
    id: u32,
}

/// A value that points back at its key and counts its drops.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Memo<'gc> {
    key: Gc<'gc, Key>,
    doubled: u32,
    #[gc(ignore)]
    drops: Rc<Cell<u32>>,
}

// SAFETY: `drop` touches only the counter.
unsafe impl GcDrop for Memo<'_> {}

impl Drop for Memo<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

type Memos<'gc> = GcWeakMap<'gc, Key, Gc<'gc, Memo<'gc>>>;

/// A map rooted, with `n` keys whose memos point back at them; the keys with an even id are
/// rooted as well.
fn memos(heap: &mut Heap, n: u32, drops: &Rc<Cell<u32>>) -> (Root<Memos<'static>>, Vec<Root<Key>>) {
    heap.mutate(|m| {
        let map = Gc::new(m, Memos::new());
        let mut kept = Vec::new();
        for id in 0..n {
            let key = Gc::new(m, Key { id });
            let memo = Gc::new(
                m,
                Memo {
                    key,
                    doubled: id * 2,
                    drops: drops.clone(),
                },
            );
            assert!(map.insert(m, key, memo).is_none());
            if id % 2 == 0 {
                kept.push(m.root(key));
            }
        }
        (m.root(map), kept)
    })
}

/// Checks that the map holds exactly the rooted keys, each with its memo.
fn assert_holds_exactly(heap: &mut Heap, map: &Root<Memos<'static>>, kept: &[Root<Key>]) {
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len(), kept.len());
        for key in kept {
            let key = key.get(m);
            let memo = map.get(key).expect("a rooted key keeps its entry");
            assert!(
                Gc::ptr_eq(memo.key, key),
                "the memo still points at its key"
            );
            assert_eq!(memo.doubled, key.id * 2);
        }
        let mut ids: Vec<u32> = map.entries().iter().map(|(key, _)| key.id).collect();
        ids.sort_unstable();
        let mut expected: Vec<u32> = kept.iter().map(|k| k.get(m).id).collect();
        expected.sort_unstable();
        assert_eq!(ids, expected);
    });
}

#[test]
fn a_value_that_points_at_its_key_does_not_keep_it_in_a_major_collection() {
    let drops = Rc::new(Cell::new(0));
    let mut heap = Heap::new();
    let (map, kept) = memos(&mut heap, 100, &drops);
    heap.collect_major();
    assert_holds_exactly(&mut heap, &map, &kept);
    assert_eq!(
        drops.get(),
        50,
        "the memos of the unrooted keys were dropped, once"
    );
    heap.collect_major();
    heap.collect_minor();
    assert_holds_exactly(&mut heap, &map, &kept);
    assert_eq!(drops.get(), 50);
}

#[test]
fn a_minor_collection_removes_the_entries_of_young_keys_that_died() {
    let drops = Rc::new(Cell::new(0));
    let mut heap = Heap::new();
    let (map, kept) = memos(&mut heap, 100, &drops);
    heap.collect_minor();
    assert_holds_exactly(&mut heap, &map, &kept);
    // The memos of the dead keys were young and died with them; a young object's drop glue
    // runs when the minor collection finds it dead.
    assert_eq!(drops.get(), 50);
}

#[test]
fn an_old_map_keeps_the_young_values_of_old_keys_and_drops_those_of_young_keys() {
    let drops = Rc::new(Cell::new(0));
    let mut heap = Heap::new();
    let (map, mut kept) = memos(&mut heap, 10, &drops);
    heap.collect_major(); // the map, its 5 kept keys and their memos are old now
    assert_eq!(drops.get(), 5);
    // New memos for the old keys, and new young keys, half of them rooted: an old map
    // pointing at young objects.
    let young_kept = heap.mutate(|m| {
        let map = map.get(m);
        for key in &kept {
            let key = key.get(m);
            let memo = Gc::new(
                m,
                Memo {
                    key,
                    doubled: key.id * 2,
                    drops: drops.clone(),
                },
            );
            assert!(map.insert(m, key, memo).is_some(), "the key had an entry");
        }
        let mut young_kept = Vec::new();
        for id in 100..110 {
            let key = Gc::new(m, Key { id });
            let memo = Gc::new(
                m,
                Memo {
                    key,
                    doubled: id * 2,
                    drops: drops.clone(),
                },
            );
            map.insert(m, key, memo);
            if id % 2 == 0 {
                young_kept.push(m.root(key));
            }
        }
        young_kept
    });
    heap.collect_minor();
    heap.verify().unwrap();
    // The replaced memos are garbage only once a major collection looks at the old
    // generation; the young memos of the 5 dead young keys died in the minor one.
    assert_eq!(drops.get(), 5 + 5);
    kept.extend(young_kept);
    assert_holds_exactly(&mut heap, &map, &kept);
    heap.collect_major();
    assert_eq!(drops.get(), 5 + 5 + 5);
    assert_holds_exactly(&mut heap, &map, &kept);
}

/// A value that holds the key of another entry.
#[derive(Trace)]
struct Link<'gc> {
    next: Option<Gc<'gc, Key>>,
}

#[test]
fn a_key_reached_only_through_another_entrys_value_is_kept() {
    let mut heap = Heap::new();
    // A chain through the map: key 0 -> value holding key 1 -> value holding key 2 ... Only
    // key 0 is rooted, and the map is filled from the end of the chain, so each link is
    // found in a later round than the one before.
    let (map, first) = heap.mutate(|m| {
        let map = Gc::new(m, GcWeakMap::<Key, Gc<Link>>::new());
        let keys: Vec<_> = (0..20).map(|id| Gc::new(m, Key { id })).collect();
        for (i, key) in keys.iter().enumerate().rev() {
            let link = Gc::new(
                m,
                Link {
                    next: keys.get(i + 1).copied(),
                },
            );
            map.insert(m, *key, link);
        }
        (m.root(map), m.root(keys[0]))
    });
    for major in [false, true, false, true] {
        if major {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.verify().unwrap();
        heap.mutate(|m| {
            let map = map.get(m);
            assert_eq!(map.len(), 20);
            let mut key = first.get(m);
            for id in 0..20 {
                assert_eq!(key.id, id);
                match map.get(key).unwrap().next {
                    Some(next) => key = next,
                    None => assert_eq!(id, 19),
                }
            }
        });
    }
    drop(first);
    heap.collect_major();
    heap.mutate(|m| assert!(map.get(m).is_empty(), "the whole chain died with its head"));
}

#[test]
fn entries_follow_their_keys_through_many_collections_and_removal_works() {
    let mut heap = Heap::with_config(HeapConfig {
        nursery_size: 64 * 1024,
        ..HeapConfig::from_env()
    })
    .unwrap();
    let n = if cfg!(miri) { 50 } else { 2_000 };
    let (map, keys) = heap.mutate(|m| {
        let map = Gc::new(m, GcWeakMap::<Key, u32>::new());
        let keys: Vec<_> = (0..n).map(|id| Gc::new(m, Key { id })).collect();
        for key in &keys {
            map.insert(m, *key, key.id + 1);
        }
        (
            m.root(map),
            keys.into_iter().map(|k| m.root(k)).collect::<Vec<_>>(),
        )
    });
    let rounds = if cfg!(miri) { 4 } else { 20 };
    for round in 0..rounds {
        // Garbage between the collections, so that the keys move.
        heap.mutate(|m| {
            for i in 0..200 {
                Gc::new(m, Key { id: i });
            }
        });
        if round % 3 == 2 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.mutate(|m| {
            let map = map.get(m);
            assert_eq!(map.len(), n as usize);
            for key in &keys {
                let key = key.get(m);
                assert_eq!(map.get(key), Some(key.id + 1));
            }
        });
    }
    heap.mutate(|m| {
        let map = map.get(m);
        let key = keys[3].get(m);
        assert_eq!(map.remove(m, key), Some(4));
        assert!(!map.contains_key(key));
        assert_eq!(map.insert(m, key, 7), None);
        assert_eq!(map.insert(m, key, 8), Some(7));
        assert_eq!(map.len(), n as usize);
        map.clear(m);
        assert!(map.is_empty() && map.get(key).is_none());
    });
}

#[test]
fn a_weak_map_in_a_young_object_is_traced_when_the_object_is_copied() {
    // The map itself is young and its only key lives in a cell of the same object.
    #[derive(Trace)]
    struct Holder<'gc> {
        key: GcCell<'gc, Option<Gc<'gc, Key>>>,
        map: GcWeakMap<'gc, Key, Gc<'gc, Key>>,
    }
    let mut heap = Heap::new();
    let holder = heap.mutate(|m| {
        let holder = Gc::new(
            m,
            Holder {
                key: GcCell::new(None),
                map: GcWeakMap::new(),
            },
        );
        let key = Gc::new(m, Key { id: 1 });
        holder.key.set(m, Some(key));
        holder.map.insert(m, key, Gc::new(m, Key { id: 2 }));
        let lost = Gc::new(m, Key { id: 3 });
        holder.map.insert(m, lost, Gc::new(m, Key { id: 4 }));
        m.root(holder)
    });
    heap.collect_minor();
    heap.mutate(|m| {
        let holder = holder.get(m);
        assert_eq!(holder.map.len(), 1);
        let key = holder.key.get().unwrap();
        assert_eq!(holder.map.get(key).map(|v| v.id), Some(2));
    });
    heap.collect_major();
    heap.mutate(|m| {
        let holder = holder.get(m);
        holder.key.set(m, None);
    });
    heap.collect_major();
    heap.mutate(|m| assert!(holder.get(m).map.is_empty()));
}

/// A value whose drop panics.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Grenade(u32);

// SAFETY: `drop` touches no managed pointer (there is none).
unsafe impl GcDrop for Grenade {}

impl Drop for Grenade {
    fn drop(&mut self) {
        if self.0 == 13 && !std::thread::panicking() {
            panic!("grenade {}", self.0);
        }
    }
}

#[test]
fn a_panic_out_of_a_removed_value_is_resumed_and_the_heap_stays_usable() {
    let mut heap = Heap::new();
    let (map, key) = heap.mutate(|m| {
        let map = Gc::new(m, GcWeakMap::<Key, Grenade>::new());
        let kept = Gc::new(m, Key { id: 1 });
        map.insert(m, kept, Grenade(1));
        map.insert(m, Gc::new(m, Key { id: 13 }), Grenade(13));
        (m.root(map), m.root(kept))
    });
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| heap.collect_major()));
    let message = caught.expect_err("the drop's panic reaches the caller");
    assert_eq!(
        message.downcast_ref::<String>().map(String::as_str),
        Some("grenade 13")
    );
    heap.verify().unwrap();
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len(), 1);
        assert!(map.contains_key(key.get(m)));
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(map.get(m).len(), 1));
}

#[test]
fn a_weak_map_in_the_state_of_a_step_loop_keeps_only_the_entries_of_live_keys() {
    let mut heap = Heap::with_config(HeapConfig {
        nursery_size: 16 * 1024,
        max_nursery_size: 16 * 1024,
        large_object_threshold: 512,
        ..HeapConfig::from_env()
    })
    .unwrap();
    let steps = if cfg!(miri) { 300 } else { 3_000 };
    let (len, value) = heap.run(
        |m| {
            let map = GcWeakMap::new();
            let kept = Gc::new(m, Key { id: 1 });
            map.insert(m, kept, Gc::new(m, Key { id: 10 }));
            let lost = Gc::new(m, Key { id: 2 });
            map.insert(m, lost, Gc::new(m, Key { id: 20 }));
            RunState::new((map, kept, 0))
        },
        |m, (map, kept, step)| {
            for id in 0..8 {
                Gc::new(m, Key { id }); // garbage: collections happen between steps
            }
            if step == steps {
                std::ops::ControlFlow::Break((map.len(), map.get(kept).map(|v| v.id)))
            } else {
                std::ops::ControlFlow::Continue((map, kept, step + 1))
            }
        },
    );
    assert_eq!((len, value), (1, Some(10)));
    assert!(heap.stats().minor.count > 0);
}
