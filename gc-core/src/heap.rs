//! The heap: the public handle that owns a heap's state, runs mutation scopes, and collects
//! at collection points (the driver is `collect/driver.rs`).
//!
//! # Collection points
//! Collections run only where no `Gc` can be alive: when a mutation scope ends
//! ([`Heap::mutate`]), between the steps of [`Heap::run`], and on request
//! ([`Heap::collect_minor`], [`Heap::collect_major`]). At each point the pacer
//! (`collect/pacer.rs`) decides whether to collect and how.
//!
//! # Scopes that give their eden back
//! Before that, a [`Heap::mutate`] scope none of whose objects can be reached from outside it
//! moves the allocation cursor back to where the scope began: its garbage is freed without a
//! collection, and the next scope allocates in the same, still cached, memory (what an arena
//! reset does, but checked). A scope keeps its objects if it made or moved a root, allocated
//! an object that needs drop, a large object or past eden, or stored into any cell but those
//! of its own objects. `scope.rs` has the whole argument.
//!
//! # Faults
//! A panic that escapes a collection (from a `Trace` implementation) leaves the heap
//! *poisoned*: every later use panics with a message that says so, and dropping it frees its
//! memory without running drop glue. A panic from drop glue during finalization is caught,
//! the collection completes, and the panic is then resumed: the heap stays usable.

use core::ops::ControlFlow;
use core::ptr::NonNull;

use crate::census::Census;
use crate::collect::tracer::RunStateRoots;
use crate::collect::verify::HeapCorruption;
use crate::config::{ConfigError, HeapConfig};
use crate::event::CollectionReason::Requested;
use crate::heap_send::HeapKind;
use crate::heap_state::HeapState;
use crate::mutation::Mutation;
use crate::named::short_type_name;
use crate::retainers::{PathTarget, RetainerPath};
use crate::root::WeakRoot;
use crate::snapshot::SnapshotSummary;
use crate::stats::{CollectionKind, HeapStats};
use crate::trace::NamedTracer;
use crate::trace::{Rebrand, Trace, Tracer};

/// `S` under the brand `'gc`: the type a step of [`Heap::run`] receives and returns.
///
/// ```
/// use tenured_gc::{Branded, Gc, Mutation, RunState};
///
/// type State = (Gc<'static, u64>, u32);
///
/// /// A step of `heap.run`, written as a function.
/// fn step<'gc>(m: &Mutation<'gc>, (total, i): Branded<'gc, State>) -> Branded<'gc, State> {
///     (Gc::new(m, *total + u64::from(i)), i + 1)
/// }
///
/// let mut heap = tenured_gc::Heap::new();
/// // With the type named, `run::<State, _>` lets the literals take their types from it.
/// let sum = heap.run::<State, _>(
///     |m| RunState::new((Gc::new(m, 0), 0)),
///     |m, state| {
///         let (total, i) = step(m, state);
///         if i == 100 { std::ops::ControlFlow::Break(*total) }
///         else { std::ops::ControlFlow::Continue((total, i)) }
///     },
/// );
/// assert_eq!(sum, 4950);
/// ```
pub type Branded<'gc, S> = <S as Rebrand<'gc>>::Branded;

/// The first state of a [`Heap::run`], as its `init` returns it: `RunState::new(value)`.
///
/// It names the state's type for `run`, so that `run` needs no type annotation: `S` is the
/// state's type under the `'static` brand (`Vec<Gc<'static, Node>>` for a
/// `Vec<Gc<'gc, Node>>`), found from the value's own type.
///
/// ```
/// use std::ops::ControlFlow;
/// use tenured_gc::{Gc, Heap, RunState};
///
/// let mut heap = Heap::new();
/// let len = heap.run(
///     |m| RunState::new(vec![Gc::new(m, 0u8)]),
///     |m, mut list| {
///         if list.len() == 1000 { return ControlFlow::Break(list.len()); }
///         list.push(Gc::new(m, 1));
///         ControlFlow::Continue(list)
///     },
/// );
/// assert_eq!(len, 1000);
/// ```
pub struct RunState<'gc, S: Rebrand<'gc>>
where
    Branded<'gc, S>: Sized,
{
    pub(crate) value: Branded<'gc, S>,
}

