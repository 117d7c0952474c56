//! The heap: owns the spaces, runs mutation scopes, and collects at collection points.
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
//! of its own objects (the barrier's slow path notices). See `HeapInner::reclaim_scope`.
//!
//! # Faults
//! A panic that escapes a collection (from a `Trace` implementation) leaves the heap
//! *poisoned*: every later use panics with a message that says so, and dropping it frees its
//! memory without running drop glue. A panic from drop glue during finalization is caught,
//! the collection completes, and the panic is then resumed: the heap stays usable.

use core::cell::{Cell, RefCell};
use core::ops::ControlFlow;
use core::ptr::NonNull;
use std::rc::Rc;
use std::time::Instant;

use crate::alloc::bump::Window;
use crate::collect::finalize::{finalize_all, FirstPanic};
use crate::collect::tracer::ExtraRoots;
use crate::collect::{major, minor, pacer, verify};
use crate::config::{ConfigError, HeapConfig};
use crate::error::AllocError;
use crate::header;
use crate::mutation::Mutation;
use crate::root::RootTable;
use crate::space::large::LargeSpace;
use crate::space::nursery::Nursery;
use crate::space::old::{OldSpace, CHUNK_SIZE};
use crate::space::overflow::OverflowSpace;
use crate::stats::{Bytes, CollectionKind, HeapStats, Stats};
use crate::trace::{Rebrand, Trace, Tracer};

/// `S` under the brand `'gc`: the type a step of [`Heap::run`] receives and returns.
pub type Branded<'gc, S> = <S as Rebrand<'gc>>::Branded;

/// A garbage-collected heap.
///
/// ```
/// use gc_core::{Gc, GcCell, Heap, Trace};
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
    /// A `Box<HeapInner>` held by pointer, so that the only reason a `Heap` is not `Send` is
    /// this pointer (and so the compiler's message names it alone).
    inner: NonNull<HeapInner>,
}

/// The state of a heap, shared with its mutation scopes.
pub(crate) struct HeapInner {
    pub(crate) config: HeapConfig,
    pub(crate) large_object_threshold: usize,
    /// Where `Gc::new` bumps: eden, or an overflow block once eden is full inside a scope.
    pub(crate) window: Window,
    /// Eden's overflow blocks (see `space/overflow.rs`).
    pub(crate) overflow: RefCell<OverflowSpace>,
    /// How much of eden the window may cover: less than all of it near the heap limit.
    pub(crate) eden_allowance: Cell<usize>,
    pub(crate) nursery: Nursery,
    pub(crate) old: RefCell<OldSpace>,
    pub(crate) large: RefCell<LargeSpace>,
    /// Old and large objects that may point into the nursery, each with its header LOGGED.
    pub(crate) remembered: RefCell<Vec<NonNull<u8>>>,
    /// Nursery objects whose type needs drop.
    pub(crate) young_finalizable: RefCell<Vec<NonNull<u8>>>,
    /// A barriered store went to a cell outside every space since the last minor collection.
    pub(crate) out_of_line_write: Cell<bool>,
    /// Some large object may hold barriered cells outside itself.
    pub(crate) large_has_out_of_line_cells: Cell<bool>,
    pub(crate) roots: Rc<RootTable>,
    pub(crate) stats: RefCell<Stats>,
    /// A collection was interrupted by a panic; the heap must not be used.
    poisoned: Cell<bool>,
    /// Old and large bytes after the last major collection, for the pacer.
    pub(crate) live_after_major: usize,
    /// Collection points passed, for the stress mode.
    pub(crate) points: u64,
    /// Young bytes allocated since the last minor collection when the current scope began.
    scope_start: Cell<usize>,
    /// Where the current scope's allocations began in eden, while nothing it allocated can be
    /// reached from outside it (see `begin_scope`); `None` once something may be.
    scope_mark: Cell<Option<NonNull<u8>>>,
    /// The root table's write count and the length of `young_finalizable` when the scope
    /// began: a change in either keeps the scope's objects.
    scope_root_writes: Cell<u64>,
    scope_finalizable: Cell<usize>,
    /// The write barrier's quiet range, as start and length: a store to a cell in it needs
    /// nothing. The nursery outside reclaimable scopes; within one, only what it allocated.
    pub(crate) quiet_start: Cell<usize>,
    pub(crate) quiet_len: Cell<usize>,
    /// The most a recent scope allocated, decaying by an eighth per scope: the pacer collects
    /// before a scope like it could overflow eden, and sizes eden to hold one.
    pub(crate) scope_peak: Cell<usize>,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    /// A heap with the default configuration ([`HeapConfig::default`]), adjusted by the
    /// `GC_TRACE` and `GC_STRESS` environment variables.
    pub fn new() -> Heap {
        Heap::with_config(HeapConfig::default()).expect("the default heap configuration is valid")
    }

