//! lru-cache: a least-recently-used cache of 100,000 entries under a skewed load.
//!
//! The cache is a hash map from `u64` keys to entries plus a doubly linked list of the entries
//! in order of use, as in tenured-gc's `examples/lru_cache.rs`. `size` requests follow: each
//! draws a key from a log-uniform distribution below 2^22 (a bit count uniform in 0..=22, then
//! a key uniform below 2^bits, from [`crate::rng`]), so small keys are hot and most keys are
//! rare. One request in ten is a put of the request's number under its key; the others are
//! gets: a hit reads the value and makes the entry the newest, a miss loads `key * 7 + 1` and
//! puts it. A put of a new key into a full cache evicts the least recently used entry. The
//! checks: hits, misses, puts and the sum of the values read, then the final size and a
//! checksum of the keys from newest to oldest. The cache lives for the whole run; its entries
//! live from their miss to their eviction. Written for this harness.

use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "lru-cache",
    size_unit: "requests",
    quick_size: 2_000_000,
    full_size: 20_000_000,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        "Rc" => rc,
        optional "gc-arena" => gc_arena,
    },
    java_class: Some("LruCache"),
    hotspot: HotSpot::DEFAULT_SIZING,
    go: true,
    notes: "One mutation scope per request: a `heap.mutate` in tenured-gc (the cache held by a \
            `Root`, its map a `GcIndexMap<u64, Gc<Entry>>`), an `arena.mutate` followed \
            by `collect_debt` in gc-arena (`RefLock<HashMap<..>>`, `Lock` links). Rc: \
            `Rc<RefCell<Entry>>`, strong links towards the oldest entry and `Weak` links back, \
            with a `Drop` that unlinks the list iteratively. Java: a `LinkedHashMap<Long, Long>` \
            in access order with `removeEldestEntry`. Go: a `map[uint64]*entry` and a \
            hand-written list.",
};

/// Entries the cache holds.
const CAPACITY: usize = 100_000;
/// Keys are below `2^KEY_BITS`.
const KEY_BITS: u64 = 22;

/// One request.
#[derive(Clone, Copy)]
enum Request {
    /// Look up the key; on a miss, put `load(key)`.
    Get(u64),
    /// Store the value under the key.
    Put(u64, u64),
}

/// The value a miss loads.
fn load(key: u64) -> u64 {
    key * 7 + 1
}

/// Serves `requests` requests and counts them: `serve` returns the value a get found (`None`
/// for a miss or a put).
fn run(requests: u32, mut serve: impl FnMut(Request) -> Option<u64>) -> Tally {
    let mut rng = XorShift::new(SEED);
    let mut tally = Tally::default();
    for i in 0..u64::from(requests) {
        let bits = rng.below(KEY_BITS + 1);
        let key = rng.below(1 << bits);
        if rng.below(10) == 0 {
            tally.puts += 1;
            serve(Request::Put(key, i));
        } else if let Some(value) = serve(Request::Get(key)) {
            tally.hits += 1;
            tally.sum += value;
        } else {
            tally.misses += 1;
        }
    }
    tally
}

#[derive(Default)]
struct Tally {
    hits: u64,
    misses: u64,
    puts: u64,
    sum: u64,
}

impl Tally {
    /// Prints the check lines; `keys` are the final keys from newest to oldest.
    fn print(&self, keys: impl Iterator<Item = u64>) {
        println!(
            "{} hits, {} misses, {} puts; values read sum to {}",
            self.hits, self.misses, self.puts, self.sum
        );
        let (len, checksum) = keys.fold((0u64, 0u64), |(n, c), key| {
            (n + 1, c.wrapping_mul(31).wrapping_add(key))
        });
        println!(
            "{len} entries at the end (capacity {CAPACITY}); newest-first key checksum {checksum}"
        );
    }
}

