//! [`GcHashMap`]: a hash map whose keys may be managed objects, hashed by identity.

use core::cell::RefCell;
use core::fmt;
use core::hash::{BuildHasher, BuildHasherDefault, Hash};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;

use crate::collections::GcVec;
use crate::error::AllocError;
use crate::heap_send::{Admits, HeapKind};
use crate::mutation::Mutation;
use crate::trace::{Rebrand, Trace, Tracer};
use crate::word_hash::WordHasher;

/// The positions of the entries whose keys have one identity hash: almost always one.
#[derive(Clone, Debug)]
enum Positions {
    One(usize),
    Many(Vec<usize>),
}

impl Positions {
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (one, many) = match self {
            Positions::One(i) => (Some(*i), &[][..]),
            Positions::Many(all) => (None, &all[..]),
        };
        one.into_iter().chain(many.iter().copied())
    }

    fn add(&mut self, i: usize) {
        match self {
            Positions::One(first) => *self = Positions::Many(vec![*first, i]),
            Positions::Many(all) => all.push(i),
        }
    }

    /// Removes `i`; returns whether none is left.
    fn remove(&mut self, i: usize) -> bool {
        match self {
            Positions::One(_) => true,
            Positions::Many(all) => {
                all.retain(|&p| p != i);
                if let [only] = all[..] {
                    *self = Positions::One(only);
                }
                false
            }
        }
    }

    fn replace(&mut self, from: usize, to: usize) {
        match self {
            Positions::One(p) => *p = to,
            Positions::Many(all) => {
                for p in all.iter_mut().filter(|p| **p == from) {
                    *p = to;
                }
            }
        }
    }
}

/// A hash map whose keys are `Copy` values that may be or hold managed pointers (a `Gc`, an
/// enum of `Gc`s and numbers), with `Copy` values that may too, kept in insertion order, with
/// removal by swapping the last entry into the removed one's place.
///
/// A `Gc` compares by identity and hashes by its [identity hash](crate::Gc::identity_hash),
/// which stays the same when the collector moves the object; so a key's hash, taken once
/// when it is inserted, stays right through any number of collections, and the map never
/// rehashes a key. The keys and the values live in [`GcVec`]s (managed, card-marked storage:
/// a minor collection scans only the entries stored since the last one); the index of
/// hashes and positions, which holds no pointer, lives in ordinary memory.
///
/// The map holds its keys strongly: an entry keeps its key's object alive, like any pointer.
/// Use [`GcIndexMap`](crate::GcIndexMap) for keys that own memory (`String`s).
///
/// A key's `Hash` must not depend on an address (`Gc::as_ptr`): the address changes when the
/// object moves, and the entry would be lost (never unsound: a lookup would just miss). If a
/// key's `Hash` or `Eq` panics, the map is unchanged.
///
/// ```
/// use tenured_gc::{Gc, GcHashMap, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Person {
///     name: String,
/// }
///
/// let mut heap = Heap::new();
/// let (ages, ada) = heap.mutate(|m| {
///     let ages = Gc::new(m, GcHashMap::new());
///     let ada = Gc::new(m, Person { name: "Ada".into() });
///     let other_ada = Gc::new(m, Person { name: "Ada".into() });
///     ages.insert(m, ada, 36_u32);
///     ages.insert(m, other_ada, 20);
///     (m.root(ages), m.root(ada))
/// });
/// heap.collect_minor(); // the objects move: the keys still find their entries
/// heap.collect_major();
/// heap.mutate(|m| {
///     let (ages, ada) = (ages.get(m), ada.get(m));
///     assert_eq!(ages.get(&ada), Some(36));
///     assert_eq!(ages.len(), 2);
///     assert_eq!(ages.remove(m, &ada), Some(36));
///     assert_eq!(ages.get(&ada), None);
/// });
/// ```
pub struct GcHashMap<'gc, K, V> {
    /// Each hash's positions in `keys` and `values`.
    index: RefCell<HashMap<u64, Positions, BuildHasherDefault<WordHasher>>>,
    /// The hash of each key, in order: a removal moves one without hashing it again.
    hashes: RefCell<Vec<u64>>,
    keys: GcVec<'gc, K>,
    values: GcVec<'gc, V>,
    state: RandomState,
}

