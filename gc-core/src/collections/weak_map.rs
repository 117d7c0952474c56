//! [`GcWeakMap`]: a map whose entries live only as long as their keys (ephemerons).
//!
//! # How the collectors trace it
//! An entry is an *ephemeron*: its value is reachable only while its key is reachable from
//! somewhere other than the entry. The map's `trace` asks the visitor which pass it is in
//! ([`EphemeronPass`]). While a collector is still finding the live objects, it traces only
//! the keys, as weak edges, and notes the map (`Defer`). Once nothing else is left to trace,
//! it goes back to the maps it noted and traces the values of the entries whose keys it has
//! found live (`Resolve`), traces what those values reach, and repeats until a round finds
//! no new object: a value that reaches its own key keeps nothing alive, and a value that
//! reaches another map's key is followed in the next round. Last, the pass that fixes weak
//! pointers (`Strong`) clears the keys that died, and the map removes those entries and
//! drops their values, once.

use core::cell::{Cell, RefCell};
use core::fmt;
use core::hash::BuildHasherDefault;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::gc::Gc;
use crate::heap_send::HeapKind;
use crate::mutation::Mutation;
use crate::trace::{EphemeronPass, Rebrand, Trace, Tracer};
use crate::type_info::Object;
use crate::word_hash::WordHasher;

/// One entry: a weak key and the value it keeps.
struct Entry<V> {
    /// The key object's start; `None` only between the moment a collector clears it and the
    /// entry's removal in the same trace.
    key: Option<NonNull<u8>>,
    value: V,
}

/// A map from managed objects, compared by identity, to values that the map holds only as
/// long as the key object is reachable from elsewhere: JavaScript's `WeakMap`.
///
/// An entry keeps its value alive while its key lives. The key itself is held weakly: when
/// nothing but the map's entries reaches a key object (a value that points back at its own
/// key does not count), the collection that finds it dead removes the entry and drops its
/// value, once. This is what a cache of facts about objects needs (a memo of computed
/// properties, the wrapper of each object for a scripting layer, side tables an interpreter
/// keeps per object) without keeping the objects alive or leaking entries whose values point
/// back at their keys.
///
/// Keys are found by their [identity hash](crate::Gc::identity_hash), which survives moves.
/// Every collection looks at the map's entries again until the set of live keys settles,
/// so a map of many entries whose values reach the keys of other entries costs a round per
/// link of such a chain.
///
/// ```
/// use tenured_gc::{Gc, GcWeakMap, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc> {
///     name: String,
///     next: Option<Gc<'gc, Node<'gc>>>,
/// }
///
/// #[derive(Trace)]
/// struct Facts<'gc> {
///     // Points back at its key: a plain map would keep the key alive for ever.
///     node: Gc<'gc, Node<'gc>>,
///     size: usize,
/// }
///
/// let mut heap = Heap::new();
/// let (facts, kept) = heap.mutate(|m| {
///     let facts = Gc::new(m, GcWeakMap::new());
///     let kept = Gc::new(m, Node { name: "kept".into(), next: None });
///     let lost = Gc::new(m, Node { name: "lost".into(), next: None });
///     for node in [kept, lost] {
///         facts.insert(m, node, Gc::new(m, Facts { node, size: node.name.len() }));
///     }
///     (m.root(facts), m.root(kept))
/// });
/// heap.collect_major(); // `lost` is reached only through its own entry: removed
/// heap.mutate(|m| {
///     let (facts, kept) = (facts.get(m), kept.get(m));
///     assert_eq!(facts.len(), 1);
///     assert_eq!(facts.get(kept).map(|f| f.size), Some(4));
/// });
/// ```
pub struct GcWeakMap<'gc, K: ?Sized, V> {
    /// Each identity hash's entries: almost always one.
    table: RefCell<HashMap<u64, Vec<Entry<V>>, BuildHasherDefault<WordHasher>>>,
    len: Cell<usize>,
    _keys: PhantomData<(*const K, Cell<&'gc ()>)>,
}

impl<K: ?Sized, V> GcWeakMap<'_, K, V> {
    /// An empty map.
    pub fn new() -> Self {
        GcWeakMap {
            table: RefCell::new(HashMap::default()),
            len: Cell::new(0),
            _keys: PhantomData,
        }
    }

    /// The number of entries: those whose keys were alive at the last collection, or were
    /// inserted since.
    pub fn len(&self) -> usize {
        self.len.get()
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: ?Sized, V> Default for GcWeakMap<'_, K, V> {
    fn default() -> Self {
        GcWeakMap::new()
    }
}