fn tenured_gc(requests: u32) {
    use tenured_gc::{Gc, GcCell, GcIndexMap, Heap, Mutation, Trace};

    type Link<'gc> = Option<Gc<'gc, Entry<'gc>>>;

    #[derive(Trace)]
    struct Entry<'gc> {
        key: u64,
        value: GcCell<'gc, u64>,
        newer: GcCell<'gc, Link<'gc>>,
        older: GcCell<'gc, Link<'gc>>,
    }

    #[derive(Trace, Default)]
    struct Lru<'gc> {
        map: GcIndexMap<'gc, u64, Gc<'gc, Entry<'gc>>>,
        newest: GcCell<'gc, Link<'gc>>,
        oldest: GcCell<'gc, Link<'gc>>,
    }

    impl<'gc> Lru<'gc> {
        fn get(&self, m: &Mutation<'gc>, key: u64) -> Option<u64> {
            let entry = self.map.get(&key)?;
            self.make_newest(m, entry);
            Some(entry.value.get())
        }

        fn put(&self, m: &Mutation<'gc>, key: u64, value: u64) {
            let found = self.map.get(&key);
            if let Some(entry) = found {
                entry.value.set(m, value);
                self.make_newest(m, entry);
                return;
            }
            if self.map.len() == CAPACITY {
                let oldest = self.oldest.get().expect("a full cache has an oldest entry");
                self.join(m, None, oldest.newer.get());
                // Unlinked whole, as Java's `LinkedHashMap` unlinks its eldest entry: an
                // evicted entry that still pointed at its newer neighbour would keep every
                // entry evicted after it alive until the next major collection.
                oldest.newer.set(m, None);
                self.map.remove(m, &oldest.key);
            }
            let entry = Gc::new(
                m,
                Entry {
                    key,
                    value: GcCell::new(value),
                    newer: GcCell::new(None),
                    older: GcCell::new(None),
                },
            );
            self.map.insert(m, key, entry);
            self.join(m, self.newest.get(), Some(entry));
            self.join(m, Some(entry), None);
        }

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
    }

    let mut heap = Heap::new();
    let cache = heap.mutate(|m| m.root(Gc::new(m, Lru::default())));
    let tally = run(requests, |request| {
        heap.mutate(|m| {
            let cache = cache.get(m);
            match request {
                Request::Put(key, value) => cache.put(m, key, value),
                Request::Get(key) => match cache.get(m, key) {
                    Some(value) => return Some(value),
                    None => cache.put(m, key, load(key)),
                },
            }
            None
        })
    });
    heap.mutate(|m| {
        let newest = cache.get(m).newest.get();
        tally.print(std::iter::successors(newest, |e| e.older.get()).map(|e| e.key));
    });
    crate::print_pauses(&heap.stats());
}

fn rc(requests: u32) {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::{Rc, Weak};

    type Link = Option<Rc<RefCell<Entry>>>;

    struct Entry {
        key: u64,
        value: u64,
        /// Towards the newest entry.
        newer: Weak<RefCell<Entry>>,
        /// Towards the oldest entry: the list owns its entries from the newest on.
        older: Link,
    }

    #[derive(Default)]
    struct Lru {
        map: HashMap<u64, Rc<RefCell<Entry>>>,
        newest: Link,
        oldest: Weak<RefCell<Entry>>,
    }

    fn weak(link: &Link) -> Weak<RefCell<Entry>> {
        link.as_ref().map_or_else(Weak::new, Rc::downgrade)
    }

    impl Lru {
        fn get(&mut self, key: u64) -> Option<u64> {
            let entry = self.map.get(&key)?.clone();
            self.make_newest(&entry);
            let value = entry.borrow().value;
            Some(value)
        }

        fn put(&mut self, key: u64, value: u64) {
            if let Some(entry) = self.map.get(&key).cloned() {
                entry.borrow_mut().value = value;
                self.make_newest(&entry);
                return;
            }
            if self.map.len() == CAPACITY {
                let oldest = self
                    .oldest
                    .upgrade()
                    .expect("a full cache has an oldest entry");
                let newer = oldest.borrow().newer.upgrade();
                self.join(None, newer);
                self.map.remove(&oldest.borrow().key);
            }
            let entry = Rc::new(RefCell::new(Entry {
                key,
                value,
                newer: Weak::new(),
                older: None,
            }));
            self.map.insert(key, entry.clone());
            self.join(self.newest.clone(), Some(entry.clone()));
            self.join(Some(entry), None);
        }

        fn make_newest(&mut self, entry: &Rc<RefCell<Entry>>) {
            let (older, newer) = {
                let e = entry.borrow();
                (e.older.clone(), e.newer.upgrade())
            };
            self.join(older, newer);
            self.join(self.newest.clone(), Some(entry.clone()));
            self.join(Some(entry.clone()), None);
        }

        /// Makes `older` and `newer` neighbours; `None` stands for an end of the list.
        fn join(&mut self, older: Link, newer: Link) {
            match &older {
                Some(o) => o.borrow_mut().newer = weak(&newer),
                None => self.oldest = weak(&newer),
            }
            match newer {
                Some(n) => n.borrow_mut().older = older,
                None => self.newest = older,
            }
        }
    }

    impl Drop for Lru {
        /// Unlinks the list one entry at a time: dropping its strong chain of `older` links
        /// would recurse once per entry.
        fn drop(&mut self) {
            let mut next = self.newest.take();
            while let Some(entry) = next {
                next = entry.borrow_mut().older.take();
            }
        }
    }

    let mut cache = Lru::default();
    let tally = run(requests, |request| {
        match request {
            Request::Put(key, value) => cache.put(key, value),
            Request::Get(key) => match cache.get(key) {
                Some(value) => return Some(value),
                None => cache.put(key, load(key)),
            },
        }
        None
    });
    let keys = std::iter::successors(cache.newest.clone(), |e| e.borrow().older.clone());
    tally.print(keys.map(|e| e.borrow().key));
}