    /// A heap with `config`, adjusted by the `GC_TRACE` and `GC_STRESS` environment
    /// variables, or the first rule the configuration breaks.
    pub fn with_config(config: HeapConfig) -> Result<Heap, ConfigError> {
        let config = config.with_env();
        config.validate()?;
        let inner = HeapInner {
            large_object_threshold: config.large_object_threshold,
            window: Window::unopened(),
            overflow: RefCell::new(OverflowSpace::new()),
            eden_allowance: Cell::new(usize::MAX),
            nursery: Nursery::new(
                config.nursery_size.next_multiple_of(header::WORD),
                HeapConfig::survivor_size(config.nursery_size),
                config.max_nursery_size.next_multiple_of(header::WORD),
                HeapConfig::survivor_size(config.max_nursery_size),
            ),
            old: RefCell::new(OldSpace::new()),
            large: RefCell::new(LargeSpace::new()),
            remembered: RefCell::new(Vec::new()),
            young_finalizable: RefCell::new(Vec::new()),
            out_of_line_write: Cell::new(false),
            large_has_out_of_line_cells: Cell::new(false),
            roots: Rc::new(RootTable::new()),
            stats: RefCell::new(Stats::new()),
            poisoned: Cell::new(false),
            live_after_major: 0,
            points: 0,
            scope_start: Cell::new(0),
            scope_mark: Cell::new(None),
            scope_root_writes: Cell::new(0),
            scope_finalizable: Cell::new(0),
            quiet_start: Cell::new(0),
            quiet_len: Cell::new(0),
            scope_peak: Cell::new(0),
            config,
        };
        inner.quiet_nursery();
        inner.pace_eden();
        Ok(Heap {
            inner: NonNull::from(Box::leak(Box::new(inner))),
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
        self.inner_mut().collection_point(&mut ExtraRoots(None));
        result
    }

    /// Runs `f` in a scope; with `reclaim`, one that `reclaim_scope` may give back. The
    /// scopes of [`Heap::run`] may not be: their state outlives them.
    fn scope<R>(&self, reclaim: bool, f: impl for<'gc> FnOnce(&Mutation<'gc>) -> R) -> R {
        let inner = self.inner();
        inner.begin_scope(reclaim);
        let result = f(&Mutation::new(inner));
        inner.end_scope();
        result
    }

    #[inline(always)]
    pub(crate) fn inner(&self) -> &HeapInner {
        // SAFETY: `inner` comes from `Box::leak` and is freed only in `drop`.
        unsafe { self.inner.as_ref() }
    }

    #[inline(always)]
    fn inner_mut(&mut self) -> &mut HeapInner {
        // SAFETY: as in `inner`, and `&mut self` makes the access unique.
        unsafe { self.inner.as_mut() }
    }

    /// Runs a long computation in steps, with a collection point between steps.
    ///
    /// `init` builds the state; each call of `step` gets the state and returns either the
    /// next state (`Continue`) or the result (`Break`). Between steps the state is a root,
    /// so the collector may move its objects and free everything else: memory stays bounded
    /// however many steps run. `S` names the state's type under the `'static` brand.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use gc_core::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let sum = heap.run::<(Gc<'static, i64>, u32), _>(
    ///     |m| (Gc::new(m, 0), 0),
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
        init: impl for<'gc> FnOnce(&Mutation<'gc>) -> Branded<'gc, S>,
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
            state = Some(unsafe { rebrand(init(m)) });
        });
        loop {
            let mut trace_state = |tracer: &mut Tracer<'_>| {
                if let Some(state) = state.as_mut() {
                    tracer.trace(state)
                }
            };
            self.inner_mut()
                .collection_point(&mut ExtraRoots(Some(&mut trace_state)));
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
                self.inner_mut().collection_point(&mut ExtraRoots(None));
                return result;
            }
        }
    }

    /// Runs a minor collection now.
    pub fn collect_minor(&mut self) {
        self.inner_mut()
            .collect(CollectionKind::Minor, &mut ExtraRoots(None))
    }

    /// Runs a major (full-heap) collection now.
    pub fn collect_major(&mut self) {
        self.inner_mut()
            .collect(CollectionKind::Major, &mut ExtraRoots(None))
    }

    /// What the collector has done and what the heap holds.
    pub fn stats(&self) -> HeapStats {
        self.inner().stats()
    }

    /// Checks the whole heap: every pointer from a root or an object lands on the header of
    /// a live object in a live space, and every old-to-young pointer is remembered. Returns
    /// every problem found.
    pub fn verify(&self) -> Result<(), verify::HeapCorruption> {
        self.inner().check_usable();
        verify::verify(self.inner(), &mut ExtraRoots(None))
    }
}

