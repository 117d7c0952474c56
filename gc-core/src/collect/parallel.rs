//! Running a phase of a collection on several threads: the heap's own thread and scoped
//! workers, started for the phase and joined before it ends, so that the heap is never
//! touched by a thread outside a collection.
//!
//! A phase splits into numbered items (a chunk of the old generation, say) that the threads
//! take in turn from a shared counter. What the items reach must be theirs alone: the phases
//! that use this module say why in their own SAFETY comments, and reach pointers into the
//! heap through [`Handed`].
//!
//! A phase whose work grows as it goes (marking, copying) runs as a [`Team`] instead: each
//! thread keeps its work private and, from time to time, moves some to its own
//! `crossbeam-deque` deque if that deque has run dry; a thread out of work steals a batch
//! from another's deque. The phase ends when every thread is idle at once, which can only
//! happen when no work list or deque holds anything (an idle thread makes no work).
//!
//! A panic on any thread is kept until every thread has stopped, then resumed on the heap's
//! thread (later panics' payloads dropped safely), and a worker the system refuses to start
//! leaves its share to the others.
//!
//! Under Miri the deques are [`locked`] ones with the same interface: `crossbeam-deque`'s
//! steal reads a slot that its owner may be writing, a race it makes on purpose (and
//! documents), which Miri's race detector would report in place of any race of the
//! collector's own, and `crossbeam-epoch` casts integers to pointers, which strict provenance
//! refuses.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[cfg(not(miri))]
use crossbeam_deque::{Steal, Stealer, Worker};
#[cfg(miri)]
use locked::{Steal, Stealer, Worker};

use crate::collect::finalize::{FirstPanic, Payload};

/// How many tasks a thread of a team does between looks at whether its deque needs work.
const SHARE_EVERY: u32 = 64;
/// The most tasks a thread of a team moves to its deque at a time: the deque is for other
/// threads to steal from, and costs more per task than the private work list.
pub(crate) const SHARE_BATCH: usize = 256;

/// Pointers into the heap, or values holding them, handed to the threads of one phase.
pub(crate) struct Handed<T>(T);

impl<T> Handed<T> {
    /// Hands `value` to the threads of a phase.
    ///
    /// # Safety
    /// - The phase's threads must be joined before it ends, the heap's own thread must take
    ///   part and run nothing else meanwhile (so that no mutator touches the heap), and each
    ///   thread must reach through `value` only what its own items own, or read what no
    ///   thread writes during the phase.
    pub(crate) unsafe fn new(value: T) -> Self {
        Handed(value)
    }

    /// The value handed. (A closure that calls this captures the whole `Handed`, where one
    /// that named the field would capture only the field.)
    pub(crate) fn get(&self) -> &T {
        &self.0
    }
}

// SAFETY: a `Handed` value is made only under the promise of `Handed::new`: it crosses
// threads only within a phase whose threads are joined before it ends, and the phase's items
// divide what it reaches between them.
unsafe impl<T> Send for Handed<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Handed<T> {}

/// Runs `work(&mut state, i)` for every `i` in `0..count` on up to `threads` threads, this one
/// and workers (fewer if the system refuses to start some), each thread taking the next item
/// in turn, with a state of its own made by `init`. Returns the states, this thread's first.
/// A panic out of `work` is resumed on this thread once every thread has stopped (the first
/// one; the others' payloads are dropped safely).
pub(crate) fn split<S: Send>(
    threads: usize,
    count: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) + Sync,
) -> Vec<S> {
    let next = AtomicUsize::new(0);
    let run = || {
        let mut state = init();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return state;
            }
            work(&mut state, i);
        }
    };
    if threads <= 1 || count <= 1 {
        return vec![run()];
    }
    let mut panics = FirstPanic::default();
    let mut states = Vec::with_capacity(threads);
    std::thread::scope(|scope| {
        // A worker that cannot be started leaves its items to the others.
        let workers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("tenured-gc collector".into())
                    .spawn_scoped(scope, run)
                    .ok()
            })
            .collect();
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(state) => states.push(state),
            Err(payload) => panics.keep(payload),
        }
        for worker in workers {
            match worker.join() {
                Ok(state) => states.push(state),
                Err(payload) => panics.keep(payload),
            }
        }
    });
    panics.resume();
    states
}

/// What the threads of a team share.
struct Crew<T> {
    /// One per thread, in thread order: where the others steal that thread's work from.
    stealers: Vec<Stealer<T>>,
    /// How many threads take part: one per stealer, less those that could not be started.
    threads: AtomicUsize,
    /// How many threads have found no work and are waiting for some.
    idle: AtomicUsize,
    /// A thread panicked (in a `trace` function): the others stop when they run out of work.
    abort: AtomicBool,
}

/// A thread's place in a team: its deque, and its view of the others'.
pub(crate) struct Team<'a, T> {
    index: usize,
    deque: Worker<T>,
    crew: &'a Crew<T>,
    /// Tasks done since the last look at the deque.
    since_share: u32,
}