#[cfg(feature = "gc-arena")]
fn gc_arena(requests: u32) {
    use gc_arena::barrier::unlock;
    use gc_arena::lock::RefLock;
    use gc_arena::{Arena, Collect, Gc, Lock, Mutation, Rootable};
    use std::cell::Cell;
    use std::collections::HashMap;

    type Link<'gc> = Option<Gc<'gc, Entry<'gc>>>;

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Entry<'gc> {
        key: u64,
        value: Cell<u64>,
        newer: Lock<Link<'gc>>,
        older: Lock<Link<'gc>>,
    }

    #[derive(Collect, Default)]
    #[collect(no_drop)]
    struct Lru<'gc> {
        map: RefLock<HashMap<u64, Gc<'gc, Entry<'gc>>>>,
        newest: Lock<Link<'gc>>,
        oldest: Lock<Link<'gc>>,
    }

    type Cache<'gc> = Gc<'gc, Lru<'gc>>;

    fn get<'gc>(mc: &Mutation<'gc>, cache: Cache<'gc>, key: u64) -> Option<u64> {
        let entry = cache.map.borrow().get(&key).copied()?;
        make_newest(mc, cache, entry);
        Some(entry.value.get())
    }

    fn put<'gc>(mc: &Mutation<'gc>, cache: Cache<'gc>, key: u64, value: u64) {
        let found = cache.map.borrow().get(&key).copied();
        if let Some(entry) = found {
            entry.value.set(value);
            make_newest(mc, cache, entry);
            return;
        }
        let map = || unlock!(Gc::write(mc, cache), Lru, map).borrow_mut();
        if cache.map.borrow().len() == CAPACITY {
            let oldest = cache
                .oldest
                .get()
                .expect("a full cache has an oldest entry");
            join(mc, cache, None, oldest.newer.get());
            map().remove(&oldest.key);
        }
        let entry = Gc::new(
            mc,
            Entry {
                key,
                value: Cell::new(value),
                newer: Lock::new(None),
                older: Lock::new(None),
            },
        );
        map().insert(key, entry);
        join(mc, cache, cache.newest.get(), Some(entry));
        join(mc, cache, Some(entry), None);
    }

    fn make_newest<'gc>(mc: &Mutation<'gc>, cache: Cache<'gc>, entry: Gc<'gc, Entry<'gc>>) {
        join(mc, cache, entry.older.get(), entry.newer.get());
        join(mc, cache, cache.newest.get(), Some(entry));
        join(mc, cache, Some(entry), None);
    }

    /// Makes `older` and `newer` neighbours; `None` stands for an end of the list.
    fn join<'gc>(mc: &Mutation<'gc>, cache: Cache<'gc>, older: Link<'gc>, newer: Link<'gc>) {
        match older {
            Some(o) => unlock!(Gc::write(mc, o), Entry, newer).set(newer),
            None => unlock!(Gc::write(mc, cache), Lru, oldest).set(newer),
        }
        match newer {
            Some(n) => unlock!(Gc::write(mc, n), Entry, older).set(older),
            None => unlock!(Gc::write(mc, cache), Lru, newest).set(older),
        }
    }

    let mut arena = Arena::<Rootable![Cache<'_>]>::new(|mc| Gc::new(mc, Lru::default()));
    let tally = run(requests, |request| {
        let found = arena.mutate(|mc, &cache| {
            match request {
                Request::Put(key, value) => put(mc, cache, key, value),
                Request::Get(key) => match get(mc, cache, key) {
                    Some(value) => return Some(value),
                    None => put(mc, cache, key, load(key)),
                },
            }
            None
        });
        arena.collect_debt();
        found
    });
    arena.mutate(|_, cache| {
        let keys = std::iter::successors(cache.newest.get(), |e| e.older.get());
        tally.print(keys.map(|e| e.key));
    });
}