/// Moves a value to another brand of the same type.
///
/// # Safety
/// - `B` must be `A` with only its brand lifetime changed (a `Rebrand` pair).
unsafe fn rebrand<A, B>(value: A) -> B {
    let value = core::mem::ManuallyDrop::new(value);
    // SAFETY: the caller promises `A` and `B` have the same layout; `value` is not dropped.
    unsafe { core::mem::transmute_copy::<A, B>(&*value) }
}

impl HeapInner {
    /// Refuses all further use of the heap (as after a panic out of a collection); dropping
    /// it then frees its memory without running drop glue.
    pub(crate) fn poison(&self) {
        self.poisoned.set(true);
    }

    pub(crate) fn check_usable(&self) {
        if self.poisoned.get() {
            panic!(
                "gc-core: this heap is unusable: a panic escaped a `Trace` implementation during \
                 a collection, so its objects may be half-moved"
            );
        }
    }

    /// Bytes reserved from the system by every space.
    pub(crate) fn reserved(&self) -> usize {
        self.nursery.capacity(self.eden_used())
            + self.overflow.borrow().capacity()
            + self.old.borrow().capacity()
            + self.large.borrow().capacity()
    }

    /// The most the next minor collection can add to the old generation: everything young,
    /// with up to a quarter lost at chunk ends, and a chunk begun.
    fn promotion_headroom(&self, young: usize) -> usize {
        young + young / 3 + CHUNK_SIZE
    }

    /// Fails if reserving `more` bytes would leave too little room under the heap limit to
    /// promote what is young now.
    pub(crate) fn check_limit(&self, more: usize) -> Result<(), AllocError> {
        if let Some(limit) = self.config.heap_limit {
            let reserved = self.reserved();
            let young = self.young_allocated() + self.nursery.survivor_used();
            if reserved + more + self.promotion_headroom(young) > limit {
                return Err(AllocError {
                    requested: more,
                    reserved,
                    limit,
                });
            }
        }
        Ok(())
    }

    /// Under a heap limit, keeps eden's allocation window within eden's soft size (the
    /// window may not run past it into the reserved rest) and, near the limit, shrinks it so
    /// that the next minor collection cannot promote past the limit; past that, allocation
    /// takes the slow path, which checks the limit.
    fn pace_eden(&self) {
        let allowance = match self.config.heap_limit {
            None => usize::MAX,
            Some(limit) => {
                let free = limit.saturating_sub(
                    self.reserved() + self.promotion_headroom(self.nursery.survivor_used()),
                );
                (free / 4 * 3).min(self.nursery.eden_size())
            }
        };
        self.eden_allowance.set(allowance)
    }

    /// Bytes of eden handed out since the last minor collection.
    pub(crate) fn eden_used(&self) -> usize {
        match self.overflow.borrow().eden_used() {
            Some(used) => used,
            None if self.window.is_open() => self.window.used(),
            None => 0,
        }
    }

    /// Bytes allocated in eden and its overflow blocks since the last minor collection.
    pub(crate) fn young_allocated(&self) -> usize {
        // Without overflow there are no blocks, and they hold nothing.
        self.eden_used() + self.overflow.borrow().used(self.window.cursor())
    }

    /// After a minor collection: the window is eden again, as far as the allowance goes.
    pub(crate) fn reopen_eden(&self) {
        if self.window.is_open() {
            let (start, end) = self.nursery.eden_window(self.eden_allowance.get());
            self.window.open(start, end);
        }
    }