impl<T> Team<'_, T> {
    /// Counts a task done; every [`SHARE_EVERY`] tasks, says whether the deque has run dry
    /// and the thread should [`Self::share`] some of its work.
    #[inline]
    pub(crate) fn should_share(&mut self) -> bool {
        self.since_share += 1;
        if self.since_share < SHARE_EVERY {
            return false;
        }
        self.since_share = 0;
        self.deque.is_empty()
    }

    /// Whether a thread of the team panicked, so that the others may stop early (the phase's
    /// work is lost: the panic poisons the heap).
    pub(crate) fn aborted(&self) -> bool {
        self.crew.abort.load(Ordering::Relaxed)
    }

    /// Puts `task` where the other threads can steal it.
    pub(crate) fn share(&self, task: T) {
        self.deque.push(task)
    }

    /// Work from this thread's deque, or stolen from another's.
    pub(crate) fn find_work(&self) -> Option<T> {
        if let Some(task) = self.deque.pop() {
            return Some(task);
        }
        let stealers = &self.crew.stealers;
        let n = stealers.len();
        for k in 1..n {
            let victim = &stealers[(self.index + k) % n];
            loop {
                match victim.steal_batch_and_pop(&self.deque) {
                    Steal::Success(task) => return Some(task),
                    Steal::Empty => break,
                    #[cfg(not(miri))]
                    Steal::Retry => continue,
                }
            }
        }
        None
    }

    /// Waits, idle, until some thread has work to steal (true) or every thread is idle, so
    /// that the phase is over (false).
    pub(crate) fn wait_for_work(&self) -> bool {
        let crew = self.crew;
        crew.idle.fetch_add(1, Ordering::SeqCst);
        let mut spins = 0u32;
        loop {
            if crew.idle.load(Ordering::SeqCst) == crew.threads.load(Ordering::SeqCst)
                || crew.abort.load(Ordering::SeqCst)
            {
                return false;
            }
            if crew.stealers.iter().any(|s| !s.is_empty()) {
                crew.idle.fetch_sub(1, Ordering::SeqCst);
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

/// Runs a team of up to `threads` threads: `own` on this thread and `worker` on each of
/// `threads - 1` scoped workers (fewer if the system refuses to start some), each given its
/// place in the team. Returns what `own` and the workers returned, once all have stopped; a
/// panic on any of them is resumed here then (the first one; the others' payloads are
/// dropped safely), and tells the others to stop as soon as they run out of work.
pub(crate) fn together<T: Send, O, R: Send>(
    threads: usize,
    own: impl FnOnce(Team<'_, T>) -> O,
    worker: impl Fn(Team<'_, T>) -> R + Sync,
) -> (O, Vec<R>) {
    let deques: Vec<Worker<T>> = (0..threads.max(1)).map(|_| Worker::new_lifo()).collect();
    let crew = Crew {
        stealers: deques.iter().map(Worker::stealer).collect(),
        threads: AtomicUsize::new(threads.max(1)),
        idle: AtomicUsize::new(0),
        abort: AtomicBool::new(false),
    };
    let crew = &crew;
    let worker = &worker;
    let mut deques = deques.into_iter();
    let own_deque = deques.next().expect("a deque per thread");
    let mut panics = FirstPanic::default();
    let mut results = Vec::with_capacity(threads);
    let mine = std::thread::scope(|scope| {
        let workers: Vec<_> = deques
            .enumerate()
            .filter_map(|(i, deque)| {
                let team = Team {
                    index: i + 1,
                    deque,
                    crew,
                    since_share: 0,
                };
                let started = std::thread::Builder::new()
                    .name("tenured-gc collector".into())
                    .spawn_scoped(scope, move || guarded(crew, || worker(team)));
                // A worker that could not start never takes part: its deque stays empty,
                // and the phase ends when the others are idle.
                started
                    .inspect_err(|_| {
                        crew.threads.fetch_sub(1, Ordering::SeqCst);
                    })
                    .ok()
            })
            .collect();
        let team = Team {
            index: 0,
            deque: own_deque,
            crew,
            since_share: 0,
        };
        let mine = guarded(crew, || own(team)).map_err(|payload| panics.keep(payload));
        for worker in workers {
            match worker.join().unwrap_or_else(Err) {
                Ok(result) => results.push(result),
                Err(payload) => panics.keep(payload),
            }
        }
        mine
    });
    panics.resume();
    let Ok(mine) = mine else {
        unreachable!("a panic on this thread was resumed")
    };
    (mine, results)
}

/// Runs `work`, telling the other threads of the team to stop if it panics (so that none
/// waits for this one forever).
fn guarded<T, R>(crew: &Crew<T>, work: impl FnOnce() -> R) -> Result<R, Payload> {
    catch_unwind(AssertUnwindSafe(work)).inspect_err(|_| crew.abort.store(true, Ordering::SeqCst))
}

/// Deques behind a lock, with the part of `crossbeam-deque`'s interface a team uses: what
/// teams work with under Miri (see the module documentation). Slower, and free of races.
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

    /// What a steal found. (`crossbeam-deque`'s has a third case, to try again, which a
    /// lock never needs.)
    pub(super) enum Steal<T> {
        Empty,
        Success(T),
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn every_item_runs_once_on_some_thread() {
        for threads in [1, 2, 3] {
            let states = split(threads, 1000, Vec::new, |seen: &mut Vec<usize>, i| {
                seen.push(i)
            });
            assert_eq!(states.len(), threads);
            let mut all: Vec<usize> = states.concat();
            all.sort_unstable();
            assert_eq!(all, (0..1000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_panic_in_a_worker_reaches_the_caller_after_all_stop() {
        let result =
            std::panic::catch_unwind(|| split(2, 100, || (), |_, i| assert!(i != 57, "item 57")));
        let payload = result.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"item 57"));
    }
}
