//! The managed collections: values intact through collections, and minor collections that
//! scan only what changed in a big one.

use std::cell::Cell;

use tenured_gc::{Gc, GcIndexMap, GcVec, Heap, HeapConfig, Rebrand, Root, Trace, Tracer};

use crate::common::*;

#[test]
fn a_vector_keeps_its_elements_through_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let n = if cfg!(miri) { 100 } else { 5_000 };
    let list: Root<GcVec<'static, Gc<'static, Node<'static>>>> = heap.mutate(|m| {
        let list = Gc::new(m, GcVec::new());
        for i in 0..n {
            list.push(m, Gc::new(m, Node::new(i)));
        }
        m.root(list)
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let list = list.get(m);
        assert_eq!(list.len(), n as usize);
        assert!(list.capacity() >= list.len());
        let values: Vec<i64> = list.iter().map(|node| node.value).collect();
        assert_eq!(values, (0..n).collect::<Vec<_>>());
        // Replace, remove and shrink; the new nodes are young, the list old.
        assert_eq!(list.set(m, 0, Gc::new(m, Node::new(-1))).value, 0);
        assert_eq!(list.swap_remove(m, 1).value, 1);
        assert_eq!(list.pop(m).map(|node| node.value), Some(n - 2));
        list.truncate(m, 10);
    });
    heap.collect_minor();
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_major();
    heap.mutate(|m| {
        let list = list.get(m);
        let values: Vec<i64> = list.iter().map(|node| node.value).collect();
        assert_eq!(values, [-1, n - 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(list.get(10).map(|node| node.value), None);
        list.clear(m);
        assert!(list.is_empty() && list.last().is_none());
    });
}

thread_local! {
    /// How many `Counted` elements were traced on this thread.
    static TRACED: Cell<usize> = const { Cell::new(0) };
}

/// An element that counts how often the collector traces it.
#[derive(Clone, Copy)]
struct Counted<'gc>(Gc<'gc, u64>);

// SAFETY: `trace` hands the one managed pointer to the tracer and only bumps a counter.
unsafe impl Trace for Counted<'_> {
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        TRACED.with(|t| t.set(t.get() + 1));
        tracer.trace(&mut self.0);
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc> Rebrand<'gc> for Counted<'_> {
    type Branded = Counted<'gc>;
}

#[test]
#[cfg_attr(
    miri,
    ignore = "slow under Miri; the same code paths run in the smaller card tests"
)]
fn a_minor_collection_scans_only_the_changed_part_of_a_big_vector() {
    let config = HeapConfig {
        verify: false,
        stress: None,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let n = if cfg!(miri) { 2_000 } else { 100_000 };
    let list = heap.mutate(|m| {
        let list = Gc::new(m, GcVec::with_capacity(m, n));
        for i in 0..n as u64 {
            list.push(m, Counted(Gc::new(m, i)));
        }
        m.root(list)
    });
    heap.collect_major();
    heap.mutate(|m| {
        let list = list.get(m);
        list.set(m, n / 3, Counted(Gc::new(m, 7)));
        // The storage is full: it grows (a new large object, scanned once as it is made).
        list.push(m, Counted(Gc::new(m, 8)));
    });
    TRACED.with(|t| t.set(0));
    heap.collect_minor();
    let traced = TRACED.with(|t| t.replace(0));
    assert!(
        (2..n / 20).contains(&traced),
        "{traced} of {n} elements traced for two stores"
    );
    heap.collect_major();
    heap.mutate(|m| {
        let list = list.get(m);
        assert_eq!(list.len(), n + 1);
        assert_eq!(*list.get(n / 3).unwrap().0, 7);
        assert_eq!(*list.last().unwrap().0, 8);
        assert_eq!(*list.get(n / 3 + 1).unwrap().0, n as u64 / 3 + 1);
    });
}

#[test]
fn an_index_map_finds_its_entries_through_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let n = if cfg!(miri) { 60 } else { 4_000 };
    let map: Root<GcIndexMap<'static, String, Gc<'static, Node<'static>>>> = heap.mutate(|m| {
        let map = Gc::new(m, GcIndexMap::new());
        for i in 0..n {
            assert!(map
                .insert(m, format!("k{i}"), Gc::new(m, Node::new(i)))
                .is_none());
        }
        m.root(map)
    });
    heap.collect_major();
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len(), n as usize);
        for i in (0..n).step_by(2) {
            assert_eq!(
                map.remove(m, &format!("k{i}")).map(|node| node.value),
                Some(i)
            );
        }
        let replaced = map.insert(m, "k1".to_string(), Gc::new(m, Node::new(-1)));
        assert_eq!(replaced.map(|node| node.value), Some(1));
        assert!(map.remove(m, "k0").is_none(), "removed already");
    });
    heap.collect_minor();
    assert_eq!(heap.verify(), Ok(()));
    heap.collect_major();
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len(), n as usize / 2);
        assert_eq!(map.get("k1").map(|node| node.value), Some(-1));
        for i in (3..n).step_by(2) {
            assert_eq!(map.get(&format!("k{i}")).map(|node| node.value), Some(i));
            assert!(!map.contains_key(&format!("k{}", i - 1)));
        }
        let mut keys: Vec<String> = map.iter().map(|(k, _)| k).collect();
        keys.sort();
        let mut expected: Vec<String> = (1..n).step_by(2).map(|i| format!("k{i}")).collect();
        expected.sort();
        assert_eq!(keys, expected);
        map.clear(m);
        assert!(map.is_empty() && map.get("k1").is_none());
    });
}

