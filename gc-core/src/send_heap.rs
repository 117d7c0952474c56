//! A heap that can move to another thread: [`SendHeap`].
//!
//! A [`Heap`] stays on the thread that made it: its objects may hold `Rc`s, and its roots are
//! handles that live apart from it. A `SendHeap<S>` gives up both so that it can be `Send`:
//!
//! - everything allocated in it is [`HeapSend`], checked at compile time by the
//!   `Mutation<'gc, Sendable>` its scopes get (the [`Admits`](crate::Admits) bound of every
//!   function that allocates);
//! - it has no `Root`s: its roots are one state value of type `S` that it owns, handed to each
//!   scope by `&mut` and traced at every collection point, so the roots move with the heap;
//! - its configuration runs no collection hook (a hook may hold values of the thread that made
//!   it); `with_config` refuses one.
//!
//! So nothing outside it points into it, and moving it moves all of it. Like a `Heap`, it is
//! not `Sync`: one thread at a time uses it.

use core::marker::PhantomData;

use crate::collect::tracer::RunStateRoots;
use crate::config::{ConfigError, HeapConfig};
use crate::event::CollectionReason::Requested;
use crate::frozen::Frozen;
use crate::heap::{rebrand, Branded, Heap, RunState};
use crate::heap_send::{HeapKind, HeapSend, HeapSync, Sendable, Shared};
use crate::mutation::Mutation;
use crate::snapshot::SnapshotSummary;
use crate::stats::{CollectionKind, HeapStats};
use crate::trace::{NamedTracer, Rebrand, Trace, Tracer};

/// A garbage-collected heap that can move to another thread, with its roots in one state
/// value `S` (named under the `'static` brand).
///
/// ```
/// use tenured_gc::{Gc, GcCell, RunState, SendHeap, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc> {
///     value: u64,
///     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
/// }
///
/// // The state: the head of a list.
/// let mut heap = SendHeap::new(|m| RunState::new(Gc::new(m, Node { value: 0, next: GcCell::new(None) })));
/// heap.mutate(|m, head| {
///     *head = Gc::new(m, Node { value: head.value + 1, next: GcCell::new(Some(*head)) });
/// });
/// // A worker thread takes the heap, collects and extends the list, and hands it back.
/// let mut heap = std::thread::spawn(move || {
///     heap.collect_major();
///     heap.mutate(|m, head| {
///         *head = Gc::new(m, Node { value: head.value + 1, next: GcCell::new(Some(*head)) });
///     });
///     heap
/// })
/// .join()
/// .unwrap();
/// assert_eq!(heap.mutate(|_, head| head.value), 2);
/// ```
///
/// `K` is [`Sendable`]; a heap in which a frozen graph is being built ([`Frozen::build`]) is a
/// `SendHeap<S, Shared>`, whose scopes allocate only what every thread may read.
pub struct SendHeap<S, K: MovableKind = Sendable>
where
    S: Trace + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    /// The roots, under the `'static` brand while no scope is open. Declared before `heap`,
    /// so it is dropped first, while the objects it points to are still there.
    state: S,
    heap: Heap,
    _kind: PhantomData<K>,
}

impl<S> SendHeap<S>
where
    S: Trace + HeapSend + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    /// A heap with the default configuration, whose state `init` builds.
    pub fn new(init: impl for<'gc> FnOnce(&Mutation<'gc, Sendable>) -> RunState<'gc, S>) -> Self {
        SendHeap::with_config(HeapConfig::default(), init)
            .expect("the default heap configuration is valid")
    }

    /// A heap with `config`, whose state `init` builds; or the first rule the configuration
    /// breaks. A `SendHeap` refuses a collection hook: it may hold values of this thread.
    pub fn with_config(
        config: HeapConfig,
        init: impl for<'gc> FnOnce(&Mutation<'gc, Sendable>) -> RunState<'gc, S>,
    ) -> Result<Self, ConfigError> {
        SendHeap::create(config, init)
    }
}

