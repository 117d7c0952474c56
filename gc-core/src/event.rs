//! Collection events: what a program learns of each collection as it happens.
//!
//! A hook set with [`HeapConfig::on_collection`](crate::HeapConfig::on_collection) receives a
//! [`CollectionEvent`] after every collection: its kind, why it ran, its pause, and the sizes
//! of the spaces before and after. `GC_TRACE=1` ([`HeapConfig::trace`](crate::HeapConfig))
//! is one user of the same events: it prints each one's [`Display`](core::fmt::Display)
//! form on standard error.
//!
//! # When a hook runs
//! After the collection has finished: objects are in their new places, drop glue has run,
//! and the heap is consistent, so a panic out of a hook leaves the heap usable (the panic
//! propagates to whoever reached the collection point). A hook cannot reach the heap (it is
//! borrowed by the collection); it records, counts or exports. When no hook is set and
//! tracing is off, a collection builds no event.

use core::fmt;
use core::time::Duration;
use std::rc::Rc;

use crate::stats::{Bytes, CollectionKind};

/// Why a collection ran: what the pacer saw, or who asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CollectionReason {
    /// Eden (within what the allocation window may cover) was nearly full.
    EdenFull,
    /// What is left of eden could not hold a scope like the biggest recent one.
    NextScopeWouldNotFit,
    /// A scope allocated past the end of eden, into overflow blocks.
    EdenOverflowed,
    /// Old and large objects held more than the old generation's budget
    /// ([`HeapStats::old_budget`](crate::HeapStats::old_budget)).
    OldOverBudget,
    /// The heap was near its hard limit ([`HeapConfig::heap_limit`](crate::HeapConfig)), with
    /// objects promoted since the last major collection.
    NearHeapLimit,
    /// The stress mode ([`HeapConfig::stress`](crate::HeapConfig)) collects at every point.
    Stress,
    /// The program asked: [`Heap::collect_minor`](crate::Heap::collect_minor) or
    /// [`Heap::collect_major`](crate::Heap::collect_major).
    Requested,
}

impl fmt::Display for CollectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CollectionReason::EdenFull => "eden full",
            CollectionReason::NextScopeWouldNotFit => "next scope would not fit",
            CollectionReason::EdenOverflowed => "eden overflowed",
            CollectionReason::OldOverBudget => "old over budget",
            CollectionReason::NearHeapLimit => "near heap limit",
            CollectionReason::Stress => "stress",
            CollectionReason::Requested => "requested",
        })
    }
}

/// What the spaces hold at one moment, in bytes of whole objects (headers included), live or
/// not yet found dead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapSizes {
    /// The nursery: eden, its overflow blocks and the survivor space.
    pub young: usize,
    /// The old generation.
    pub old: usize,
    /// The large-object space.
    pub large: usize,
    /// Bytes the whole heap reserves from the system.
    pub reserved: usize,
}

impl HeapSizes {
    /// Bytes of objects in every space: young, old and large.
    pub fn used(&self) -> usize {
        self.young + self.old + self.large
    }
}

/// One collection, as a hook sees it once the collection has finished.
///
/// Its `Display` form is the `GC_TRACE` line:
/// `gc 3 minor (eden full): 4.0 MiB -> 1.2 KiB used (young ..., old ..., large ...), 5.2 MiB
/// reserved, 0.041 ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CollectionEvent {
    /// Which collection this is: 1 for the first of the heap's collections of either kind.
    pub number: u64,
    /// Which collector ran.
    pub kind: CollectionKind,
    /// Why it ran.
    pub reason: CollectionReason,
    /// How long the collection took, drop glue of dead objects included.
    pub pause: Duration,
    /// The spaces when it began.
    pub before: HeapSizes,
    /// The spaces when it ended. After a major collection, `after.used()` is what it found
    /// live ([`HeapStats::live_after_last_major`](crate::HeapStats::live_after_last_major));
    /// after a minor one, old and large objects include garbage it did not examine.
    pub after: HeapSizes,
}

impl fmt::Display for CollectionEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (b, a) = (&self.before, &self.after);
        let bytes = |n: usize| Bytes(n as u64);
        write!(
            f,
            "gc {} {} ({}): {} -> {} used (young {} -> {}, old {} -> {}, large {} -> {}), \
             {} reserved, {:.3} ms",
            self.number,
            self.kind,
            self.reason,
            bytes(b.used()),
            bytes(a.used()),
            bytes(b.young),
            bytes(a.young),
            bytes(b.old),
            bytes(a.old),
            bytes(b.large),
            bytes(a.large),
            bytes(a.reserved),
            self.pause.as_secs_f64() * 1000.0,
        )
    }
}

/// A callback that receives every [`CollectionEvent`] of a heap: the value of
/// [`HeapConfig::on_collection`](crate::HeapConfig::on_collection).
///
/// Cloning it shares the callback. Two hooks are equal when they share one callback, so a
/// [`HeapConfig`](crate::HeapConfig) with a hook still compares (equal to its clones).
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use tenured_gc::event::CollectionHook;
///
/// let seen = Rc::new(Cell::new(0));
/// let counter = seen.clone();
/// let hook = CollectionHook::new(move |_event| counter.set(counter.get() + 1));
/// assert_eq!(hook, hook.clone());
/// assert_ne!(hook, CollectionHook::new(|_| {}));
/// # assert_eq!(seen.get(), 0);
/// ```
#[derive(Clone)]
pub struct CollectionHook(Rc<dyn Fn(&CollectionEvent)>);

impl CollectionHook {
    /// A hook that calls `f` with each event.
    pub fn new(f: impl Fn(&CollectionEvent) + 'static) -> Self {
        CollectionHook(Rc::new(f))
    }

    /// The hook `GC_TRACE` installs: prints each event on standard error.
    pub(crate) fn trace() -> Self {
        CollectionHook::new(|event| eprintln!("{event}"))
    }

    pub(crate) fn call(&self, event: &CollectionEvent) {
        (self.0)(event)
    }
}

impl fmt::Debug for CollectionHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CollectionHook({:p})", Rc::as_ptr(&self.0).cast::<()>())
    }
}

impl PartialEq for CollectionHook {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CollectionHook {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_line_shows_kind_reason_sizes_and_pause() {
        let event = CollectionEvent {
            number: 3,
            kind: CollectionKind::Minor,
            reason: CollectionReason::EdenFull,
            pause: Duration::from_micros(41),
            before: HeapSizes {
                young: 4 << 20,
                old: 2048,
                large: 0,
                reserved: 5 << 20,
            },
            after: HeapSizes {
                young: 100,
                old: 3000,
                large: 0,
                reserved: 5 << 20,
            },
        };
        assert_eq!(
            event.to_string(),
            "gc 3 minor (eden full): 4.0 MiB -> 3.0 KiB used (young 4.0 MiB -> 100 B, \
             old 2.0 KiB -> 2.9 KiB, large 0 B -> 0 B), 5.0 MiB reserved, 0.041 ms"
        );
    }

    #[test]
    fn hooks_are_equal_when_they_share_a_callback() {
        let hook = CollectionHook::new(|_| {});
        assert_eq!(hook, hook.clone());
        assert_ne!(hook, CollectionHook::new(|_| {}));
        assert!(format!("{hook:?}").starts_with("CollectionHook(0x"));
    }
}