thread_local! {
    /// How many hashers `Counting` has built on this thread.
    static HASHERS_BUILT: Cell<u64> = const { Cell::new(0) };
}

/// A hasher builder that counts what it builds, to show that the map hashes with it.
#[derive(Default)]
struct Counting;

impl std::hash::BuildHasher for Counting {
    type Hasher = std::collections::hash_map::DefaultHasher;
    fn build_hasher(&self) -> Self::Hasher {
        HASHERS_BUILT.with(|n| n.set(n.get() + 1));
        Self::Hasher::new()
    }
}

#[test]
fn an_index_map_hashes_with_the_hasher_it_was_given() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let n = if cfg!(miri) { 40 } else { 2_000 };
    HASHERS_BUILT.with(|b| b.set(0));
    let map: Root<GcIndexMap<'static, u64, Gc<'static, u64>, Counting>> = heap.mutate(|m| {
        let map = Gc::new(m, GcIndexMap::with_hasher(Counting));
        for i in 0..n {
            map.insert(m, i, Gc::new(m, i * 3));
        }
        m.root(map)
    });
    let built = HASHERS_BUILT.with(Cell::get);
    assert!(built >= n, "{built} hashers built for {n} insertions");
    heap.collect_major();
    heap.mutate(|m| {
        let map = map.get(m);
        for i in (0..n).step_by(2) {
            assert_eq!(map.remove(m, &i).map(|gc| *gc), Some(i * 3));
        }
    });
    heap.collect_minor();
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.len() as u64, n / 2);
        for i in 0..n {
            let expected = (i % 2 == 1).then_some(i * 3);
            assert_eq!(map.get(&i).map(|gc| *gc), expected);
        }
        map.clear(m);
        assert!(map.is_empty());
    });
    assert!(HASHERS_BUILT.with(Cell::get) > built + n);
}

thread_local! {
    /// How many more hashes of a touchy key succeed before one panics.
    static HASHES_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// A key whose hash panics once `HASHES_LEFT` runs out.
#[derive(Clone, PartialEq, Eq, Trace)]
struct Touchy(u32);

impl std::hash::Hash for Touchy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let left = HASHES_LEFT.with(|l| l.replace(l.get().saturating_sub(1)));
        assert!(left > 0, "the key's hash panics");
        self.0.hash(state)
    }
}

#[test]
fn an_index_map_whose_key_panics_is_unchanged_or_empty_never_out_of_step() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let mut heap = Heap::with_config(small_config()).unwrap();
    let map: Root<GcIndexMap<'static, Touchy, Gc<'static, u64>>> = heap.mutate(|m| {
        let map = Gc::new(m, GcIndexMap::new());
        for id in 0..10 {
            map.insert(m, Touchy(id), Gc::new(m, u64::from(id)));
        }
        m.root(map)
    });
    heap.mutate(|m| {
        let map = map.get(m);
        let insert = |hashes| {
            HASHES_LEFT.with(|l| l.set(hashes));
            let result = catch_unwind(AssertUnwindSafe(|| {
                map.insert(m, Touchy(99), Gc::new(m, 99));
            }));
            HASHES_LEFT.with(|l| l.set(u32::MAX));
            assert!(result.is_err());
        };
        // The first hash, the lookup, panics: nothing has changed yet.
        insert(0);
        assert_eq!(map.len(), 10);
        // The second, after the value is pushed: the map is emptied, not left out of step.
        insert(1);
        assert_eq!(map.len(), 0);
        assert!(map.iter().next().is_none());
        // Usable again afterwards.
        map.insert(m, Touchy(1), Gc::new(m, 1));
        map.insert(m, Touchy(2), Gc::new(m, 2));
        assert_eq!(map.remove(m, &Touchy(1)).map(|gc| *gc), Some(1));
        assert_eq!(map.len(), 1);
    });
    heap.collect_major();
    heap.mutate(|m| {
        let map = map.get(m);
        assert_eq!(map.get(&Touchy(2)).map(|gc| *gc), Some(2));
        assert_eq!(map.get_index(0).map(|(k, v)| (k.0, *v)), Some((2, 2)));
    });
}
