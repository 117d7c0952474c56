//! Running a phase of a collection on several threads: the heap's own thread and scoped
//! workers, started for the phase and joined before it ends, so that the heap is never
//! touched by a thread outside a collection.
//!
//! A phase splits into numbered items (a chunk of the old generation, say) that the threads
//! take in turn from a shared counter. What the items reach must be theirs alone: the phases
//! that use this module say why in their own SAFETY comments, and reach pointers into the
//! heap through [`Handed`].
//!
//! A panic on any thread is kept until every thread has stopped, then resumed on the heap's
//! thread (later panics' payloads dropped safely), and a worker the system refuses to start
//! leaves its share to the others.

use core::sync::atomic::{AtomicUsize, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::collect::finalize::FirstPanic;

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
