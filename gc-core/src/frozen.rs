//! Frozen graphs: [`Frozen`], an immutable graph of managed objects that every thread reads.
//!
//! A frozen graph is built by [`Frozen::new`] (one scope) or [`Frozen::build`] (as many as it
//! takes) in a heap of its own, whose scopes get a `Mutation<'gc, Shared>`: everything allocated in it is [`HeapSend`] and [`HeapSync`],
//! checked at compile time as each object is allocated. Then a last major collection frees
//! what the root value does not reach, the identity hash of every object that survives is
//! taken, and the heap is sealed with its root value behind an `Arc`. From then on:
//!
//! - nothing moves or is freed: no collection, scope or `Mutation` of that heap ever runs
//!   again, so a pointer into it stays valid for as long as the `Arc` lives;
//! - nothing changes: its objects are [`HeapSync`], so nothing in them changes through `&`
//!   but synchronised values in ignored fields (an atomic counter, a `Mutex`), and the cells
//!   that change with a `Mutation` never get one; identity hashes are already taken, so asking
//!   for one only reads;
//! - every thread may read it at once ([`Frozen::with`]), and any heap may hold a `Frozen`
//!   handle in its objects: to them it is a plain value (a leaf) that keeps the graph alive,
//!   never traced into or moved.
//!
//! The graph is dropped (its drop glue run, once) when the last handle goes, on the thread
//! that drops it.

use std::sync::Arc;

use crate::config::{ConfigError, HeapConfig};
use crate::heap::{Branded, Heap, RunState};
use crate::heap_send::{HeapSend, HeapSync, Shared};
use crate::mutation::Mutation;
use crate::send_heap::SendHeap;
use crate::trace::{Leaf, NamedTracer, Rebrand, Trace, Tracer};

/// An immutable graph of managed objects, shared by reference count and readable from every
/// thread; `S` is the type of its root value under the `'static` brand.
///
/// ```
/// use tenured_gc::{Frozen, Gc, GcVec, RunState};
///
/// // A table of names, built once and frozen: its scope's `Mutation` allocates only types that
/// // every thread may read.
/// let names: Frozen<GcVec<'static, Gc<'static, str>>> = Frozen::new(|m| {
///     let v = GcVec::new();
///     for name in ["car", "cdr", "cons"] {
///         v.push(m, Gc::new_str(m, name));
///     }
///     RunState::new(v)
/// });
/// let workers: Vec<_> = (0..2)
///     .map(|_| {
///         let names = names.clone();
///         std::thread::spawn(move || names.with(|v| v.iter().map(|s| s.len()).sum::<usize>()))
///     })
///     .collect();
/// for w in workers {
///     assert_eq!(w.join().unwrap(), 10);
/// }
/// ```
pub struct Frozen<S>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    sealed: Arc<Sealed<S>>,
}

/// A sealed heap and its root value.
struct Sealed<S> {
    /// Dropped before `heap`, while the objects it points to are still there.
    state: S,
    /// Held only to be dropped with the graph.
    _heap: Heap,
    /// Bytes of objects in the graph.
    bytes: usize,
}

// SAFETY: a sealed heap is never used again but to be dropped: no scope, collection or
// `Mutation` runs on it, and its `HeapState` is touched only by `Heap`'s drop, through the
// last handle, on one thread. Its objects and state are `HeapSend` (allocated through
// `Admits<_>` for `Shared`, and `S: HeapSend`), so they may be dropped on any thread.
unsafe impl<S: HeapSend + HeapSync> Send for Sealed<S> {}
// SAFETY: what threads share is `&S` and the objects it reaches, which are `HeapSync`: nothing
// in them changes through `&` (no `Cell`, no counted borrow), the cells that change need a
// `Mutation`, which this heap never makes again, and no identity hash is taken for the first
// time (`hash_every_object` took them all). So shared reads are all that happen. Every object
// is `HeapSync` because each was allocated through `Admits<_>` for `Shared`.
unsafe impl<S: HeapSend + HeapSync> Sync for Sealed<S> {}

