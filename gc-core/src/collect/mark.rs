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
//! it and `threads - 1` scoped workers drain the work together. Each keeps its work list
//! private and, every [`SHARE_EVERY`] objects, moves half of it (at most [`SHARE_BATCH`]) to
//! its own `crossbeam-deque` deque if that deque has run dry; a thread whose list and deque are empty
//! steals a batch from another's deque. Headers are then read and marked atomically
//! ([`header::mark_shared`]): of the threads that meet an object at once, exactly one marks
//! and scans it, so each object's value is still reached by one thread only. Marking ends
//! when every thread is idle at once, which can only happen when no work list or deque holds
//! anything (an idle thread makes no work). The weak maps found by every thread are then
//! resolved on the heap's thread, as with one thread.
//!
//! Under Miri the deques are [`locked`] ones with the same interface: `crossbeam-deque`'s
//! steal reads a slot that its owner may be writing, a race it makes on purpose (and
//! documents), which Miri's race detector would report in place of any race of the marker's
//! own, and `crossbeam-epoch` casts integers to pointers, which strict provenance refuses.
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[cfg(not(miri))]
use crossbeam_deque::{Steal, Stealer, Worker};
#[cfg(miri)]
use locked::{Steal, Stealer, Worker};

use crate::collect::finalize::{FirstPanic, Payload};
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
/// How many objects a marking thread scans between looks at whether its deque needs work.
const SHARE_EVERY: u32 = 64;
/// The most objects a marking thread moves to its deque at a time: the deque is for other
/// threads to steal from, and costs more per object than the private work list.
const SHARE_BATCH: usize = 256;

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
    team: Option<Team<'a>>,
}

/// An object handed between marking threads, with the first element to scan if it is a slice.
struct Grey(NonNull<u8>, usize);

// SAFETY: a `Grey` is an object that its marking thread marked and has not scanned. Whichever
// thread takes it scans it, once; while threads mark, the heap's own thread takes part and
// runs nothing else, so no mutator touches the heap, and the threads change only header mark
// bits, atomically.
unsafe impl Send for Grey {}

/// What the marking threads share.
struct Shared {
    /// One per thread, in thread order: where the others steal that thread's work from.
    stealers: Vec<Stealer<Grey>>,
    /// How many threads take part: one per stealer, less those that could not be started.
    threads: AtomicUsize,
    /// How many threads have found no work and are waiting for some.
    idle: AtomicUsize,
    /// A thread panicked (in a `trace` function): the others stop when they run out of work.
    abort: AtomicBool,
}

/// A marking thread's part in a team.
struct Team<'a> {
    index: usize,
    deque: Worker<Grey>,
    shared: &'a Shared,
    /// Objects scanned since the last look at the deque.
    since_share: u32,
}

