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

use core::ptr::NonNull;

use crate::collect::tracer::{scan, Ephemerons, RunStateRoots};
use crate::header::{self, MARKED};
use crate::root_table::RootTable;
use crate::trace::{EdgeVisitor, EphemeronPass};

/// Targets met but not yet tested.
const QUEUE: usize = 16;

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
struct Marker {
    /// Marked objects whose fields are still to be scanned.
    stack: Vec<NonNull<u8>>,
    /// Targets met, their headers being fetched: a ring of `QUEUE` places.
    queue: [Option<NonNull<u8>>; QUEUE],
    next: usize,
    /// Objects marked so far.
    marked: usize,
    /// The object being scanned, if any.
    scanning: Option<NonNull<u8>>,
    /// The weak maps found, whose values wait for their keys.
    ephemerons: Ephemerons,
}

impl Marker {
    /// Marks `obj` if it is not marked yet, and puts it on the work list.
    #[inline]
    fn mark(&mut self, obj: NonNull<u8>) {
        // SAFETY: after the nursery is evacuated every pointer is to an old or large object
        // with an intact header.
        let h = unsafe { header::read(obj) };
        if !h.has(MARKED) {
            // SAFETY: as above; only the state bits change.
            unsafe { header::write(obj, h.with(MARKED)) };
            self.marked += 1;
            self.stack.push(obj);
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

    /// Scans marked objects until nothing is left to mark.
    fn drain(&mut self) {
        loop {
            while let Some(obj) = self.stack.pop() {
                self.scanning = Some(obj);
                // SAFETY: marked objects are live, with intact values and MARKED headers.
                unsafe { scan(obj, header::read(obj).type_info(), self) };
            }
            self.scanning = None;
            self.flush();
            if self.stack.is_empty() {
                return;
            }
        }
    }
}

impl EdgeVisitor for Marker {
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

impl Marker {
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
            let owners = self.ephemerons.owners.clone();
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

/// Marks every object reachable from the roots and the state of a step loop.
pub(crate) fn mark(roots: &RootTable, extra: &mut RunStateRoots<'_>) {
    let mut marker = Marker {
        stack: Vec::new(),
        queue: [None; QUEUE],
        next: 0,
        marked: 0,
        scanning: None,
        ephemerons: Ephemerons::default(),
    };
    roots.for_each_slot(|slot| marker.edge(slot));
    extra.trace(&mut marker);
    marker.drain();
    marker.resolve_ephemerons(extra);
}
