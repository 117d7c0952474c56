//! Identity hashes: the same through every copy out of the nursery and every compaction, and
//! the identity map that relies on them.

use std::collections::HashSet;

use tenured_gc::{Gc, GcHashMap, GcVec, Heap, HeapConfig, Root, Trace};

use crate::common::*;

#[derive(Trace)]
struct Key {
    id: u64,
}

#[derive(Trace)]
struct Keyed<'gc> {
    map: GcHashMap<'gc, Gc<'gc, Key>, u64>,
    keys: GcVec<'gc, Gc<'gc, Key>>,
}

fn address(root: &Root<Key>, heap: &mut Heap) -> usize {
    heap.mutate(|m| Gc::as_ptr(root.get(m)) as usize)
}

#[test]
fn an_identity_hash_stays_through_copies_and_compaction() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    // Garbage before the hashed objects in the old generation, so that compaction slides
    // them; a list, a string and a key hashed young, and a key hashed only once old.
    let garbage = heap.mutate(|m| m.root(Gc::from_vec(m, vec![0_u64; 64])));
    heap.collect_major();
    let (key, list, text) = heap.mutate(|m| {
        let key = Gc::new(m, Key { id: 1 });
        let list = Gc::from_vec(m, vec![key; 5]);
        let text = Gc::new_str(m, "hashed");
        (m.root(key), m.root(list), m.root(text))
    });
    let hashes = heap.mutate(|m| {
        (
            Gc::identity_hash(key.get(m)),
            Gc::identity_hash(list.get(m)),
            Gc::identity_hash(text.get(m)),
        )
    });
    let hashes_now = |heap: &mut Heap| {
        heap.mutate(|m| {
            (
                Gc::identity_hash(key.get(m)),
                Gc::identity_hash(list.get(m)),
                Gc::identity_hash(text.get(m)),
            )
        })
    };
    let young = address(&key, &mut heap);
    for _ in 0..4 {
        heap.collect_minor();
        assert_eq!(hashes_now(&mut heap), hashes);
        heap.verify().unwrap();
    }
    // (In stress mode every scope collects, so the moves happen earlier than counted here.)
    let stress = heap.config().stress.is_some();
    assert!(
        stress || young != address(&key, &mut heap),
        "the key was copied"
    );
    let late = heap.mutate(|m| m.root(Gc::new(m, Key { id: 2 })));
    heap.collect_major();
    let old = address(&key, &mut heap);
    let late_hash = heap.mutate(|m| Gc::identity_hash(late.get(m)));
    drop(garbage);
    heap.collect_major();
    let compacted = address(&key, &mut heap);
    assert!(
        stress || compacted < old,
        "compaction slid the key over the garbage"
    );
    assert_eq!(hashes_now(&mut heap), hashes);
    heap.collect_major();
    heap.collect_minor();
    assert_eq!(hashes_now(&mut heap), hashes);
    assert_eq!(heap.mutate(|m| Gc::identity_hash(late.get(m))), late_hash);
    heap.verify().unwrap();
    heap.mutate(|m| {
        let list = list.get(m);
        assert!(list.iter().all(|&k| k == key.get(m) && k.id == 1));
        assert_eq!(&*text.get(m), "hashed");
    });
}

#[test]
fn a_hashed_object_takes_one_more_word_once_it_has_moved() {
    let count = scaled(1000);
    let used_after_major = |hash: bool| {
        let mut heap = Heap::with_config(small_config()).unwrap();
        let keys = heap.mutate(|m| {
            let keys: Vec<_> = (0..count as u64).map(|id| Gc::new(m, Key { id })).collect();
            if hash {
                keys.iter().for_each(|&k| {
                    Gc::identity_hash(k);
                });
            }
            m.root(Gc::from_vec(m, keys))
        });
        heap.collect_major();
        heap.verify().unwrap();
        let used = heap.stats().heap_used;
        drop(keys);
        used
    };
    assert_eq!(
        used_after_major(true) - used_after_major(false),
        (count * core::mem::size_of::<usize>()) as u64
    );
}

#[test]
fn objects_hashed_at_one_nursery_address_in_turn_hash_apart() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let mut seen = Vec::new();
    for _ in 0..8 {
        let (root, at, hash) = heap.mutate(|m| {
            let key = Gc::new(m, Key { id: 0 });
            (
                m.root(key),
                Gc::as_ptr(key) as usize,
                Gc::identity_hash(key),
            )
        });
        // Each key moves out at the next collection, and the next one takes its place.
        heap.collect_minor();
        seen.push((root, at, hash));
    }
    assert!(
        seen.windows(2).all(|w| w[0].1 == w[1].1),
        "one eden address"
    );
    heap.mutate(|m| {
        for (root, _, hash) in &seen {
            assert_eq!(Gc::identity_hash(root.get(m)), *hash);
        }
    });
    let distinct: HashSet<u64> = seen.iter().map(|s| s.2).collect();
    assert_eq!(distinct.len(), seen.len());
}