impl<'gc, K: ?Sized + Object + 'gc, V: Trace> GcWeakMap<'gc, K, V> {
    fn hash(key: Gc<'gc, K>) -> u64 {
        // SAFETY: a `Gc` in its scope points at a live object, and no collection runs while
        // the scope is open.
        unsafe { crate::header::identity_hash(key.obj) }
    }

    /// Runs `f` on the value of `key`'s entry, if there is one.
    fn with_entry<R>(&self, key: Gc<'gc, K>, f: impl FnOnce(&V) -> R) -> Option<R> {
        let table = self.table.borrow();
        let bucket = table.get(&Self::hash(key))?;
        let entry = bucket.iter().find(|e| e.key == Some(key.obj))?;
        Some(f(&entry.value))
    }

    /// A copy of the value of `key`'s entry.
    pub fn get(&self, key: Gc<'gc, K>) -> Option<V>
    where
        V: Clone,
    {
        self.with_entry(key, V::clone)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: Gc<'gc, K>) -> bool {
        self.with_entry(key, |_| ()).is_some()
    }

    /// Sets the value of `key`'s entry to `value`, returning the value it had, if any.
    ///
    /// # Panics
    /// If called from inside the `Debug` of a value of this map, or of the map.
    pub fn insert(&self, m: &Mutation<'gc, impl HeapKind>, key: Gc<'gc, K>, value: V) -> Option<V> {
        let hash = Self::hash(key);
        let mut table = self.table.borrow_mut();
        // The entries live outside the object: the barrier records a store to the map, so
        // that the next minor collection rescans an old map's entries (a young key, held
        // weakly but a pointer all the same, must be found and forwarded).
        m.write_barrier((&self.table as *const RefCell<_>).cast());
        let bucket = table.entry(hash).or_default();
        if let Some(entry) = bucket.iter_mut().find(|e| e.key == Some(key.obj)) {
            return Some(core::mem::replace(&mut entry.value, value));
        }
        bucket.push(Entry {
            key: Some(key.obj),
            value,
        });
        self.len.set(self.len.get() + 1);
        None
    }

    /// Removes `key`'s entry and returns its value, if there was one.
    pub fn remove(&self, m: &Mutation<'gc, impl HeapKind>, key: Gc<'gc, K>) -> Option<V> {
        let _ = m;
        let hash = Self::hash(key);
        let mut table = self.table.borrow_mut();
        let bucket = table.get_mut(&hash)?;
        let at = bucket.iter().position(|e| e.key == Some(key.obj))?;
        let entry = bucket.swap_remove(at);
        if bucket.is_empty() {
            table.remove(&hash);
        }
        self.len.set(self.len.get() - 1);
        Some(entry.value)
    }

    /// Removes every entry.
    pub fn clear(&self, m: &Mutation<'gc, impl HeapKind>) {
        let _ = m;
        let old = core::mem::take(&mut *self.table.borrow_mut());
        self.len.set(0);
        drop(old);
    }

    /// The entries, in no particular order: each key as a `Gc` (alive in this scope, like
    /// any object the map reaches) with a copy of its value.
    pub fn entries(&self) -> Vec<(Gc<'gc, K>, V)>
    where
        V: Clone,
    {
        let table = self.table.borrow();
        table
            .values()
            .flatten()
            .filter_map(|e| Some((Gc::from_obj(e.key?), e.value.clone())))
            .collect()
    }
}

/// Writes the number of entries: the keys and values are not entered.
impl<K: ?Sized, V> fmt::Debug for GcWeakMap<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcWeakMap")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

// SAFETY: each key goes to the tracer as a weak edge and each value as strong edges, except
// in the passes the collectors ask for (module docs), where the collector itself decides
// when the values of live keys are traced and every entry whose key it cleared is removed,
// so no value is left holding pointers the collector did not keep. Collections run between
// scopes, when no borrow of the table can be in use. Dropping a removed value is user code
// that cannot reach the heap (a `Trace` type's `Drop` touches no managed object, rule 8), and
// a panic out of it is handed to the collector.
unsafe impl<K: ?Sized + Object, V: Trace> Trace for GcWeakMap<'_, K, V> {
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = true;

    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        let pass = tracer.visitor.ephemeron_pass();
        let table = self.table.get_mut();
        match pass {
            EphemeronPass::Defer => {
                for entry in table.values_mut().flatten() {
                    tracer.weak_edge(&mut entry.key);
                }
            }
            EphemeronPass::Resolve => {
                for entry in table.values_mut().flatten() {
                    if entry.key.is_some_and(|key| tracer.visitor.key_is_live(key)) {
                        tracer.trace(&mut entry.value);
                    }
                }
            }
            EphemeronPass::Strong => {
                let mut dead = Vec::new();
                table.retain(|_, bucket| {
                    let mut i = 0;
                    while i < bucket.len() {
                        let entry = &mut bucket[i];
                        tracer.weak_edge(&mut entry.key);
                        if entry.key.is_some() {
                            tracer.trace(&mut entry.value);
                            i += 1;
                        } else {
                            dead.push(bucket.swap_remove(i).value);
                        }
                    }
                    !bucket.is_empty()
                });
                self.len.set(self.len.get() - dead.len());
                for value in dead {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
                        tracer.visitor.caught(payload);
                    }
                }
            }
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, K: ?Sized + Rebrand<'gc>, V: Rebrand<'gc>> Rebrand<'gc> for GcWeakMap<'_, K, V>
where
    V::Branded: Sized,
{
    type Branded = GcWeakMap<'gc, K::Branded, V::Branded>;
}
