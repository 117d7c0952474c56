//! [`GcIndexMap`]: a map from plain keys to managed values, the values card-marked.

use core::borrow::Borrow;
use core::cell::RefCell;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;

use crate::collections::GcVec;
use crate::error::AllocError;
use crate::heap_send::{Admits, HeapKind};
use crate::mutation::Mutation;
use crate::trace::{Leaf, Rebrand, Trace, Tracer};

/// A hash map from keys that hold no managed pointer (strings, numbers, ids: any [`Leaf`]) to
/// `Copy` values that may (a `Gc`, or values holding them), kept in insertion order, with
/// removal by swapping the last entry into the removed one's place.
///
/// The keys and the index live in ordinary memory, which the collector never scans; the
/// values live in a [`GcVec`], so a minor collection scans only the values stored since the
/// last one, however big the map (see [`crate::collections`]). This is the map to use for a
/// big, long-lived table of managed objects, where a `HashMap` in a [`GcRefCell`] would be
/// scanned whole at every minor collection that follows a store into it.
///
/// The index hashes keys with `S`, SipHash by default as in [`HashMap`]; a map of many small
/// keys looks them up faster with a quicker hasher ([`GcIndexMap::with_hasher`]), as a
/// `HashMap` does.
///
/// Keys cannot be `Gc`s: a `Gc`'s address changes when its object moves, so it would hash
/// to a different place after every collection. If a key's `Clone`, `Hash`, `Eq` or drop
/// panics in the middle of an insertion or a removal, the map is left empty (never with its
/// keys and values out of step).
///
/// [`GcRefCell`]: crate::GcRefCell
///
/// ```
/// use tenured_gc::{Gc, GcIndexMap, Heap};
///
/// let mut heap = Heap::new();
/// let globals = heap.mutate(|m| {
///     let globals = Gc::new(m, GcIndexMap::new());
///     globals.insert(m, "pi".to_string(), Gc::new(m, 3.14));
///     globals.insert(m, "e".to_string(), Gc::new(m, 2.72));
///     m.root(globals)
/// });
/// heap.collect_major();
/// heap.mutate(|m| {
///     let globals = globals.get(m);
///     assert_eq!(*globals.get("pi").unwrap(), 3.14);
///     assert_eq!(globals.remove(m, "pi").map(|gc| *gc), Some(3.14));
///     assert_eq!(globals.len(), 1);
///     assert!(globals.get("pi").is_none());
/// });
/// ```
pub struct GcIndexMap<'gc, K, V, S = RandomState> {
    /// Each key's position in `keys` and `values`.
    index: RefCell<HashMap<K, usize, S>>,
    /// The keys in order.
    keys: RefCell<Vec<K>>,
    values: GcVec<'gc, V>,
}

impl<K, V> GcIndexMap<'_, K, V> {
    /// An empty map that hashes with SipHash, as a `HashMap` does by default.
    pub fn new() -> Self {
        GcIndexMap::with_hasher(RandomState::new())
    }
}

impl<K, V, S: 'static> GcIndexMap<'_, K, V, S> {
    /// An empty map whose index hashes keys with `hasher`.
    ///
    /// ```
    /// use std::hash::BuildHasherDefault;
    /// # use std::hash::Hasher;
    /// use tenured_gc::{Gc, GcIndexMap, Heap};
    ///
    /// # #[derive(Default)]
    /// # struct Fnv(u64);
    /// # impl Hasher for Fnv {
    /// #     fn finish(&self) -> u64 { self.0 }
    /// #     fn write(&mut self, bytes: &[u8]) {
    /// #         for b in bytes { self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100000001b3); }
    /// #     }
    /// # }
    /// // `Fnv` is any `Hasher + Default`, such as one from the `rustc-hash` or `ahash` crates.
    /// type Quick = BuildHasherDefault<Fnv>;
    ///
    /// let mut heap = Heap::new();
    /// heap.mutate(|m| {
    ///     let squares = Gc::new(m, GcIndexMap::with_hasher(Quick::default()));
    ///     for i in 0..100u64 {
    ///         squares.insert(m, i, Gc::new(m, i * i));
    ///     }
    ///     assert_eq!(squares.get(&7).map(|gc| *gc), Some(49));
    /// });
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        GcIndexMap {
            index: RefCell::new(HashMap::with_hasher(hasher)),
            keys: RefCell::new(Vec::new()),
            values: GcVec::new(),
        }
    }
}

impl<K, V, S> GcIndexMap<'_, K, V, S> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K, V, S: Default + 'static> Default for GcIndexMap<'_, K, V, S> {
    fn default() -> Self {
        GcIndexMap::with_hasher(S::default())
    }
}