impl<S, K: MovableKind> SendHeap<S, K>
where
    S: Trace + HeapSend + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    /// A heap of kind `K` with `config`, whose state `init` builds.
    pub(crate) fn create(
        config: HeapConfig,
        init: impl for<'gc> FnOnce(&Mutation<'gc, K>) -> RunState<'gc, S>,
    ) -> Result<Self, ConfigError> {
        if config.collection_hook.is_some() {
            return Err(ConfigError {
                field: "collection_hook",
                value: "Some(..)".into(),
                rule: "a `SendHeap` runs no collection hook: the hook may hold values of the \
                       thread that made it, and the heap may move to another"
                    .into(),
            });
        }
        let heap = Heap::with_config(config)?;
        // SAFETY: `Rebrand` guarantees `Branded<'gc, S>` and `S` have the same layout.
        let state = heap.scope(false, |m| unsafe { rebrand(init(m).value) });
        let mut heap = SendHeap {
            state,
            heap,
            _kind: PhantomData,
        };
        heap.collection_point();
        Ok(heap)
    }

    /// Runs `f` in a mutation scope with the state, then reaches a collection point, where
    /// the state is the root.
    ///
    /// `f` may change the state through the `&mut`: what it points to then is what lives.
    /// Unlike a [`Heap::mutate`] scope, one of a `SendHeap` never gives its eden back without
    /// a collection, since the state may keep any of its objects.
    pub fn mutate<R>(
        &mut self,
        f: impl for<'gc> FnOnce(&Mutation<'gc, K>, &mut Branded<'gc, S>) -> R,
    ) -> R {
        let state = &mut self.state;
        let result = self.heap.scope(false, |m| {
            // SAFETY: `Rebrand` guarantees `Branded<'gc, S>` and `S` have the same layout; the
            // reference lives only as long as the scope, and the brand keeps every `Gc` the
            // scope stores in the state from being used after it.
            let state = unsafe { &mut *(state as *mut S).cast::<Branded<'_, S>>() };
            f(m, state)
        });
        self.collection_point();
        result
    }

    /// Runs a minor collection now.
    pub fn collect_minor(&mut self) {
        self.collect(CollectionKind::Minor)
    }

    /// Runs a major (full-heap) collection now.
    pub fn collect_major(&mut self) {
        self.collect(CollectionKind::Major)
    }

    /// What the collector has done and what the heap holds.
    pub fn stats(&self) -> HeapStats {
        self.heap.stats()
    }

    /// The configuration this heap runs with.
    pub fn config(&self) -> &HeapConfig {
        self.heap.config()
    }

    /// Checks the whole heap, as [`Heap::verify`] does, with the state as a root.
    pub fn verify(&mut self) -> Result<(), crate::HeapCorruption> {
        let state = &mut self.state;
        let mut trace_state = |tracer: &mut Tracer<'_>| tracer.trace(state);
        self.heap.inner().check_usable();
        self.heap
            .inner()
            .verify(&mut RunStateRoots(Some(&mut trace_state)))
    }

    /// Writes a heap snapshot in the V8 `.heapsnapshot` format, as
    /// [`Heap::write_heap_snapshot`] does, with the state as the root (`heap.run state`).
    pub fn write_heap_snapshot(
        &mut self,
        out: impl std::io::Write,
    ) -> std::io::Result<SnapshotSummary> {
        let state = &mut self.state;
        let mut trace_state = |tracer: &mut NamedTracer<'_>| tracer.trace(state);
        self.heap
            .inner()
            .write_heap_snapshot(out, &mut Some(&mut trace_state))
    }

    fn collection_point(&mut self) {
        let state = &mut self.state;
        let mut trace_state = |tracer: &mut Tracer<'_>| tracer.trace(state);
        self.heap
            .inner_mut()
            .collection_point(&mut RunStateRoots(Some(&mut trace_state)));
    }

    fn collect(&mut self, kind: CollectionKind) {
        let state = &mut self.state;
        let mut trace_state = |tracer: &mut Tracer<'_>| tracer.trace(state);
        self.heap
            .inner_mut()
            .collect(kind, Requested, &mut RunStateRoots(Some(&mut trace_state)));
    }
}

impl<S> SendHeap<S, Shared>
where
    S: Trace + HeapSend + HeapSync + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
    /// Freezes the graph the state reaches: a last major collection frees everything else,
    /// every object's identity hash is taken, and the heap is sealed for good in a
    /// [`Frozen`] that every thread can read.
    pub fn freeze(mut self) -> Frozen<S> {
        self.collect_major();
        let SendHeap { state, heap, .. } = self;
        Frozen::seal(state, heap)
    }
}

/// The kinds of heap that can move to another thread: [`Sendable`] and [`Shared`], both of which
/// admit only `HeapSend` types. Sealed.
pub trait MovableKind: HeapKind + sealed::Sealed {}

impl MovableKind for Sendable {}
impl MovableKind for Shared {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Sendable {}
    impl Sealed for super::Shared {}
}

// SAFETY: moving a `SendHeap` moves its state and every object in it, and nothing else points
// into it: it hands out no `Root`, `WeakRoot` or `Pinned` (its scopes' `Mutation<'gc,
// Sendable>` has no method that makes one), no `Gc` outlives a scope, and its configuration
// holds no hook. Every object was allocated through the `Admits` bound of `Sendable` or
// `Shared` (sealed, so no other crate can admit a type that is not `HeapSend`), so it is
// `HeapSend`, as the state is: what is not a pointer into this heap is `Send`. The heap's own parts (cells,
// counters, the root table's `Rc`, held only by the heap) move with it.
unsafe impl<S, K: MovableKind> Send for SendHeap<S, K>
where
    S: Trace + HeapSend + for<'gc> Rebrand<'gc>,
    for<'gc> Branded<'gc, S>: Sized,
{
}