impl<S> Frozen<S>
where
    S: Trace + HeapSend + HeapSync + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    /// Builds a graph with `init`, in one scope of a heap of its own, and freezes it:
    /// `Frozen::build(init).freeze()`.
    ///
    /// # Panics
    /// If `init` panics (the heap and everything in it are dropped first), or a `Trace`
    /// implementation panics during the last collection.
    pub fn new(init: impl for<'gc> FnOnce(&Mutation<'gc, Shared>) -> RunState<'gc, S>) -> Self {
        Frozen::build(init).freeze()
    }

    /// A heap of its own, with the default configuration, in which to build a graph to freeze
    /// over several scopes (with collections between them, as in any [`SendHeap`]): its state
    /// is the root value `init` makes, its scopes allocate only `HeapSend + HeapSync` types,
    /// and [`SendHeap::freeze`] turns it into the `Frozen` graph.
    ///
    /// ```
    /// use tenured_gc::{Frozen, Gc, GcVec, RunState};
    ///
    /// let mut builder = Frozen::build(|_| RunState::new(GcVec::<Gc<u64>>::new()));
    /// for chunk in 0..10u64 {
    ///     builder.mutate(|m, squares| {
    ///         for i in chunk * 100..(chunk + 1) * 100 {
    ///             squares.push(m, Gc::new(m, i * i));
    ///         }
    ///     });
    /// }
    /// let squares = builder.freeze();
    /// assert_eq!(squares.with(|v| *v.get(999).unwrap()), 998_001);
    /// ```
    pub fn build(
        init: impl for<'gc> FnOnce(&Mutation<'gc, Shared>) -> RunState<'gc, S>,
    ) -> SendHeap<S, Shared> {
        Frozen::build_with_config(HeapConfig::default(), init)
            .expect("the default configuration is valid")
    }

    /// As [`Frozen::build`], in a heap with `config`; or the first rule the configuration
    /// breaks (a collection hook is refused, as by every `SendHeap`).
    pub fn build_with_config(
        config: HeapConfig,
        init: impl for<'gc> FnOnce(&Mutation<'gc, Shared>) -> RunState<'gc, S>,
    ) -> Result<SendHeap<S, Shared>, ConfigError> {
        SendHeap::create(config, init)
    }

    /// Seals `heap`, whose only root is `state`, right after a major collection.
    pub(crate) fn seal(state: S, heap: Heap) -> Self {
        heap.inner().hash_every_object();
        let bytes = heap.stats().heap_used as usize;
        Frozen {
            sealed: Arc::new(Sealed {
                state,
                _heap: heap,
                bytes,
            }),
        }
    }

    /// Runs `f` with the graph's root value. Its brand `'f` is fresh, so nothing of the
    /// graph can leave `f` or be stored in a heap: hold the `Frozen` handle instead.
    pub fn with<R>(&self, f: impl for<'f> FnOnce(&Branded<'f, S>) -> R) -> R {
        // SAFETY: `Rebrand` guarantees `Branded<'f, S>` and `S` have the same layout; the
        // reference lives as long as the borrow of `self`, which keeps the graph alive, and
        // the fresh brand keeps every `Gc` read from it inside `f`.
        let state = unsafe { &*(&self.sealed.state as *const S).cast::<Branded<'_, S>>() };
        f(state)
    }

    /// Bytes of objects in the graph.
    pub fn bytes(&self) -> usize {
        self.sealed.bytes
    }

    /// Whether `a` and `b` are handles of the same graph.
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.sealed, &b.sealed)
    }
}

impl<S> Clone for Frozen<S>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    fn clone(&self) -> Self {
        Frozen {
            sealed: Arc::clone(&self.sealed),
        }
    }
}

impl<S> core::fmt::Debug for Frozen<S>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Frozen")
            .field("bytes", &self.sealed.bytes)
            .finish_non_exhaustive()
    }
}

// SAFETY: a handle holds no pointer into the heap that holds it: to that heap it is a plain
// value, whose drop glue releases the graph.
unsafe impl<S> Trace for Frozen<S>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    const IS_LEAF: bool = true;
    #[inline(always)]
    fn trace(&mut self, _: &mut Tracer<'_>) {}
    fn trace_named(&mut self, _: &mut NamedTracer<'_>) {}
}

// SAFETY: as for `Trace`: a handle holds no managed pointer of the heap that holds it.
unsafe impl<S> Leaf for Frozen<S>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
}

// SAFETY: a handle has no brand of the heap that holds it.
unsafe impl<'gc, S> Rebrand<'gc> for Frozen<S>
where
    S: Trace + for<'b> Rebrand<'b> + 'static,
    for<'b> Branded<'b, S>: Sized,
{
    type Branded = Frozen<S>;
}

// SAFETY: a handle is an `Arc` of a sealed heap, which is `Send + Sync` for these `S`.
unsafe impl<S> HeapSend for Frozen<S>
where
    S: Trace + HeapSend + HeapSync + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
}

// SAFETY: as for `HeapSend`; a handle changes nothing through `&`.
unsafe impl<S> HeapSync for Frozen<S>
where
    S: Trace + HeapSend + HeapSync + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
}