    /// The barrier's quiet range is the whole nursery: stores to young cells need nothing.
    pub(crate) fn quiet_nursery(&self) {
        let (start, len) = self.nursery.range();
        self.quiet_start.set(start);
        self.quiet_len.set(len);
    }

    /// Begins a mutation scope. With `reclaim`, notes where its allocations begin in eden, and
    /// narrows the write barrier's quiet range to the memory it will allocate in, so that its
    /// first store anywhere else takes the slow path, which gives up the reclaim. The other
    /// ways out are watched where they happen: a root made or moved (the root table's write
    /// count), an object that needs drop (`young_finalizable` grows), a large object or an
    /// overflow block (`alloc_slow`).
    fn begin_scope(&self, reclaim: bool) {
        self.check_usable();
        self.scope_start.set(self.young_allocated());
        let mark = if reclaim && !self.overflow.borrow().is_active() {
            if !self.window.is_open() {
                let (start, end) = self.nursery.eden_window(self.eden_allowance.get());
                self.window.open(start, end);
            }
            self.window.cursor()
        } else {
            None
        };
        match mark {
            Some(start) => {
                let start = start.as_ptr().addr();
                self.quiet_start.set(start);
                self.quiet_len.set(self.window.limit().addr() - start);
                self.scope_root_writes.set(self.roots.writes());
                self.scope_finalizable
                    .set(self.young_finalizable.borrow().len());
            }
            None => self.quiet_nursery(),
        }
        self.scope_mark.set(mark);
    }

    /// Something the current scope allocated may be reached from outside it: keep it all.
    pub(crate) fn escape_scope(&self) {
        if self.scope_mark.take().is_some() {
            self.quiet_nursery();
        }
    }

    /// Ends a mutation scope: records how much it allocated, for the pacer.
    fn end_scope(&self) {
        let this_scope = self
            .young_allocated()
            .saturating_sub(self.scope_start.get());
        let peak = self.scope_peak.get();
        self.scope_peak.set(this_scope.max(peak - peak / 8));
    }

    /// After a scope of [`Heap::mutate`] returned: if nothing it allocated can be reached
    /// from outside it, gives its part of eden back.
    ///
    /// Nothing outside can: no `Gc` leaves a scope (its brand), and every other way a pointer
    /// to a new object could be kept was watched since `begin_scope`. A store into any cell
    /// but those of the scope's own objects took the barrier's slow path; making or moving a
    /// root changed the root table's write count; old and large objects point into the
    /// nursery only through such stores, or, for a large object, from its allocation, which
    /// cleared the mark. No collection ran inside the scope, so its objects are exactly the
    /// bytes from the mark to the cursor, none needing drop.
    fn reclaim_scope(&mut self) {
        let Some(mark) = self.scope_mark.take() else {
            return;
        };
        self.quiet_nursery();
        if self.roots.writes() != self.scope_root_writes.get()
            || self.young_finalizable.get_mut().len() != self.scope_finalizable.get()
        {
            return;
        }
        debug_assert!(
            !self.overflow.get_mut().is_active(),
            "a reclaimable scope overflowed eden"
        );
        let top = self
            .window
            .cursor()
            .expect("a scope with a mark has an open window");
        let bytes = top.as_ptr().addr() - mark.as_ptr().addr();
        self.nursery.poison_eden(mark, top);
        // SAFETY: `mark` was the window's cursor when the scope began, the window has stayed
        // in eden since (no overflow, no collection), and no object allocated after the mark
        // can be reached (above).
        unsafe { self.window.rewind(mark) };
        let stats = self.stats.get_mut();
        stats.bytes_allocated += bytes as u64;
        stats.bytes_freed += bytes as u64;
        stats.bytes_reclaimed_by_scopes += bytes as u64;
    }

    /// A collection point: collects if the pacer says so.
    pub(crate) fn collection_point(&mut self, extra: &mut ExtraRoots<'_>) {
        self.check_usable();
        self.points += 1;
        if let Some(kind) = pacer::decide(self) {
            self.collect(kind, extra);
            if kind == CollectionKind::Minor && pacer::old_over_budget(self) {
                self.collect(CollectionKind::Major, extra);
            }
        }
    }