impl<'gc, K, V, S> GcIndexMap<'gc, K, V, S>
where
    K: Leaf + Hash + Eq + Clone,
    V: Copy + Trace + Rebrand<'gc, Branded = V>,
    S: BuildHasher + 'static,
{
    /// The value of `key`, if any.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = *self.index.borrow().get(key)?;
        self.values.get(i)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.borrow().contains_key(key)
    }

    /// Sets the value of `key`, returning the one it replaces. A new key goes last.
    ///
    /// # Panics
    /// If the heap limit is reached; [`GcIndexMap::try_insert`] returns the error instead.
    pub fn insert(&self, m: &Mutation<'gc, impl Admits<V>>, key: K, value: V) -> Option<V> {
        self.try_insert(m, key, value)
            .unwrap_or_else(|e| crate::gc::alloc_failed(e))
    }

    /// Sets the value of `key`, returning the one it replaces, or reports that making room
    /// for a new key would pass the heap limit (the map is then unchanged).
    pub fn try_insert(
        &self,
        m: &Mutation<'gc, impl Admits<V>>,
        key: K,
        value: V,
    ) -> Result<Option<V>, AllocError> {
        let existing = self.index.borrow().get(&key).copied();
        if let Some(i) = existing {
            return Ok(Some(self.values.set(m, i, value)));
        }
        let copy = key.clone();
        let i = self.values.len();
        self.values.try_push(m, value)?;
        let guard = EmptyOnUnwind {
            map: self,
            m: m.unchecked(),
        };
        self.index.borrow_mut().insert(key, i);
        self.keys.borrow_mut().push(copy);
        core::mem::forget(guard);
        Ok(None)
    }

    /// Removes `key`'s entry and returns its value; the last entry takes its place.
    pub fn remove<Q>(&self, m: &Mutation<'gc, impl HeapKind>, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // A panic in the key's `Hash` or `Eq` here leaves the index as it was.
        let (indexed, i) = self.index.borrow_mut().remove_entry(key)?;
        let guard = EmptyOnUnwind {
            map: self,
            m: m.unchecked(),
        };
        let removed = self.keys.borrow_mut().swap_remove(i);
        let value = self.values.swap_remove(m, i);
        let keys = self.keys.borrow();
        if let Some(moved) = keys.get(i) {
            *self
                .index
                .borrow_mut()
                .get_mut::<K>(moved)
                .expect("every key is indexed") = i;
        }
        drop(keys);
        core::mem::forget(guard);
        // The keys' drop glue runs last, once the three parts agree again.
        drop((indexed, removed));
        Some(value)
    }

    /// The entry at position `i` of the insertion order (as changed by removals).
    pub fn get_index(&self, i: usize) -> Option<(K, V)> {
        let key = self.keys.borrow().get(i)?.clone();
        Some((key, self.values.get(i)?))
    }

    /// The entries in order, each key cloned.
    pub fn iter(&self) -> impl Iterator<Item = (K, V)> + use<'_, 'gc, K, V, S> {
        (0..self.len()).map_while(|i| self.get_index(i))
    }

    /// Removes every entry.
    pub fn clear(&self, m: &Mutation<'gc, impl HeapKind>) {
        let (index, keys) = self.take_keys();
        self.values.clear(m);
        // The keys' drop glue runs once the map is empty.
        drop((index, keys));
    }

    /// Empties the index and the keys, handing them back to be dropped.
    fn take_keys(&self) -> (Vec<(K, usize)>, Vec<K>) {
        (
            self.index.borrow_mut().drain().collect(),
            core::mem::take(&mut *self.keys.borrow_mut()),
        )
    }
}

/// Empties the map if the user code it calls (a key's `Clone`, `Hash`, `Eq` or drop) panics
/// between changes to its three parts, so that they never disagree afterwards.
struct EmptyOnUnwind<'a, 'gc, K, V, S>
where
    K: Leaf + Hash + Eq + Clone,
    V: Copy + Trace + Rebrand<'gc, Branded = V>,
    S: BuildHasher + 'static,
{
    map: &'a GcIndexMap<'gc, K, V, S>,
    m: Mutation<'gc>,
}

impl<'gc, K, V, S> Drop for EmptyOnUnwind<'_, 'gc, K, V, S>
where
    K: Leaf + Hash + Eq + Clone,
    V: Copy + Trace + Rebrand<'gc, Branded = V>,
    S: BuildHasher + 'static,
{
    fn drop(&mut self) {
        // Only reached while unwinding: on success the guard is forgotten. The map is empty
        // before the keys it held are dropped (a key whose drop panics now, while unwinding,
        // aborts the process, as in any collection of Rust's).
        let (index, keys) = self.map.take_keys();
        self.map.values.clear(&self.m);
        drop((index, keys));
    }
}

impl<'gc, K, V, S> fmt::Debug for GcIndexMap<'gc, K, V, S>
where
    K: Leaf + Hash + Eq + Clone + fmt::Debug,
    V: Copy + Trace + Rebrand<'gc, Branded = V> + fmt::Debug,
    S: BuildHasher + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

// SAFETY: `trace` hands the values, the only managed pointers the map holds, to the tracer.
// The keys are `Leaf`s (the bound of every method that stores one), and the hasher is
// `'static` (the bound of every constructor), as a `HashMap`'s must be to be a `Leaf`, so
// the index and the keys hold no managed pointer and change without a barrier. The map's
// only cells are the values', in their vector and its managed storage.
unsafe impl<K, V: Trace, S> Trace for GcIndexMap<'_, K, V, S> {
    const IS_LEAF: bool = false;
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(&mut self.values)
    }
}

// SAFETY: only the brand changes; the keys and the hasher, `'static`, carry none.
unsafe impl<'gc, K: 'static, V: Rebrand<'gc>, S: 'static> Rebrand<'gc> for GcIndexMap<'_, K, V, S>
where
    V::Branded: Sized,
{
    type Branded = GcIndexMap<'gc, K, V::Branded, S>;
}
