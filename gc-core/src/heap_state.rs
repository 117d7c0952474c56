//! The state of one heap: its parts, owned together.
//!
//! [`HeapState`] is what a [`Heap`](crate::Heap) owns and what each [`Mutation`] points to.
//! It holds one value per job, each in its own module with its own interface:
//!
//! | part | module | job |
//! | --- | --- | --- |
//! | `spaces` | `space/` | where objects live |
//! | `alloc` | `alloc/allocator.rs` | the allocation window and the slow path |
//! | `remembered` | `remembered.rs` | old objects that may point into the nursery |
//! | `scope` | `scope.rs` | the current mutation scope and its reclaim |
//! | `pacer` | `collect/pacer.rs` | when to collect and how big the spaces may be |
//! | `roots` | `root.rs` | the root table |
//! | `stats` | `stats.rs` | what the collector did |
//! | `collection_hooks` | `event.rs` | who hears of each collection |
//! | `inspections` | `inspect.rs` | what scopes asked to look at after them |
//!
//! The collectors take the parts they need as arguments; the collection driver
//! (`collect/driver.rs`) and the public types are the only code that sees the whole.
//!
//! [`Mutation`]: crate::Mutation

use core::any::Any;
use core::cell::{Cell, RefCell};
use core::ptr::NonNull;
use std::rc::Rc;

use crate::alloc::allocator::{Allocator, SlowPath};
use crate::collect::pacer::{HeapView, Pacer, Policy};
use crate::config::HeapConfig;
use crate::error::AllocError;
use crate::event::CollectionHook;
use crate::remembered::RememberedSet;
use crate::root_table::RootTable;
use crate::scope::{Escape, ScopeState};
use crate::space::Spaces;
use crate::stats::{HeapStats, Stats};

/// The parts of one heap.
pub(crate) struct HeapState {
    pub(crate) config: HeapConfig,
    pub(crate) spaces: Spaces,
    pub(crate) alloc: Allocator,
    pub(crate) remembered: RememberedSet,
    /// Young objects whose type needs drop, listed at allocation.
    pub(crate) young_finalizable: RefCell<Vec<NonNull<u8>>>,
    pub(crate) scope: ScopeState,
    pub(crate) pacer: Pacer,
    pub(crate) roots: Rc<RootTable>,
    pub(crate) stats: RefCell<Stats>,
    /// What receives each collection's event: the configuration's hook, and the `GC_TRACE`
    /// printer when tracing is on. Empty when nothing watches, so no event is built.
    pub(crate) collection_hooks: Vec<CollectionHook>,
    /// What the scope that is open asked to run at the collection point after it
    /// ([`Mutation::inspect_after_scope`](crate::Mutation::inspect_after_scope)): each an
    /// inspection of `inspect.rs`, kept behind `Any` so that the heap's state does not
    /// depend on the inspector, which is built on it.
    pub(crate) inspections: RefCell<Vec<Box<dyn Any>>>,
    /// A collection was interrupted by a panic; the heap must not be used.
    poisoned: Cell<bool>,
}

impl HeapState {
    /// The state of a new heap with `config`, which must be valid.
    pub(crate) fn new(config: HeapConfig) -> Self {
        let spaces = Spaces::new(&config);
        let trace = config.trace.then(CollectionHook::trace);
        let collection_hooks = trace.into_iter().chain(config.collection_hook.clone());
        let state = HeapState {
            alloc: Allocator::new(config.large_object_threshold),
            scope: ScopeState::new(&spaces.nursery),
            spaces,
            remembered: RememberedSet::new(),
            young_finalizable: RefCell::new(Vec::new()),
            pacer: Pacer::new(&config),
            roots: Rc::new(RootTable::new()),
            stats: RefCell::new(Stats::new()),
            collection_hooks: collection_hooks.collect(),
            inspections: RefCell::new(Vec::new()),
            poisoned: Cell::new(false),
            config,
        };
        state.pace_eden();
        state
    }

    /// Refuses all further use of the heap (as after a panic out of a collection); dropping
    /// it then frees its memory without running drop glue.
    pub(crate) fn poison(&self) {
        self.poisoned.set(true);
    }

    pub(crate) fn unpoison(&self) {
        self.poisoned.set(false);
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.get()
    }

    pub(crate) fn check_usable(&self) {
        if self.poisoned.get() {
            panic!(
                "tenured-gc: this heap is unusable: a panic escaped a `Trace` implementation during \
                 a collection, so its objects may be half-moved"
            );
        }
    }

    /// Takes the identity hash of every object that has none, right after a major collection
    /// (which leaves every object in the old or large space, with an intact header), so that
    /// identity hashes of a frozen heap are only read; and gives the empty nursery's pages back
    /// to the system, since a frozen heap never allocates again.
    ///
    /// # Panics
    /// If young objects remain, which only pinning leaves (a `SendHeap` pins nothing).
    pub(crate) fn hash_every_object(&self) {
        let view = self.view();
        assert_eq!(
            view.young_allocated + view.survivor_used,
            0,
            "tenured-gc: a heap to freeze still has young objects after a major collection"
        );
        let old = self.spaces.old.borrow();
        // SAFETY: outside scopes and collections every old object (and dead filler) has an
        // intact, unforwarded header; the heap is not shared yet.
        unsafe { old.for_each_object(|obj| crate::header::ensure_hashed(obj)) };
        for large in &self.spaces.large.borrow().objects {
            // SAFETY: as above, for the large objects.
            unsafe { crate::header::ensure_hashed(large.start) };
        }
        // The nursery is empty and will never be used again: its pages go back to the system.
        self.spaces.nursery.memory.release_pages();
    }

