//! The collection driver: one collection from start to end.
//!
//! # A collection point
//! The pacer decides whether to collect and how; a minor collection that leaves the old
//! generation over its budget is followed by a major one.
//!
//! # A collection
//! 1. The heap is *poisoned* until the collection finishes: a panic out of a `Trace`
//!    implementation leaves it so, and every later use panics with a message that says so.
//! 2. With `HeapConfig::verify`, the verifier checks the heap before and after; with the stress
//!    mode too, a re-mark check confirms that the collector kept exactly what is reachable.
//! 3. Roots that drop glue releases stay roots until the collection ends (see `root.rs`).
//! 4. Before a minor collection the pacer may resize eden; after any collection it sets how
//!    much of eden the allocation window may cover, and the window is reopened over eden.
//! 5. Once the heap is consistent again (unpoisoned), the collection's event goes to each
//!    hook: the configuration's `collection_hook` and, with `HeapConfig::trace`, the one that
//!    prints the `GC_TRACE` line. Without hooks no event is built. A panic from a hook
//!    propagates and leaves the heap usable.
//! 6. A panic from drop glue is resumed last, once the heap is consistent: it stays usable.
//!
//! # Dropping a heap
//! [`HeapState::tear_down`] runs the drop glue of every object that needs it, unless the heap
//! is poisoned (its objects may be half-moved, so their memory is freed without it).

use std::time::Instant;

use crate::collect::finalize::{finalize_all, FirstPanic};
use crate::collect::pacer::Policy;
use crate::collect::tracer::RunStateRoots;
use crate::collect::verify::{self, HeapCorruption, Subject};
use crate::collect::{major, minor, Parts};
use crate::config::HeapConfig;
use crate::event::{CollectionEvent, CollectionReason, HeapSizes};
use crate::header;
use crate::heap_state::HeapState;
use crate::stats::CollectionKind;

/// The old generation (with large objects) from which a major collection uses more than one
/// thread: below it, starting and joining a worker costs about what it saves.
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// The bytes a minor collection copies on the heap's thread alone before the other collector
/// threads join it: about what starting and joining them costs.
const PARALLEL_MINOR_AFTER: usize = 1 << 20;

impl HeapState {
    /// A collection point: collects if the pacer says so.
    pub(crate) fn collection_point(&mut self, extra: &mut RunStateRoots<'_>) {
        self.check_usable();
        let view = self.view();
        if let Some((kind, reason)) = self.pacer.decide(&view) {
            self.collect(kind, reason, extra);
            if kind == CollectionKind::Minor {
                if let Some(reason) = self.pacer.old_over_budget(&self.view()) {
                    self.collect(CollectionKind::Major, reason, extra);
                }
            }
        }
    }