impl<'gc, S: Rebrand<'gc>> RunState<'gc, S>
where
    Branded<'gc, S>: Sized,
{
    /// The state `value`, whose type under the `'static` brand is `S`.
    pub fn new<T>(value: T) -> Self
    where
        T: Rebrand<'static, Branded = S>,
        S: Rebrand<'gc, Branded = T>,
    {
        RunState { value }
    }
}

/// A garbage-collected heap.
///
/// ```
/// use tenured_gc::{Gc, GcCell, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc> {
///     value: i64,
///     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
/// }
///
/// let mut heap = Heap::new();
/// let root = heap.mutate(|m| {
///     let a = Gc::new(m, Node { value: 1, next: GcCell::new(None) });
///     let b = Gc::new(m, Node { value: 2, next: GcCell::new(Some(a)) });
///     a.next.set(m, Some(b)); // a cycle
///     m.root(a)
/// });
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(root.get(m).next.get().unwrap().value, 2));
/// ```
pub struct Heap {
    /// A `Box<HeapState>` held by pointer, so that the only reason a `Heap` is not `Send` is
    /// this pointer (and so the compiler's message names it alone).
    state: NonNull<HeapState>,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    /// A heap with the default configuration ([`HeapConfig::default`]). It reads no
    /// environment variable; `Heap::with_config(HeapConfig::from_env())` does.
    pub fn new() -> Heap {
        Heap::with_config(HeapConfig::default()).expect("the default heap configuration is valid")
    }

    /// A heap with `config`, or the first rule the configuration breaks.
    pub fn with_config(config: HeapConfig) -> Result<Heap, ConfigError> {
        config.validate()?;
        let state = Box::new(HeapState::new(config));
        Ok(Heap {
            state: NonNull::from(Box::leak(state)),
        })
    }

    /// The configuration this heap runs with.
    pub fn config(&self) -> &HeapConfig {
        &self.inner().config
    }