    /// Bytes of eden handed out since the last minor collection.
    pub(crate) fn eden_used(&self) -> usize {
        self.alloc.eden_used(&self.spaces.overflow.borrow())
    }

    /// Bytes allocated in eden and its overflow blocks since the last minor collection.
    pub(crate) fn young_allocated(&self) -> usize {
        self.alloc.young_allocated(&self.spaces.overflow.borrow())
    }

    /// The figures the pacer decides on.
    pub(crate) fn view(&self) -> HeapView {
        let nursery = &self.spaces.nursery;
        let eden_used = self.eden_used();
        HeapView {
            eden_size: nursery.eden_size(),
            eden_allowance: self.alloc.eden_allowance(),
            largest_eden_size: nursery.largest_eden_size(),
            eden_used,
            young_allocated: self.young_allocated(),
            overflowed: self.spaces.overflow.borrow().is_active(),
            survivor_used: nursery.survivor_used(),
            survivor_size: nursery.survivor_size(),
            old_used: self.spaces.old_and_large_used(),
            reserved: self.spaces.reserved(eden_used),
        }
    }

    /// Fails if reserving `more` bytes would break the heap limit.
    pub(crate) fn check_limit(&self, more: usize) -> Result<(), AllocError> {
        self.pacer.check_limit(&self.view(), more)
    }

    /// Sets how much of eden the window may cover, as the pacer says.
    pub(crate) fn pace_eden(&self) {
        self.alloc
            .set_eden_allowance(self.pacer.eden_allowance(&self.view()))
    }

    /// What the allocator's slow path works with.
    pub(crate) fn slow_path<'a>(
        &'a self,
        check_limit: &'a dyn Fn(usize) -> Result<(), AllocError>,
    ) -> SlowPath<'a> {
        SlowPath {
            spaces: &self.spaces,
            scope: &self.scope,
            remembered: &self.remembered,
            stats: &self.stats,
            check_limit,
        }
    }

    /// Begins a mutation scope; with `reclaim`, one that may give its eden back when it ends
    /// (see `scope.rs`). The scopes of `Heap::run` may not: their state outlives them.
    pub(crate) fn begin_scope(&self, reclaim: bool) {
        self.check_usable();
        let young = self.young_allocated();
        if self.spaces.overflow.borrow().is_active() {
            // The window is not in eden: the scope's bytes would not be its own.
            self.scope.begin(young, None);
        } else {
            self.alloc.ensure_open(&self.spaces.nursery);
            self.scope.begin(young, Some(self.alloc.window()));
        }
        if !reclaim {
            self.scope.escape(Escape::RunState);
        }
    }

    /// Ends a mutation scope: tells the pacer how much it allocated.
    pub(crate) fn end_scope(&self) {
        self.pacer
            .scope_ended(self.scope.end(self.young_allocated()));
    }

    /// After a scope of `Heap::mutate`: gives its eden back if nothing it allocated can be
    /// reached from outside it.
    pub(crate) fn reclaim_scope(&mut self) {
        let bytes = self
            .scope
            .reclaim(self.alloc.window(), &self.spaces.nursery) as u64;
        let stats = self.stats.get_mut();
        stats.bytes_allocated += bytes;
        stats.bytes_freed += bytes;
        stats.bytes_reclaimed_by_scopes += bytes;
    }

    /// Bytes of objects in the heap now, live or not yet found dead.
    pub(crate) fn heap_used(&self) -> usize {
        let view = self.view();
        view.young_allocated + view.survivor_used + view.old_used
    }

    /// Bytes of objects ever allocated: eden's share is counted into the statistics only at
    /// each minor collection.
    fn total_allocated(&self) -> u64 {
        self.stats.borrow().bytes_allocated + self.young_allocated() as u64
    }

    /// Notes what the heap holds when a collection ends; `live` is what a major one kept.
    pub(crate) fn collection_ended(&mut self, live_after_major: Option<usize>) {
        let (used, allocated) = (self.heap_used() as u64, self.total_allocated());
        let stats = self.stats.get_mut();
        if let Some(live) = live_after_major {
            stats.live_after_last_major = live as u64;
        }
        stats.used_after_last_collection = used;
        stats.allocated_at_last_collection = allocated;
    }

    pub(crate) fn stats(&self) -> HeapStats {
        let allocated = self.total_allocated();
        let stats = self.stats.borrow();
        let old = self.spaces.old.borrow();
        let large = self.spaces.large.borrow();
        let nursery = &self.spaces.nursery;
        let view = self.view();
        HeapStats {
            minor: stats.minor.summary(),
            major: stats.major.summary(),
            bytes_allocated: allocated,
            bytes_promoted: stats.bytes_promoted,
            bytes_freed: stats.bytes_freed,
            bytes_reclaimed_by_scopes: stats.bytes_reclaimed_by_scopes,
            heap_used: (view.young_allocated + view.survivor_used + view.old_used) as u64,
            live_after_last_major: stats.live_after_last_major,
            used_after_last_collection: stats.used_after_last_collection,
            allocated_since_last_collection: allocated - stats.allocated_at_last_collection,
            objects_finalized: stats.objects_finalized,
            eden_used: view.eden_used,
            eden_size: nursery.eden_size(),
            overflow_used: view.young_allocated - view.eden_used,
            survivor_used: view.survivor_used,
            survivor_size: nursery.survivor_size(),
            old_used: old.used(),
            old_capacity: old.capacity(),
            large_used: large.used(),
            heap_reserved: view.reserved,
            old_budget: self.pacer.old_budget(&view),
            bytes_from_pool: old.from_pool + self.spaces.nursery.from_pool as u64,
            collections_on_threads: stats.collections_on_threads,
        }
    }
}