impl<K, V> GcHashMap<'_, K, V> {
    /// An empty map.
    pub fn new() -> Self {
        GcHashMap {
            index: RefCell::new(HashMap::default()),
            hashes: RefCell::new(Vec::new()),
            keys: GcVec::new(),
            values: GcVec::new(),
            state: RandomState::new(),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K, V> Default for GcHashMap<'_, K, V> {
    fn default() -> Self {
        GcHashMap::new()
    }
}

impl<'gc, K, V> GcHashMap<'gc, K, V>
where
    K: Copy + Trace + Rebrand<'gc, Branded = K> + Hash + Eq,
    V: Copy + Trace + Rebrand<'gc, Branded = V>,
{
    /// The hash of `key` and the position of its entry, if any.
    fn find(&self, key: &K) -> (u64, Option<usize>) {
        let hash = self.state.hash_one(key);
        let index = self.index.borrow();
        let found = index.get(&hash).and_then(|positions| {
            positions
                .iter()
                .find(|&i| self.keys.get(i).is_some_and(|k| k == *key))
        });
        (hash, found)
    }

    /// The value of `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.values.get(self.find(key).1?)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).1.is_some()
    }

    /// Sets the value of `key`, returning the one it replaces. A new key goes last.
    ///
    /// # Panics
    /// If the heap limit is reached; [`GcHashMap::try_insert`] returns the error instead.
    pub fn insert(
        &self,
        m: &Mutation<'gc, impl Admits<K> + Admits<V>>,
        key: K,
        value: V,
    ) -> Option<V> {
        self.try_insert(m, key, value)
            .unwrap_or_else(|e| crate::gc::alloc_failed(e))
    }

    /// Sets the value of `key`, returning the one it replaces, or reports that making room
    /// for a new key would pass the heap limit (the map is then unchanged).
    pub fn try_insert(
        &self,
        m: &Mutation<'gc, impl Admits<K> + Admits<V>>,
        key: K,
        value: V,
    ) -> Result<Option<V>, AllocError> {
        let (hash, found) = self.find(&key);
        if let Some(i) = found {
            return Ok(Some(self.values.set(m, i, value)));
        }
        let i = self.values.len();
        self.keys.try_push(m, key)?;
        if let Err(e) = self.values.try_push(m, value) {
            self.keys.pop(m);
            return Err(e);
        }
        self.hashes.borrow_mut().push(hash);
        self.index
            .borrow_mut()
            .entry(hash)
            .and_modify(|positions| positions.add(i))
            .or_insert(Positions::One(i));
        Ok(None)
    }

    /// Removes `key`'s entry and returns its value; the last entry takes its place.
    pub fn remove(&self, m: &Mutation<'gc, impl HeapKind>, key: &K) -> Option<V> {
        let (hash, found) = self.find(key);
        let i = found?;
        let mut index = self.index.borrow_mut();
        let mut hashes = self.hashes.borrow_mut();
        let positions = index.get_mut(&hash).expect("every key is indexed");
        if positions.remove(i) {
            index.remove(&hash);
        }
        self.keys.swap_remove(m, i);
        hashes.swap_remove(i);
        let value = self.values.swap_remove(m, i);
        if let Some(&moved) = hashes.get(i) {
            let last = hashes.len();
            index
                .get_mut(&moved)
                .expect("every key is indexed")
                .replace(last, i);
        }
        Some(value)
    }

    /// The entry at position `i` of the insertion order (as changed by removals).
    pub fn get_index(&self, i: usize) -> Option<(K, V)> {
        Some((self.keys.get(i)?, self.values.get(i)?))
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (K, V)> + use<'_, 'gc, K, V> {
        (0..self.len()).map_while(|i| self.get_index(i))
    }

    /// Removes every entry.
    pub fn clear(&self, m: &Mutation<'gc, impl HeapKind>) {
        self.index.borrow_mut().clear();
        self.hashes.borrow_mut().clear();
        self.keys.clear(m);
        self.values.clear(m);
    }
}

impl<'gc, K, V> fmt::Debug for GcHashMap<'gc, K, V>
where
    K: Copy + Trace + Rebrand<'gc, Branded = K> + Hash + Eq + fmt::Debug,
    V: Copy + Trace + Rebrand<'gc, Branded = V> + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

// SAFETY: `trace` hands the keys and the values, the only managed pointers the map holds, to
// the tracer; the index and the hashes hold numbers only, which no collection changes (the
// identity hash of an object stays with it when it moves). The map's only cells are its
// vectors', in their managed storage.
unsafe impl<K: Trace, V: Trace> Trace for GcHashMap<'_, K, V> {
    const IS_LEAF: bool = false;
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(&mut self.keys);
        tracer.trace(&mut self.values);
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, K, V> Rebrand<'gc> for GcHashMap<'_, K, V>
where
    K: Rebrand<'gc>,
    V: Rebrand<'gc>,
    K::Branded: Sized,
    V::Branded: Sized,
{
    type Branded = GcHashMap<'gc, K::Branded, V::Branded>;
}
