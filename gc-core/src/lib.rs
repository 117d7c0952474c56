//! A moving, generational, precise garbage collector for Rust values.
//!
//! Managed objects live in a [`Heap`] and are reached through [`Gc`] pointers, which are
//! plain words that deref to `&T`. New objects are bump-allocated in a nursery; a minor
//! collection copies the survivors (Cheney-style, with aging) and promotes the long-lived
//! ones to an old generation, which a major collection marks and compacts. Large objects
//! live apart and never move. Types describe themselves to the collector with
//! `#[derive(Trace)]`.
//!
//! # Parts
//! The public API:
//! - [`heap`]: the [`Heap`], its mutation scopes and collection points; [`mutation`]: the
//!   [`Mutation`] handle of a scope.
//! - [`gc`], [`cell`], [`weak`], [`root`]: the pointer, barriered cells, weak references and
//!   roots (`root_table` is the table the collector traces); [`gc_dyn`]: the pointer and the
//!   root of an object seen through a trait ([`GcDyn`], made with [`coerce!`]); [`pin`]: a
//!   root whose object does not move ([`Pinned`]).
//! - [`collections`]: [`GcVec`], [`GcIndexMap`] and [`GcHashMap`], whose storage is
//!   managed and card-marked: the containers for big, long-lived tables.
//! - [`trace`]: the [`Trace`], [`Leaf`] and [`Rebrand`] traits; `trace_impls` for std types;
//!   `private` for what `#[derive(Trace)]` expands to.
//! - [`config`], [`stats`], [`error`]: configuration, statistics and errors; [`event`]: the
//!   event each collection reports to a hook (and to `GC_TRACE`); [`census`]: the reachable
//!   objects by type and space; `debug`: the `Debug` of a `Gc`, which ends on cycles and
//!   deep structures.
//! - [`retainers`]: why an object is alive, as the shortest named path from a root;
//!   [`snapshot`]: heap snapshots that Chrome DevTools opens; [`named`]: the named tracing
//!   both walk with (the collector never calls it); [`inspect`]: their walk; `inspector`: the
//!   [`Inspector`] that offers them after a scope.
//!
//! Inside, one room per job:
//! - `heap_state`: the parts one heap owns, together.
//! - `space::{nursery, overflow, old, large}`: where objects live.
//! - `alloc::{allocator, bump, region}`: the allocation fast and slow paths, bump windows, raw
//!   memory.
//! - `scope`: scope reclaim and every way an object may outlive its scope.
//! - `barrier`: the write barrier's slow path; `remembered`: the remembered set.
//! - `collect::{driver, minor, major, finalize, pacer, verify, tracer}`: a collection from start
//!   to end, the two collectors, drop glue, the pacing policy, the heap verifier, and scanning
//!   one object.
//! - `header`, `type_info`: the object header and the type descriptor it points to;
//!   `word_hash`: the hasher of the collector's own tables.
//!
//! # Soundness in one paragraph
//! Each mutation scope gets a fresh invariant lifetime `'gc`, so `Gc<'gc, _>` cannot leave
//! it, and no collection runs inside a scope. Objects survive scopes only through [`Root`]s
//! (or the state of [`Heap::run`]), which the collector updates when it moves objects.
//! Stores of managed pointers into existing objects go through [`GcCell`] or [`GcRefCell`],
//! which run the write barrier; `Trace` is not implemented for `RefCell`, `Rc`, or a `Cell`
//! that could hold a managed pointer (a `Cell` of a [`Leaf`] needs no barrier).
//! Every way an object could outlive its scope (that barrier, a root, drop glue, ...) passes
//! through one function of `scope`; if none was taken, the scope's eden is reused at once.
//! A derived type may not implement `Drop`, so no destructor can see a dead object.
//!
//! ```
//! use tenured_gc::{Gc, GcCell, Heap, Trace};
//!
//! #[derive(Trace)]
//! struct Node<'gc> {
//!     value: i64,
//!     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
//! }
//!
//! let mut heap = Heap::new();
//! let head = heap.mutate(|m| {
//!     let a = Gc::new(m, Node { value: 1, next: GcCell::new(None) });
//!     let b = Gc::new(m, Node { value: 2, next: GcCell::new(Some(a)) });
//!     a.next.set(m, Some(b));
//!     m.root(a)
//! });
//! heap.collect_minor();
//! heap.collect_major();
//! heap.mutate(|m| assert_eq!(head.get(m).next.get().unwrap().value, 2));
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate self as tenured_gc;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod alloc;
mod barrier;
pub mod cell;
pub mod census;
mod collect;
pub mod collections;
pub mod config;
mod debug;
pub mod error;
pub mod event;
pub mod frozen;
pub mod gc;
pub mod gc_dyn;
mod header;
pub mod heap;
pub mod heap_send;
mod heap_state;
pub mod inspect;
mod inspector;
pub mod mutation;
pub mod named;
pub mod pin;
mod remembered;
pub mod retainers;
pub mod root;
mod root_table;
mod scope;
pub mod send_heap;
pub mod snapshot;
mod space;
pub mod stats;
#[cfg(feature = "__test_hooks")]
#[doc(hidden)]
pub mod test_hooks;
pub mod trace;
mod trace_impls;
mod type_info;
pub mod weak;
mod word_hash;