#[test]
fn equal_gcs_hash_alike_in_a_hash_set() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let (a, b) = (Gc::new(m, Key { id: 7 }), Gc::new(m, Key { id: 7 }));
        let set: HashSet<_> = [a, b, a, b, a].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&a) && set.contains(&b));
    });
}

#[test]
fn an_identity_map_finds_every_entry_after_a_hundred_collections() {
    let count = if cfg!(miri) { 150 } else { 1_000_000 };
    let rounds = if cfg!(miri) { 8 } else { 100 };
    let mut heap = Heap::with_config(HeapConfig {
        // A nursery that holds a tenth of the keys, so that a minor collection copies some
        // and promotes others.
        nursery_size: if cfg!(miri) { 16 * 1024 } else { 4 << 20 },
        max_nursery_size: if cfg!(miri) { 16 * 1024 } else { 4 << 20 },
        // The verifier checks the heap once, at the end, rather than after each of the
        // hundred collections of a million objects.
        verify: cfg!(miri),
        ..HeapConfig::from_env()
    })
    .unwrap();
    let table = heap.mutate(|m| {
        m.root(Gc::new(
            m,
            Keyed {
                map: GcHashMap::new(),
                keys: GcVec::new(),
            },
        ))
    });
    let mut next_id = 0;
    for round in 0..rounds {
        heap.mutate(|m| {
            let table = table.get(m);
            // New keys every round (all of them in the first); a few removed from the front.
            let fresh = if round == 0 { count } else { count / 100 };
            for _ in 0..fresh {
                let key = Gc::new(m, Key { id: next_id });
                next_id += 1;
                table.map.insert(m, key, key.id);
                table.keys.push(m, key);
            }
            for _ in 0..fresh / 2 {
                let key = table.keys.swap_remove(m, 0);
                assert_eq!(table.map.remove(m, &key), Some(key.id));
            }
        });
        if round % 2 == 0 {
            heap.collect_minor();
        } else {
            heap.collect_major();
        }
        heap.mutate(|m| {
            let table = table.get(m);
            assert_eq!(table.map.len(), table.keys.len());
            // Every key after every tenth collection, a tenth of them (in turn) after the
            // others.
            let step = if round % 10 == 9 { 1 } else { 10 };
            for i in (round % step..table.keys.len()).step_by(step) {
                let key = table.keys.get(i).unwrap();
                assert_eq!(table.map.get(&key), Some(key.id), "round {round}");
            }
            // A key that is not in the map, hashed for the first time, is not found.
            assert_eq!(table.map.get(&Gc::new(m, Key { id: u64::MAX })), None);
        });
    }
    heap.verify().unwrap();
}

/// A key that is a number or an object: hashed by value or by identity.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Trace)]
enum Name<'gc> {
    Number(u64),
    Object(Gc<'gc, Key>),
}

#[test]
fn a_hash_map_keyed_by_numbers_and_objects_keeps_both_through_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let n = scaled(500) as u64;
    let (map, objects) = heap.mutate(|m| {
        let map = Gc::new(m, GcHashMap::new());
        let objects = GcVec::new();
        for i in 0..n {
            let key = Gc::new(m, Key { id: i });
            objects.push(m, key);
            map.insert(m, Name::Object(key), i);
            map.insert(m, Name::Number(i), i + n);
        }
        (m.root(map), m.root(Gc::new(m, objects)))
    });
    for round in 0..4 {
        if round % 2 == 0 {
            heap.collect_minor();
        } else {
            heap.collect_major();
        }
        heap.mutate(|m| {
            let (map, objects) = (map.get(m), objects.get(m));
            assert_eq!(map.len() as u64, 2 * n);
            for (i, key) in objects.iter().enumerate() {
                let i = i as u64;
                assert_eq!(map.get(&Name::Object(key)), Some(i));
                assert_eq!(map.get(&Name::Number(i)), Some(i + n));
            }
            // Another object with the same value is another key.
            assert_eq!(map.get(&Name::Object(Gc::new(m, Key { id: 0 }))), None);
        });
    }
    heap.mutate(|m| {
        let map = map.get(m);
        for i in 0..n {
            assert_eq!(map.remove(m, &Name::Number(i)), Some(i + n));
        }
        assert_eq!(map.len() as u64, n);
        assert!(map
            .iter()
            .all(|(k, v)| k == Name::Object(objects.get(m).get(v as usize).unwrap())));
    });
    heap.verify().unwrap();
}
