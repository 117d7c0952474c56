//! Managed collections: containers whose storage is itself managed memory.
//!
//! A `Vec<Gc<_>>` or a `HashMap<_, Gc<_>>` inside a managed object keeps its pointers in a
//! buffer the Rust allocator owns, outside the heap. The collector cannot tell which of those
//! pointers changed, so a minor collection rescans the whole buffer of every such container
//! that was stored to (and of the state of [`Heap::run`](crate::Heap::run), always). For a
//! big table that costs as much as the table is big, at every minor collection.
//!
//! The collections here keep their elements in a managed slice instead. A store into one is
//! a store into a cell of that slice, which the write barrier records on the slice's card
//! table, so a minor collection scans only the part of a big table that changed since the
//! last one. Use them for tables that are big and live long: an interpreter's globals, a
//! cache's index, the list of every node of a growing graph.
//!
//! - [`GcVec`]: a growable vector of `Copy` values (managed pointers, or values holding
//!   them).
//! - [`GcIndexMap`]: a map from plain keys (no managed pointer in them) to such values, in
//!   insertion order; the keys live in ordinary memory, the values in a [`GcVec`].
//! - [`GcHashMap`]: a map whose `Copy` keys may be managed objects (compared by identity,
//!   hashed by their [identity hash](crate::Gc::identity_hash), which survives moves) or
//!   values holding them; keys and values in [`GcVec`]s.
//! - [`GcWeakMap`]: a map from managed objects to values it keeps only while the key object
//!   is reachable from elsewhere (JavaScript's `WeakMap`).

mod hash_map;
mod index_map;
mod vec;
mod weak_map;

pub use hash_map::GcHashMap;
pub use index_map::GcIndexMap;
pub use vec::GcVec;
pub use weak_map::GcWeakMap;
