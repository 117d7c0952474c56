//! A least-recently-used cache: a `GcIndexMap` from keys to managed entries, and a doubly
//! linked list of the entries in order of use. A hit moves its entry to the front; a miss loads the
//! value and, if the cache is full, evicts the entry at the back, which the collector frees.
//!
//! Run with `cargo run --example lru_cache`.

use tenured_gc::{Gc, GcCell, GcIndexMap, GcRefCell, Heap, HeapConfig, Mutation, Trace};

/// A neighbour in order of use, or `None` past an end.
type Link<'gc> = Option<Gc<'gc, Entry<'gc>>>;

#[derive(Trace, Default)]
struct Entry<'gc> {
    key: String,
    value: GcRefCell<'gc, String>,
    newer: GcCell<'gc, Link<'gc>>,
    older: GcCell<'gc, Link<'gc>>,
}

const CAPACITY: usize = 3; // entries

#[derive(Trace, Default)]
struct Lru<'gc> {
    /// Keys are plain strings: a `Gc` moves with its object, so it may be a map's value but
    /// never its key. The values live in managed, card-marked storage: a minor collection
    /// scans only the entries stored since the last one, however big the cache.
    map: GcIndexMap<'gc, String, Gc<'gc, Entry<'gc>>>,
    newest: GcCell<'gc, Link<'gc>>,
    oldest: GcCell<'gc, Link<'gc>>,
}

impl<'gc> Lru<'gc> {
    fn lookup(&self, key: &str) -> Link<'gc> {
        self.map.get(key)
    }

    /// The value of `key`, which becomes the most recently used.
    fn get(&self, m: &Mutation<'gc>, key: &str) -> Option<String> {
        let entry = self.lookup(key)?;
        self.make_newest(m, entry);
        let value = entry.value.borrow().clone();
        Some(value)
    }

    /// Stores `value` under `key` as the most recently used; returns the key it evicted.
    fn put(&self, m: &Mutation<'gc>, key: &str, value: String) -> Option<String> {
        if let Some(entry) = self.lookup(key) {
            *entry.value.borrow_mut(m) = value;
            self.make_newest(m, entry);
            return None;
        }
        let full = self.map.len() == CAPACITY;
        let evicted = full.then(|| self.evict(m));
        let (key, value) = (key.to_string(), GcRefCell::new(value));
        let entry = Gc::new(
            m,
            Entry {
                key,
                value,
                ..Entry::default()
            },
        );
        self.map.insert(m, entry.key.clone(), entry);
        self.join(m, self.newest.get(), Some(entry));
        self.join(m, Some(entry), None);
        evicted
    }

    /// Drops the least recently used entry from the map and the list; returns its key.
    fn evict(&self, m: &Mutation<'gc>) -> String {
        let oldest = self.oldest.get().expect("a full cache has an oldest entry");
        self.join(m, None, oldest.newer.get());
        // Unlinked whole: an evicted entry that still pointed at its newer neighbour would,
        // once old, keep every entry evicted after it alive until the next major collection.
        oldest.newer.set(m, None);
        self.map.remove(m, &oldest.key);
        oldest.key.clone()
    }

    /// Moves `entry` to the newest end of the list.
    fn make_newest(&self, m: &Mutation<'gc>, entry: Gc<'gc, Entry<'gc>>) {
        self.join(m, entry.older.get(), entry.newer.get());
        self.join(m, self.newest.get(), Some(entry));
        self.join(m, Some(entry), None);
    }

    /// Makes `older` and `newer` neighbours; `None` stands for an end of the list.
    fn join(&self, m: &Mutation<'gc>, older: Link<'gc>, newer: Link<'gc>) {
        match older {
            Some(o) => o.newer.set(m, newer),
            None => self.oldest.set(m, newer),
        }
        match newer {
            Some(n) => n.older.set(m, older),
            None => self.newest.set(m, older),
        }
    }

    /// The keys from the most to the least recently used.
    fn keys(&self) -> String {
        let entries = std::iter::successors(self.newest.get(), |e| e.older.get());
        let keys: Vec<_> = entries.map(|e| e.key.clone()).collect();
        keys.join(" ")
    }
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    let cache = heap.mutate(|m| m.root(Gc::new(m, Lru::default())));
    let (requests, mut hits, mut evicted) = ("a b c a b d a e b a", 0, Vec::new());
    println!("A cache of {CAPACITY} entries; each request loads its page on a miss.");
    for key in requests.split(' ') {
        // A scope per request, as a server would run them: collections may run in between.
        let (page, evicts, keys) = heap.mutate(|m| {
            let cache = cache.get(m);
            let page = cache.get(m, key);
            let load = || format!("page {}", key.to_uppercase());
            let evicts = page.is_none().then(|| cache.put(m, key, load())).flatten();
            (page, evicts, cache.keys())
        });
        let outcome = match (&page, &evicts) {
            (Some(page), _) => format!("hit ({page})"),
            (None, Some(old)) => format!("miss, evicted {old}"),
            (None, None) => "miss".to_string(),
        };
        println!("  get {key}: {outcome:<18} newest first: {keys}");
        hits += usize::from(page.is_some());
        evicted.extend(evicts);
    }
    let misses = requests.split(' ').count() - hits;
    println!("{hits} hits, {misses} misses; evicted {evicted:?}.");
    assert_eq!((hits, misses), (4, 6));
    assert_eq!(evicted, ["c", "b", "d"]);

    heap.mutate(|m| {
        let cache = cache.get(m);
        assert_eq!(cache.keys(), "a b e");
        assert_eq!(cache.put(m, "e", "page E, edited".into()), None);
        let keys = cache.keys();
        println!("Put e, which is cached: nothing evicted, newest first: {keys}");
        assert_eq!(keys, "e a b");
        assert_eq!(cache.get(m, "e").as_deref(), Some("page E, edited"));
    });

    // Evicted entries are unreachable: nothing in the map or the list points to them.
    heap.collect_major();
    let freed = heap.stats().objects_finalized;
    println!("After a major collection: {freed} entries freed, the 3 evicted ones.");
    assert_eq!(freed, 3);
}