    pub(crate) fn collect(&mut self, kind: CollectionKind, extra: &mut ExtraRoots<'_>) {
        self.check_usable();
        // Poisoned until the collection finishes: a panic out of a `Trace` impl leaves it so.
        self.poisoned.set(true);
        let before = self.config.trace.then(|| self.stats());
        if self.config.verify {
            verify::verify(self, extra)
                .unwrap_or_else(|e| panic!("before a {kind} collection: {e}"));
        }
        let check_remark = self.config.verify && self.config.stress.is_some();
        self.roots.begin_collection();
        let start = Instant::now();
        let panics = match kind {
            CollectionKind::Minor => minor::collect(self, extra, false),
            CollectionKind::Major => major::collect(self, extra),
        };
        let pause = start.elapsed();
        self.stats.get_mut().record_pause(kind, pause);
        self.pace_eden();
        self.reopen_eden();
        if self.config.verify {
            verify::verify(self, extra)
                .unwrap_or_else(|e| panic!("after a {kind} collection: {e}"));
            if check_remark {
                let major = kind == CollectionKind::Major;
                verify::sanity_remark(self, extra, major)
                    .unwrap_or_else(|e| panic!("re-marking after a {kind} collection: {e}"));
            }
        }
        self.roots.end_collection();
        self.poisoned.set(false);
        if let Some(before) = before {
            let after = self.stats();
            let count = after.minor.count + after.major.count;
            eprintln!(
                "gc {count} {kind}: {} -> {} live (young {} -> {}, old {} -> {}, large {} -> {}), {} reserved, {:.3} ms",
                Bytes(before.live_bytes),
                Bytes(after.live_bytes),
                Bytes((before.eden_used + before.overflow_used + before.survivor_used) as u64),
                Bytes((after.eden_used + after.overflow_used + after.survivor_used) as u64),
                Bytes(before.old_used as u64),
                Bytes(after.old_used as u64),
                Bytes(before.large_used as u64),
                Bytes(after.large_used as u64),
                Bytes(after.heap_reserved as u64),
                pause.as_secs_f64() * 1000.0,
            );
        }
        panics.resume();
    }

    pub(crate) fn stats(&self) -> HeapStats {
        let stats = self.stats.borrow();
        let old = self.old.borrow();
        let large = self.large.borrow();
        let eden_used = self.eden_used();
        let young = self.young_allocated();
        HeapStats {
            minor: stats.minor.summary(),
            major: stats.major.summary(),
            bytes_allocated: stats.bytes_allocated + young as u64,
            bytes_promoted: stats.bytes_promoted,
            bytes_freed: stats.bytes_freed,
            bytes_reclaimed_by_scopes: stats.bytes_reclaimed_by_scopes,
            live_bytes: (young + self.nursery.survivor_used() + old.used() + large.used()) as u64,
            objects_finalized: stats.objects_finalized,
            eden_used,
            eden_size: self.nursery.eden_size(),
            overflow_used: young - eden_used,
            survivor_used: self.nursery.survivor_used(),
            survivor_size: self.nursery.survivor_size(),
            old_used: old.used(),
            old_capacity: old.capacity(),
            large_used: large.used(),
            heap_reserved: self.reserved(),
            old_budget: pacer::old_budget(self),
        }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // SAFETY: `inner` came from `Box::leak` in `with_config` and is freed only here.
        let mut inner = unsafe { Box::from_raw(self.inner.as_ptr()) };
        inner.roots.clear();
        if inner.poisoned.get() {
            // The objects may be half-moved: free the memory without running drop glue.
            return;
        }
        // Only the objects that need drop are listed: a list of every object would cost as
        // much memory as a big heap's headers.
        let needs_drop = |obj: &NonNull<u8>| {
            // SAFETY: outside a collection every object has an intact header.
            unsafe { header::read(*obj) }
                .type_info()
                .drop_glue
                .is_some()
        };
        let mut dead = core::mem::take(inner.young_finalizable.get_mut());
        // SAFETY: as above.
        unsafe {
            inner.old.get_mut().for_each_object(|obj| {
                if needs_drop(&obj) {
                    dead.push(obj)
                }
            })
        };
        let large = inner.large.get_mut().objects.iter().map(|o| o.start);
        dead.extend(large.filter(needs_drop));
        let mut panics = FirstPanic::default();
        // SAFETY: the heap is gone, so every object is dead; the lists name each object that
        // needs drop once, with an intact header (the heap is not poisoned).
        unsafe { finalize_all(dead, &mut panics) };
        panics.resume_unless_panicking();
    }
}