impl Team<'_> {
    /// Work from this thread's deque, or stolen from another's.
    fn find_work(&self) -> Option<(NonNull<u8>, usize)> {
        if let Some(Grey(obj, from)) = self.deque.pop() {
            return Some((obj, from));
        }
        let stealers = &self.shared.stealers;
        let n = stealers.len();
        for k in 1..n {
            let victim = &stealers[(self.index + k) % n];
            loop {
                match victim.steal_batch_and_pop(&self.deque) {
                    Steal::Success(Grey(obj, from)) => return Some((obj, from)),
                    Steal::Empty => break,
                    Steal::Retry => continue,
                }
            }
        }
        None
    }

    /// Waits, idle, until some thread has work to steal (true) or every thread is idle, so
    /// that marking is over (false).
    fn wait_for_work(&self) -> bool {
        let shared = self.shared;
        shared.idle.fetch_add(1, Ordering::SeqCst);
        let mut spins = 0u32;
        loop {
            if shared.idle.load(Ordering::SeqCst) == shared.threads.load(Ordering::SeqCst)
                || shared.abort.load(Ordering::SeqCst)
            {
                return false;
            }
            if shared.stealers.iter().any(|s| !s.is_empty()) {
                shared.idle.fetch_sub(1, Ordering::SeqCst);
                return true;
            }
            spins += 1;
            if spins < 64 {
                core::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

impl<'a> Marker<'a> {
    fn new(team: Option<Team<'a>>) -> Self {
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
        team.since_share += 1;
        if team.since_share < SHARE_EVERY {
            return;
        }
        team.since_share = 0;
        if !team.deque.is_empty() {
            return;
        }
        if let Some((obj, from)) = self.parts.pop() {
            team.deque.push(Grey(obj, from));
        }
        // From the top: taking from the bottom of a long list would move all of it down.
        let n = (self.stack.len() / 2).min(SHARE_BATCH);
        for obj in self.stack.drain(self.stack.len() - n..) {
            team.deque.push(Grey(obj, 0));
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
                Some((obj, 0)) => self.stack.push(obj),
                Some(part) => self.parts.push(part),
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
    let deques: Vec<Worker<Grey>> = (0..threads).map(|_| Worker::new_lifo()).collect();
    let shared = Shared {
        stealers: deques.iter().map(Worker::stealer).collect(),
        threads: AtomicUsize::new(threads),
        idle: AtomicUsize::new(0),
        abort: AtomicBool::new(false),
    };
    let mut deques = deques.into_iter();
    let own = deques.next().expect("a deque per thread");
    // Some of the objects the roots reach, where the workers can steal them at once.
    let n = marker.stack.len().min(SHARE_BATCH);
    for obj in marker.stack.drain(marker.stack.len() - n..) {
        own.push(Grey(obj, 0));
    }
    let shared = &shared;
    let mut panics = FirstPanic::default();
    std::thread::scope(|scope| {
        let workers: Vec<_> = deques
            .enumerate()
            .filter_map(|(i, deque)| {
                let work = move || {
                    let mut worker = Marker::new(Some(Team {
                        index: i + 1,
                        deque,
                        shared,
                        since_share: 0,
                    }));
                    guarded(shared, || worker.drain())?;
                    Ok::<_, Payload>(Found {
                        marked: worker.marked,
                        owners: core::mem::take(&mut worker.ephemerons.owners),
                    })
                };
                let started = std::thread::Builder::new()
                    .name("tenured-gc marker".into())
                    .spawn_scoped(scope, work);
                // A worker that could not start never takes part: its deque stays empty,
                // and marking ends when the others are idle.
                started
                    .inspect_err(|_| {
                        shared.threads.fetch_sub(1, Ordering::SeqCst);
                    })
                    .ok()
            })
            .collect();
        let mut mine = Marker::new(Some(Team {
            index: 0,
            deque: own,
            shared,
            since_share: 0,
        }));
        mine.ephemerons = core::mem::take(&mut marker.ephemerons);
        mine.stack = core::mem::take(&mut marker.stack);
        if let Err(payload) = guarded(shared, || mine.drain()) {
            panics.keep(payload);
        }
        marker.marked += mine.marked;
        marker.ephemerons = core::mem::take(&mut mine.ephemerons);
        for worker in workers {
            match worker.join().unwrap_or_else(Err) {
                Ok(found) => {
                    marker.marked += found.marked;
                    marker.ephemerons.owners.extend(found.owners);
                }
                Err(payload) => panics.keep(payload),
            }
        }
    });
    panics.resume();
}

/// Runs `drain`, telling the other threads to stop if it panics (so that none waits for
/// this one forever).
fn guarded(shared: &Shared, drain: impl FnOnce()) -> Result<(), Payload> {
    catch_unwind(AssertUnwindSafe(drain))
        .inspect_err(|_| shared.abort.store(true, Ordering::SeqCst))
}

/// Deques behind a lock, with the part of `crossbeam-deque`'s interface the marker uses: what
/// it marks with under Miri (see the module documentation). Slower, and free of races.
#[cfg(miri)]
mod locked {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex, MutexGuard};

    type Deque<T> = Arc<Mutex<VecDeque<T>>>;

    fn lock<T>(deque: &Deque<T>) -> MutexGuard<'_, VecDeque<T>> {
        deque
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The owner's end of a deque: it pushes and pops at the back.
    pub(super) struct Worker<T>(Deque<T>);

    /// Another thread's end: it steals from the front.
    pub(super) struct Stealer<T>(Deque<T>);

    pub(super) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code)]
        Retry,
    }

    impl<T> Worker<T> {
        pub(super) fn new_lifo() -> Self {
            Worker(Arc::default())
        }

        pub(super) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.clone())
        }

        pub(super) fn push(&self, task: T) {
            lock(&self.0).push_back(task)
        }

        pub(super) fn pop(&self) -> Option<T> {
            lock(&self.0).pop_back()
        }

        pub(super) fn is_empty(&self) -> bool {
            lock(&self.0).is_empty()
        }
    }

    impl<T> Stealer<T> {
        pub(super) fn is_empty(&self) -> bool {
            lock(&self.0).is_empty()
        }

        /// Takes half the tasks (at least one) from the front: the last one taken is returned,
        /// the others go to `dest`.
        pub(super) fn steal_batch_and_pop(&self, dest: &Worker<T>) -> Steal<T> {
            let mut taken: Vec<T> = {
                let mut deque = lock(&self.0);
                let n = deque.len().div_ceil(2);
                deque.drain(..n).collect()
            };
            let Some(last) = taken.pop() else {
                return Steal::Empty;
            };
            lock(&dest.0).extend(taken);
            Steal::Success(last)
        }
    }
}