    /// Runs `f` in a mutation scope, then reaches a collection point.
    ///
    /// No collection runs inside `f`, so every `Gc` and every `&T` borrowed from one stays
    /// valid throughout; none can leave `f`. To keep objects for later, root them
    /// ([`Mutation::root`]).
    ///
    /// A scope whose objects cannot outlive it (it made or moved no root, allocated nothing
    /// that needs drop and no large object, and stored only into objects it allocated) gives
    /// its eden back when it ends, without a collection: the next scope allocates in the same,
    /// still cached, memory.
    pub fn mutate<R>(&mut self, f: impl for<'gc> FnOnce(&Mutation<'gc>) -> R) -> R {
        let result = self.scope(true, f);
        self.inner_mut().reclaim_scope();
        self.inner().run_inspections(None);
        self.inner_mut().collection_point(&mut RunStateRoots(None));
        result
    }

    /// Runs `f` in a scope; with `reclaim`, one that `reclaim_scope` may give back. The
    /// scopes of [`Heap::run`] may not be: their state outlives them.
    pub(crate) fn scope<K: HeapKind, R>(
        &self,
        reclaim: bool,
        f: impl for<'gc> FnOnce(&Mutation<'gc, K>) -> R,
    ) -> R {
        let inner = self.inner();
        inner.begin_scope(reclaim);
        let result = f(&Mutation::new(inner));
        inner.end_scope();
        result
    }

    #[inline(always)]
    pub(crate) fn inner(&self) -> &HeapState {
        // SAFETY: `state` comes from `Box::leak` and is freed only in `drop`.
        unsafe { self.state.as_ref() }
    }

    #[inline(always)]
    pub(crate) fn inner_mut(&mut self) -> &mut HeapState {
        // SAFETY: as in `inner`, and `&mut self` makes the access unique.
        unsafe { self.state.as_mut() }
    }

    /// Runs a long computation in steps, with a collection point between steps.
    ///
    /// `init` builds the first state and wraps it in a [`RunState`]; each call of `step` gets
    /// the state and returns either the next state (`Continue`) or the result (`Break`).
    /// Between steps the state is a root, so the collector may move its objects and free
    /// everything else: memory stays bounded however many steps run.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use tenured_gc::{Gc, Heap, RunState};
    ///
    /// let mut heap = Heap::new();
    /// let sum = heap.run(
    ///     |m| RunState::new((Gc::new(m, 0i64), 0u32)),
    ///     |m, (total, i)| {
    ///         let _garbage = Gc::new(m, [0u64; 16]);
    ///         if i == 10_000 { ControlFlow::Break(*total) }
    ///         else { ControlFlow::Continue((Gc::new(m, *total + 1), i + 1)) }
    ///     },
    /// );
    /// assert_eq!(sum, 10_000);
    /// ```
    pub fn run<S, R>(
        &mut self,
        init: impl for<'gc> FnOnce(&Mutation<'gc>) -> RunState<'gc, S>,
        mut step: impl for<'gc> FnMut(
            &Mutation<'gc>,
            Branded<'gc, S>,
        ) -> ControlFlow<R, Branded<'gc, S>>,
    ) -> R
    where
        S: Trace + for<'gc> Rebrand<'gc>,
        for<'gc> Branded<'gc, S>: Sized,
    {
        // The state lives here, under the `'static` brand, while no scope is open. It is
        // moved into each step and the step's result is moved back in. Held in an `Option`,
        // it is dropped exactly once on every way out: by the step that owns it when a step
        // panics or breaks, and here when a collection between steps panics.
        let mut state: Option<S> = None;
        self.scope(false, |m| {
            // SAFETY: `Rebrand` guarantees `Branded<'gc, S>` and `S` have the same layout.
            state = Some(unsafe { rebrand(init(m).value) });
        });
        loop {
            self.inner()
                .run_inspections(Some(&mut |tracer: &mut NamedTracer<'_>| {
                    if let Some(state) = state.as_mut() {
                        tracer.trace(state)
                    }
                }));
            let mut trace_state = |tracer: &mut Tracer<'_>| {
                if let Some(state) = state.as_mut() {
                    tracer.trace(state)
                }
            };
            self.inner_mut()
                .collection_point(&mut RunStateRoots(Some(&mut trace_state)));
            let flow = self.scope(false, |m| {
                let current = state.take().expect("the state is here between steps");
                // SAFETY: as for the first state.
                match step(m, unsafe { rebrand(current) }) {
                    ControlFlow::Continue(next) => {
                        // SAFETY: as for the first state.
                        state = Some(unsafe { rebrand(next) });
                        None
                    }
                    ControlFlow::Break(result) => Some(result),
                }
            });
            if let Some(result) = flow {
                self.inner().run_inspections(None);
                self.inner_mut().collection_point(&mut RunStateRoots(None));
                return result;
            }
        }
    }

    /// Runs a minor collection now.
    pub fn collect_minor(&mut self) {
        self.inner_mut()
            .collect(CollectionKind::Minor, Requested, &mut RunStateRoots(None))
    }

    /// Runs a major (full-heap) collection now.
    pub fn collect_major(&mut self) {
        self.inner_mut()
            .collect(CollectionKind::Major, Requested, &mut RunStateRoots(None))
    }

    /// What the collector has done and what the heap holds.
    pub fn stats(&self) -> HeapStats {
        self.inner().stats()
    }

    /// What the reachable objects are: for each type, how many objects the roots reach and
    /// their bytes, in the young generation, the old one and the large-object space. One walk
    /// of the reachable objects, which moves nothing and changes no statistic; weak
    /// references are not followed (see [`census`](crate::census)). Right after
    /// [`collect_major`](Heap::collect_major) its bytes are those of
    /// [`HeapStats::heap_used`].
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let kept = heap.mutate(|m| m.root(Gc::from_vec(m, vec![1u32; 10])));
    /// let census = heap.census();
    /// let arrays = census.of::<[u32]>().unwrap();
    /// assert_eq!(arrays.young.objects, 1); // not yet promoted
    /// assert_eq!(arrays.young.bytes, 56); // header, length, ten u32s
    /// # drop(kept);
    /// ```
    pub fn census(&self) -> Census {
        self.inner().census()
    }

    /// The shortest path of pointers from a root to the object `target` names (a
    /// [`&Root`](crate::Root) or a [`&WeakRoot`](WeakRoot)), each named by its field: why the
    /// object is alive. `None` if no root reaches it, or it is dead. Weak references are not
    /// followed, and a `Root` target's own root is left out. See [`retainers`](crate::retainers).
    ///
    /// One breadth-first walk of the reachable objects, which moves nothing and changes no
    /// statistic. Inside a scope, ask for one with [`Mutation::inspect_after_scope`].
    ///
    /// ```
    /// use tenured_gc::{Gc, GcCell, Heap, Trace};
    ///
    /// #[derive(Trace)]
    /// struct Env<'gc> {
    ///     parent: Option<Gc<'gc, Env<'gc>>>,
    ///     vars: GcCell<'gc, Vec<Gc<'gc, String>>>,
    /// }
    ///
    /// let mut heap = Heap::new();
    /// let (global, name) = heap.mutate(|m| {
    ///     let global = Gc::new(m, Env { parent: None, vars: GcCell::new(Vec::new()) });
    ///     let name = Gc::new(m, "x".to_string());
    ///     let local = Gc::new(m, Env { parent: Some(global), vars: GcCell::new(vec![name]) });
    ///     (m.root(local), m.weak_root(name))
    /// });
    /// let path = heap.retainer_path(&name).unwrap();
    /// assert_eq!(path.to_string(), format!("Root #{} -> Env.vars[0] -> String", global.index()));
    /// ```
    pub fn retainer_path<'t>(&self, target: impl Into<PathTarget<'t>>) -> Option<RetainerPath> {
        self.inner().retainer_path(target.into(), &mut None)
    }

    /// Collects (a major collection) and checks that the object of `weak` is gone; if it is
    /// still alive, panics with the path that keeps it alive. For tests of leaks.
    ///
    /// ```should_panic
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let (list, item) = heap.mutate(|m| {
    ///     let item = Gc::new(m, 5u64);
    ///     (m.root(Gc::new(m, vec![item])), m.weak_root(item))
    /// });
    /// // Panics: "... still alive after a major collection: Root #0 -> Vec<Gc<u64>>[0] -> u64"
    /// heap.assert_collected(&item);
    /// # drop(list);
    /// ```
    ///
    /// # Panics
    /// If the object is still alive after the collection.
    #[track_caller]
    pub fn assert_collected<T: ?Sized>(&mut self, weak: &WeakRoot<T>) {
        self.collect_major();
        if weak.object(&self.inner().roots).is_none() {
            return;
        }
        match self.retainer_path(weak) {
            Some(path) => panic!(
                "tenured-gc: the {} is still alive after a major collection: {path}",
                short_type_name(path.target)
            ),
            None => panic!("tenured-gc: the object is still alive after a major collection"),
        }
    }

    /// Writes a heap snapshot in the V8 `.heapsnapshot` format to `out`: every object the
    /// roots reach, with its type and size, and every pointer, named by its field. Chrome
    /// DevTools' Memory panel opens it (Load profile) and shows it by type, with retainers,
    /// dominators and retained sizes. See [`snapshot`](crate::snapshot) for what it holds.
    ///
    /// One breadth-first walk, and memory for the nodes and edges until it returns; it moves
    /// nothing and changes no statistic. Inside a scope, ask for one with
    /// [`Mutation::inspect_after_scope`].
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let list = heap.mutate(|m| m.root(Gc::new(m, vec![Gc::new(m, 1u8), Gc::new(m, 2u8)])));
    /// let mut json = Vec::new();
    /// let summary = heap.write_heap_snapshot(&mut json).unwrap();
    /// // The root, the vector and its two elements; one edge from the root, two from the vector.
    /// assert_eq!((summary.nodes, summary.edges), (4, 3));
    /// assert_eq!(summary.bytes, heap.census().total().bytes);
    /// assert!(String::from_utf8(json).unwrap().starts_with("{\"snapshot\":{\"meta\":"));
    /// # drop(list);
    /// ```
    pub fn write_heap_snapshot(
        &self,
        out: impl std::io::Write,
    ) -> std::io::Result<SnapshotSummary> {
        self.inner().write_heap_snapshot(out, &mut None)
    }

    /// Checks the whole heap: every pointer from a root or an object lands on the header of
    /// a live object in a live space, and every old-to-young pointer is remembered. Returns
    /// every problem found.
    pub fn verify(&self) -> Result<(), HeapCorruption> {
        self.inner().check_usable();
        self.inner().verify(&mut RunStateRoots(None))
    }
}

/// Moves a value to another brand of the same type.
///
/// # Safety
/// - `B` must be `A` with only its brand lifetime changed (a `Rebrand` pair).
pub(crate) unsafe fn rebrand<A, B>(value: A) -> B {
    let value = core::mem::ManuallyDrop::new(value);
    // SAFETY: the caller promises `A` and `B` have the same layout; `value` is not dropped.
    unsafe { core::mem::transmute_copy::<A, B>(&*value) }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // SAFETY: `state` came from `Box::leak` in `with_config` and is freed only here.
        let mut state = unsafe { Box::from_raw(self.state.as_ptr()) };
        state.tear_down();
    }
}