    /// What the verifier looks at.
    fn subject(&self) -> Subject<'_> {
        Subject {
            spaces: &self.spaces,
            young: self.alloc.young_occupied(&self.spaces),
            roots: &self.roots,
            remembered: &self.remembered,
        }
    }

    /// Checks the whole heap; `extra` traces the state of a step loop, if any.
    pub(crate) fn verify(&self, extra: &mut RunStateRoots<'_>) -> Result<(), HeapCorruption> {
        verify::verify(&self.subject(), extra)
    }

    /// Runs one collection of `kind` now, for `reason`.
    pub(crate) fn collect(
        &mut self,
        kind: CollectionKind,
        reason: CollectionReason,
        extra: &mut RunStateRoots<'_>,
    ) {
        self.check_usable();
        self.poison();
        let before = (!self.collection_hooks.is_empty()).then(|| self.sizes());
        if self.config.verify {
            self.verify(extra)
                .unwrap_or_else(|e| panic!("before a {kind} collection: {e}"));
        }
        self.roots.begin_collection();
        let start = Instant::now();
        let (panics, live_after_major) = self.run_collector(kind, extra);
        let pause = start.elapsed();
        self.stats.get_mut().record_pause(kind, pause);
        self.pace_eden();
        self.alloc.reopen_eden(&self.spaces.nursery);
        self.collection_ended(live_after_major);
        if self.config.verify {
            self.verify(extra)
                .unwrap_or_else(|e| panic!("after a {kind} collection: {e}"));
            if self.config.stress.is_some() {
                let major = kind == CollectionKind::Major;
                verify::sanity_remark(&self.subject(), extra, major)
                    .unwrap_or_else(|e| panic!("re-marking after a {kind} collection: {e}"));
            }
        }
        self.roots.end_collection();
        self.unpoison();
        if let Some(before) = before {
            let stats = self.stats.get_mut();
            let event = CollectionEvent {
                number: stats.minor.count() + stats.major.count(),
                kind,
                reason,
                pause,
                before,
                after: self.sizes(),
            };
            // The heap is consistent: a hook that panics leaves it usable (and the first
            // panic from drop glue, if any, is dropped with the collection's other state).
            for hook in &self.collection_hooks {
                hook.call(&event);
            }
        }
        panics.resume();
    }

    /// What the spaces hold now, for a collection event.
    fn sizes(&self) -> HeapSizes {
        let view = self.view();
        let large = self.spaces.large.borrow().used();
        HeapSizes {
            young: view.young_allocated + view.survivor_used,
            old: view.old_used - large,
            large,
            reserved: view.reserved,
        }
    }

    /// Resizes eden if the pacer says so, then runs the collector.
    /// Returns the first panic from drop glue, and after a major collection the bytes it kept.
    fn run_collector(
        &mut self,
        kind: CollectionKind,
        extra: &mut RunStateRoots<'_>,
    ) -> (FirstPanic, Option<usize>) {
        // The eden the young objects were allocated in, before the pacer resizes it.
        let eden = self.spaces.nursery.eden_size();
        if let Some(eden) = self.pacer.eden_size(&self.view()) {
            self.spaces
                .nursery
                .resize(eden, HeapConfig::survivor_size(eden));
        }
        let (eden_used, young_allocated) = (self.eden_used(), self.young_allocated());
        let tenuring_threshold = self.config.tenuring_threshold;
        let threads = self.collector_threads();
        let minor_threads = self.minor_threads();
        let mut parts = Parts {
            spaces: &mut self.spaces,
            remembered: &mut self.remembered,
            roots: &self.roots,
            young_finalizable: self.young_finalizable.get_mut(),
            stats: self.stats.get_mut(),
            eden_used,
            young_allocated,
        };
        let young = young_allocated + parts.spaces.nursery.survivor_used();
        match kind {
            CollectionKind::Minor => {
                let (copied_before, edges_before) =
                    (parts.stats.bytes_copied, parts.stats.root_edges);
                let panics =
                    minor::collect(&mut parts, extra, tenuring_threshold, false, minor_threads);
                let survived = (parts.stats.bytes_copied - copied_before) as usize;
                let root_edges = (parts.stats.root_edges - edges_before) as usize;
                self.pacer.minor_ended(young, survived, eden, root_edges);
                (panics, None)
            }
            CollectionKind::Major => {
                let (panics, live) = major::collect(
                    &mut parts,
                    extra,
                    threads,
                    minor_threads,
                    major::DEAD_WOOD_FROM,
                );
                self.pacer.major_ended(live);
                (panics, Some(live))
            }
        }
    }

    /// The threads a major collection would use now: the configured number where the old
    /// generation is big enough for them to pay, and always in stress mode and with the
    /// verifier on, so that the tests run them.
    fn collector_threads(&self) -> usize {
        let threads = self.config.collector_threads;
        let pays = self.spaces.old_and_large_used() >= PARALLEL_MIN_BYTES;
        if pays || self.config.stress.is_some() || self.config.verify {
            threads
        } else {
            1
        }
    }

    /// The threads a minor collection may use: the configured number once it has copied
    /// enough for them to pay, and from the start in stress mode and with the verifier on,
    /// so that the tests run them.
    fn minor_threads(&self) -> minor::Threads {
        minor::Threads {
            count: self.config.collector_threads,
            after: if self.config.stress.is_some() || self.config.verify {
                0
            } else {
                PARALLEL_MINOR_AFTER
            },
        }
    }

    /// The heap is being dropped: runs the drop glue of every object that needs it, unless
    /// the heap is poisoned. Resumes the first panic from drop glue, unless the thread is
    /// unwinding already.
    pub(crate) fn tear_down(&mut self) {
        self.roots.clear();
        if self.is_poisoned() {
            return;
        }
        // Only the objects that need drop are listed: a list of every object would cost as
        // much memory as a big heap's headers.
        let needs_drop = |obj: &core::ptr::NonNull<u8>| {
            // SAFETY: outside a collection every object has an intact header.
            unsafe { header::read(*obj) }
                .type_info()
                .drop_glue
                .is_some()
        };
        let mut dead = core::mem::take(self.young_finalizable.get_mut());
        // SAFETY: as above.
        unsafe {
            self.spaces.old.get_mut().for_each_object(|obj| {
                if needs_drop(&obj) {
                    dead.push(obj)
                }
            })
        };
        let large = self.spaces.large.get_mut().objects.iter().map(|o| o.start);
        dead.extend(large.filter(needs_drop));
        let mut panics = FirstPanic::default();
        // SAFETY: the heap is going, so every object is dead; the lists name each object that
        // needs drop once, with an intact header (the heap is not poisoned).
        unsafe { finalize_all(dead, &mut panics) };
        panics.resume_unless_panicking();
    }
}
