//! Marking for the major collection: finds every reachable object and sets MARKED in its
//! header, with an explicit work list (no recursion: a list of ten million nodes needs no
//! deeper stack than one of ten).
//!
//! # Prefetching
//! Testing an object's mark reads its header, which in a big heap is almost never in the
//! cache. So the marker does not test a target when it meets the pointer: it asks the
//! processor to fetch the header and puts the target in a short queue, and tests it only
//! when [`QUEUE`] more targets have been met since, by which time the header has most likely
//! arrived. The queue is emptied before the work list is found empty.
//!
//! # On several threads
//! With more than one collector thread, the heap's own thread marks from the roots and then
//! it and `threads - 1` scoped workers drain the work together as a team
//! (`collect/parallel.rs`): each shares at most [`SHARE_BATCH`] objects from the top of its
//! work list when its deque has run dry. Headers are then read and marked atomically
//! ([`header::mark_shared`]): of the threads that meet an object at once, exactly one marks
//! and scans it, so each object's value is still reached by one thread only. The weak maps
//! found by every thread are then resolved on the heap's thread, as with one thread.
use core::ptr::NonNull;

use crate::collect::parallel::{together, Team, SHARE_BATCH};
use crate::collect::tracer::{scan, Ephemerons, RunStateRoots};
use crate::header::{self, MARKED};
use crate::root_table::RootTable;
use crate::trace::{EdgeVisitor, EphemeronPass, Tracer};
use crate::type_info::{slice_len, Shape};

/// Targets met but not yet tested.
const QUEUE: usize = 16;
/// The most elements of a slice scanned at once: the rest of a big array goes back on the
/// work list, where another thread can take it.
const SLICE_STEP: usize = 256;

/// Asks the processor to bring the memory at `addr` into the cache; a hint, never a fault.
#[inline(always)]
pub(crate) fn prefetch(addr: NonNull<u8>) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is only a hint: it reads nothing and cannot fault, whatever the
    // address.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            addr.as_ptr().cast::<i8>(),
        )
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = addr;
}

/// Marks reachable objects.
struct Marker<'a> {
    /// Marked objects whose fields are still to be scanned.
    stack: Vec<NonNull<u8>>,
    /// The rest of big slices being scanned, [`SLICE_STEP`] elements at a time: the object
    /// and the first element left. Apart from `stack`, whose entries stay one word each.
    parts: Vec<(NonNull<u8>, usize)>,
    /// Targets met, their headers being fetched: a ring of `QUEUE` places.
    queue: [Option<NonNull<u8>>; QUEUE],
    next: usize,
    /// Objects marked so far.
    marked: usize,
    /// The object being scanned, if any.
    scanning: Option<NonNull<u8>>,
    /// The weak maps found, whose values wait for their keys.
    ephemerons: Ephemerons,
    /// When other threads mark too: this thread's place among them.
    team: Option<Team<'a, Grey>>,
}

/// An object handed between marking threads, with the first element to scan if it is a slice.
struct Grey(NonNull<u8>, usize);

// SAFETY: a `Grey` is an object that its marking thread marked and has not scanned. Whichever
// thread takes it scans it, once; while threads mark, the heap's own thread takes part and
// runs nothing else, so no mutator touches the heap, and the threads change only header mark
// bits, atomically.
unsafe impl Send for Grey {}

impl<'a> Marker<'a> {
    fn new(team: Option<Team<'a, Grey>>) -> Self {
        Marker {
            stack: Vec::new(),
            parts: Vec::new(),
            queue: [None; QUEUE],
            next: 0,
            marked: 0,
            scanning: None,
            ephemerons: Ephemerons::default(),
            team,
        }
    }