pub use alloc::pool::{pool_stats, PoolStats};
pub use cell::{GcCell, GcRefCell};
pub use census::{Census, CensusEntry, Tally};
/// [`Heap::verify`] reports every problem it finds in one `HeapCorruption`.
///
/// ```
/// use tenured_gc::{Gc, Heap, HeapCorruption};
///
/// let mut heap = Heap::new();
/// let kept = heap.mutate(|m| m.root(Gc::new(m, [1_u32; 4])));
/// heap.collect_major();
/// let checked: Result<(), HeapCorruption> = heap.verify();
/// assert!(checked.is_ok());
///
/// let found = HeapCorruption { problems: vec!["a pointer lands outside the heap".into()] };
/// assert!(found.to_string().contains("1 problem(s)"));
/// # drop(kept);
/// ```
pub use collect::verify::HeapCorruption;
pub use collections::{GcHashMap, GcIndexMap, GcVec, GcWeakMap};
pub use config::{ConfigError, HeapConfig};
pub use error::AllocError;
pub use event::{CollectionEvent, CollectionHook, CollectionReason, HeapSizes};
pub use frozen::Frozen;
pub use gc::Gc;
#[doc(hidden)]
pub use gc_dyn::DynRebrand as __DynRebrand;
pub use gc_dyn::{GcDyn, GcWeakDyn, RootDyn};
pub use heap::{Branded, Heap, RunState};
pub use heap_send::{Admits, HeapKind, HeapSend, HeapSync, Local, Sendable, Shared};
pub use inspector::Inspector;
pub use mutation::Mutation;
pub use pin::Pinned;
pub use retainers::{PathRoot, PathStep, PathTarget, RetainerPath};
pub use root::{Root, WeakRoot};
pub use send_heap::{MovableKind, SendHeap};
pub use snapshot::SnapshotSummary;
pub use stats::{CollectionKind, HeapStats, PauseStats};
/// Derives [`Trace`](trait@Trace), [`Rebrand`] and, for a pointer-free type, [`Leaf`].
///
/// ```
/// use tenured_gc::{Gc, GcRefCell, Heap, Trace};
///
/// #[derive(Trace)]
/// enum Tree<'gc> {
///     Leaf(i64),
///     Node(GcRefCell<'gc, Vec<Gc<'gc, Tree<'gc>>>>),
/// }
///
/// let mut heap = Heap::new();
/// let tree = heap.mutate(|m| {
///     let children = (1..=3).map(|i| Gc::new(m, Tree::Leaf(i))).collect();
///     m.root(Gc::new(m, Tree::Node(GcRefCell::new(children))))
/// });
/// heap.collect_major();
/// heap.mutate(|m| {
///     let Tree::Node(children) = &*tree.get(m) else { unreachable!() };
///     let sum: i64 = children.borrow().iter().map(|c| match **c { Tree::Leaf(v) => v, _ => 0 }).sum();
///     assert_eq!(sum, 6);
/// });
/// ```
pub use tenured_gc_derive::Trace;
pub use trace::NamedTracer;
pub use trace::{GcDrop, Leaf, Managed, Rebrand, Trace, Tracer, NO_SLOT};
pub use type_info::Object;
#[doc(hidden)]
pub use type_info::TypeInfo;
pub use weak::GcWeak;

/// The crate README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