    /// Marks `obj` if it is not marked yet, and puts it on the work list.
    #[inline]
    fn mark(&mut self, obj: NonNull<u8>) {
        let newly = if self.team.is_some() {
            // SAFETY: after the nursery is evacuated every pointer is to an old or large
            // object with an intact header; while a team marks, its threads reach headers
            // only atomically and change only MARKED.
            unsafe { header::mark_shared(obj) }
        } else {
            // SAFETY: as above; on one thread, only this one reaches the header.
            let h = unsafe { header::read(obj) };
            if h.has(MARKED) {
                false
            } else {
                // SAFETY: as above; only the state bits change.
                unsafe { header::write(obj, h.with(MARKED)) };
                true
            }
        };
        if newly {
            self.marked += 1;
            self.stack.push(obj);
        }
    }

    /// Scans the object at `obj` from element `from` on if it is a slice (all of it
    /// otherwise), at most [`SLICE_STEP`] elements of a slice, putting the rest back on the
    /// work list.
    ///
    /// # Safety
    /// - `obj` must be a marked object, live with an intact value, of which no other thread
    ///   reaches elements `from..` (or any of it, when it is not a slice).
    #[inline]
    unsafe fn scan_from(&mut self, obj: NonNull<u8>, from: usize) {
        // Other threads may be testing the object's mark: its header is read atomically.
        // SAFETY: the caller promises a live object.
        let info = unsafe { header::read_shared(obj) }.type_info();
        if let (Some(trace_elements), Shape::Slice { .. }) = (info.trace_elements, info.shape) {
            // SAFETY: a slice object, whose length follows the header.
            let len = unsafe { slice_len(obj) };
            if len - from > SLICE_STEP || from > 0 {
                let end = len.min(from + SLICE_STEP);
                if end < len {
                    self.parts.push((obj, end));
                }
                // SAFETY: a live slice of the function's element type; `from..end` lies
                // within it, and the caller promises that only this thread reaches it.
                unsafe { trace_elements(obj, from, end, &mut Tracer { visitor: self }) };
                return;
            }
        }
        // SAFETY: the caller's promise.
        unsafe { scan(obj, info, self) }
    }

    /// Gives half the work list, at most [`SHARE_BATCH`] objects, to the deque if the deque
    /// has run dry, so that idle threads can steal it; the rest of a big slice first.
    fn share(&mut self) {
        let Some(team) = self.team.as_mut() else {
            return;
        };
        if !team.should_share() {
            return;
        }
        if let Some((obj, from)) = self.parts.pop() {
            team.share(Grey(obj, from));
        }
        // From the top: taking from the bottom of a long list would move all of it down.
        let n = (self.stack.len() / 2).min(SHARE_BATCH);
        for obj in self.stack.drain(self.stack.len() - n..) {
            team.share(Grey(obj, 0));
        }
    }

    /// Tests every queued target.
    fn flush(&mut self) {
        for i in 0..QUEUE {
            if let Some(obj) = self.queue[i].take() {
                self.mark(obj);
            }
        }
    }

    /// Scans marked objects until nothing is left to mark (by any thread of the team).
    fn drain(&mut self) {
        loop {
            while let Some((obj, from)) = self
                .stack
                .pop()
                .map(|obj| (obj, 0))
                .or_else(|| self.parts.pop())
            {
                self.scanning = Some(obj);
                // SAFETY: marked objects are live, with intact values and MARKED headers;
                // this thread marked `obj` (or took this part of it from the thread that
                // did), so it is the one thread that reaches this part of its value.
                unsafe { self.scan_from(obj, from) };
                self.share();
            }
            self.scanning = None;
            self.flush();
            if !self.stack.is_empty() {
                continue;
            }
            let Some(team) = self.team.as_ref() else {
                return;
            };
            match team.find_work() {
                Some(Grey(obj, 0)) => self.stack.push(obj),
                Some(Grey(obj, from)) => self.parts.push((obj, from)),
                None if team.wait_for_work() => {}
                None => return,
            }
        }
    }
}

impl EdgeVisitor for Marker<'_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        let obj = *slot;
        prefetch(obj);
        let earlier = self.queue[self.next].replace(obj);
        self.next = (self.next + 1) % QUEUE;
        if let Some(earlier) = earlier {
            self.mark(earlier);
        }
    }

    fn weak_edge(&mut self, _: &mut Option<NonNull<u8>>) {}

    fn ephemeron_pass(&mut self) -> EphemeronPass {
        self.ephemerons.pass(self.scanning)
    }

    fn key_is_live(&self, key: NonNull<u8>) -> bool {
        // SAFETY: after the nursery is evacuated every key is an old or large object with an
        // intact header.
        unsafe { header::read(key) }.has(MARKED)
    }
}

impl Marker<'_> {
    /// Traces the values of the weak maps' entries whose keys are marked, and what they
    /// reach, in rounds until a round marks nothing: a key may become live through the
    /// value of another entry.
    fn resolve_ephemerons(&mut self, extra: &mut RunStateRoots<'_>) {
        if self.ephemerons.is_empty() {
            return;
        }
        loop {
            let marked = self.marked;
            // Owners noted during the drain below are traced in the next round.
            let owners = self.ephemerons.owners_once();
            self.ephemerons.resolving = true;
            for owner in owners {
                self.scanning = Some(owner);
                // SAFETY: owners are marked objects, live, with intact values.
                unsafe { scan(owner, header::read(owner).type_info(), self) };
            }
            self.scanning = None;
            if self.ephemerons.in_run_state {
                extra.trace(self);
            }
            self.ephemerons.resolving = false;
            self.drain();
            if self.marked == marked {
                return;
            }
        }
    }
}

/// What a marking worker hands back: how many objects it marked and the weak maps it found.
struct Found {
    marked: usize,
    owners: Vec<NonNull<u8>>,
}

// SAFETY: the objects are marked ones, which the heap's thread goes on to resolve once the
// workers have finished (the join orders their accesses before its own).
unsafe impl Send for Found {}

/// Marks every object reachable from the roots and the state of a step loop, on `threads`
/// threads (the heap's own and `threads - 1` workers). Returns whether it found a weak map
/// (whose entries the update phase may remove).
pub(crate) fn mark(roots: &RootTable, extra: &mut RunStateRoots<'_>, threads: usize) -> bool {
    let mut marker = Marker::new(None);
    roots.for_each_slot(|slot| marker.edge(slot));
    extra.trace(&mut marker);
    if threads > 1 {
        marker.flush();
        drain_together(&mut marker, threads);
    } else {
        marker.drain();
    }
    let weak_maps = !marker.ephemerons.is_empty();
    marker.resolve_ephemerons(extra);
    weak_maps
}

/// Drains `marker`'s work with up to `threads - 1` workers (fewer if the system refuses to
/// start some), then gives it what they found.
fn drain_together(marker: &mut Marker<'_>, threads: usize) {
    let own = |team: Team<'_, Grey>| {
        // Some of the objects the roots reach, where the workers can steal them at once.
        let n = marker.stack.len().min(SHARE_BATCH);
        for obj in marker.stack.drain(marker.stack.len() - n..) {
            team.share(Grey(obj, 0));
        }
        let mut mine = Marker::new(Some(team));
        mine.ephemerons = core::mem::take(&mut marker.ephemerons);
        mine.stack = core::mem::take(&mut marker.stack);
        mine.drain();
        (mine.marked, mine.ephemerons)
    };
    let worker = |team: Team<'_, Grey>| {
        let mut worker = Marker::new(Some(team));
        worker.drain();
        Found {
            marked: worker.marked,
            owners: worker.ephemerons.owners,
        }
    };
    let ((marked, ephemerons), found) = together(threads, own, worker);
    marker.marked += marked;
    marker.ephemerons = ephemerons;
    for found in found {
        marker.marked += found.marked;
        marker.ephemerons.owners.extend(found.owners);
    }
}
