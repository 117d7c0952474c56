//! Scope reclaim: a mutation scope whose objects cannot outlive it gives its eden back.
//!
//! # What it does
//! When a [`Heap::mutate`](crate::Heap::mutate) scope begins, the allocation cursor is noted
//! (the *mark*). If, when it ends, nothing the scope allocated can be reached from outside it,
//! the cursor moves back to the mark: the scope's garbage is freed without a collection, and the
//! next scope allocates in the same, still cached, memory (what an arena reset does, but
//! checked).
//!
//! # Why it is sound
//! No `Gc` leaves a scope: its brand is fresh and invariant. No collection runs inside one, so
//! the scope's objects are exactly the bytes from the mark to the cursor, as long as the
//! allocation window stayed in eden. What remains is every other way a pointer to one of them
//! could be kept past the scope's end. Each passes through [`ScopeState::escape`], which drops
//! the mark, so the scope keeps its objects:
//! - [`Escape::Store`]: a barriered store into a cell that is not in an object this scope
//!   allocated (an older object, a cell outside every space) may now point at a new object.
//!   The write barrier's filter ([`ScopeState::skips_barrier`]) covers only the scope's own
//!   memory while the mark stands, so such a store takes the barrier's slow path, which
//!   escapes.
//! - [`Escape::Root`]: a root made or moved keeps its object.
//! - [`Escape::NeedsDrop`]: an object whose type needs drop is listed for finalization, and
//!   its drop glue must run.
//! - [`Escape::Large`]: a large object outlives the scope's bytes and may point into them.
//! - [`Escape::Overflow`]: once eden is full the window leaves it, so the bytes past the mark
//!   are no longer the scope's objects alone.
//! - [`Escape::RunState`]: the state of [`Heap::run`](crate::Heap::run) outlives each step.
//!
//! Old and large objects can point into the nursery only through a store or a large object's
//! allocation, both above. A new way to keep a pointer must call `escape` too.

use core::cell::Cell;
use core::ptr::NonNull;

use crate::alloc::bump::Window;
use crate::space::nursery::Nursery;

/// Why a scope's objects may outlive it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Escape {
    /// A barriered store outside the scope's own objects.
    Store,
    /// A root made or moved.
    Root,
    /// An object that needs drop.
    NeedsDrop,
    /// A large object.
    Large,
    /// Eden overflowed.
    Overflow,
    /// The scope is a step of `Heap::run`.
    RunState,
}

/// The current mutation scope, as far as the collector cares.
pub(crate) struct ScopeState {
    /// Where the scope's allocations began in eden, while nothing it allocated can be reached
    /// from outside it; `None` once something may be.
    mark: Cell<Option<NonNull<u8>>>,
    /// The write barrier's filter, as a start and a length: a store to a cell in it needs no
    /// record. The nursery outside reclaimable scopes; within one, only what it allocates in.
    filter_start: Cell<usize>,
    filter_len: Cell<usize>,
    /// The nursery's address range, the filter when no mark stands.
    nursery: (usize, usize),
    /// Young bytes allocated since the last minor collection when the scope began.
    young_at_start: Cell<usize>,
}

impl ScopeState {
    pub(crate) fn new(nursery: &Nursery) -> Self {
        let range = nursery.range();
        ScopeState {
            mark: Cell::new(None),
            filter_start: Cell::new(range.0),
            filter_len: Cell::new(range.1),
            nursery: range,
            young_at_start: Cell::new(0),
        }
    }

    /// Whether a store to the cell at `addr` needs no record: the barrier's fast path.
    #[inline(always)]
    pub(crate) fn skips_barrier(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.filter_start.get()) < self.filter_len.get()
    }

    fn filter_nursery(&self) {
        self.filter_start.set(self.nursery.0);
        self.filter_len.set(self.nursery.1);
    }

    /// Begins a scope that `young` bytes of young allocation precede. With `window` (eden's
    /// open window, when the scope may be reclaimed) the scope is marked at its cursor and the
    /// barrier's filter narrows to the rest of the window.
    pub(crate) fn begin(&self, young: usize, window: Option<&Window>) {
        self.young_at_start.set(young);
        let mark = window.and_then(|w| Some((w.cursor()?, w.limit())));
        match mark {
            Some((cursor, limit)) => {
                let start = cursor.as_ptr().addr();
                self.filter_start.set(start);
                self.filter_len.set(limit.addr() - start);
                self.mark.set(Some(cursor));
            }
            None => {
                self.filter_nursery();
                self.mark.set(None);
            }
        }
    }

    /// Something the current scope allocated may be reached from outside it: keep it all.
    /// Every such way passes through here (see the module documentation).
    #[inline]
    pub(crate) fn escape(&self, why: Escape) {
        let _ = why;
        if self.mark.take().is_some() {
            self.filter_nursery();
        }
    }

    /// Ends a scope; `young` is young allocation now. Returns the bytes the scope allocated.
    pub(crate) fn end(&self, young: usize) -> usize {
        young.saturating_sub(self.young_at_start.get())
    }

    /// After a scope of [`Heap::mutate`](crate::Heap::mutate) returned: if its mark still
    /// stands, nothing it allocated can be reached from outside it (module documentation), so
    /// its part of eden goes back to `window`. Returns the bytes given back.
    pub(crate) fn reclaim(&self, window: &Window, nursery: &Nursery) -> usize {
        let Some(mark) = self.mark.take() else {
            return 0;
        };
        self.filter_nursery();
        let top = window
            .cursor()
            .expect("a scope with a mark has an open window");
        nursery.poison_eden(mark, top);
        // SAFETY: `mark` was the window's cursor when the scope began, the window has stayed
        // in eden since (leaving it escapes), and no object allocated after the mark can be
        // reached (module documentation).
        unsafe { window.rewind(mark) };
        top.as_ptr().addr() - mark.as_ptr().addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDEN: usize = 1024;

    fn nursery() -> Nursery {
        Nursery::new(EDEN, 128, EDEN, 128)
    }

    /// A window over all of eden.
    fn window(nursery: &Nursery) -> Window {
        let window = Window::unopened();
        let (start, end) = nursery.eden_window(usize::MAX);
        window.open(start, end);
        window
    }

    fn addr(ptr: NonNull<u8>) -> usize {
        ptr.as_ptr().addr()
    }

    #[test]
    fn the_filter_starts_as_the_whole_nursery() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        let (start, len) = nursery.range();
        assert!(scope.skips_barrier(start) && scope.skips_barrier(start + len - 1));
        assert!(!scope.skips_barrier(start + len) && !scope.skips_barrier(start - 1));
    }

    #[test]
    fn begin_with_a_window_narrows_the_filter_to_the_scope_memory() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        let window = window(&nursery);
        let before = window.try_alloc(32).expect("room in eden");
        scope.begin(32, Some(&window));
        let mark = window.cursor().expect("an open window");
        assert!(
            !scope.skips_barrier(addr(before)),
            "allocated before the scope"
        );
        assert!(scope.skips_barrier(addr(mark)));
        assert!(scope.skips_barrier(window.limit().addr() - 1));
        let survivor = window.limit().addr();
        assert!(nursery.contains(survivor));
        assert!(
            !scope.skips_barrier(survivor),
            "the survivor spaces are older"
        );
    }

    #[test]
    fn begin_without_a_window_filters_the_nursery_and_reclaims_nothing() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        let window = window(&nursery);
        window.try_alloc(32);
        scope.begin(32, None);
        assert!(scope.skips_barrier(addr(nursery.eden_start())));
        window.try_alloc(16);
        assert_eq!(scope.reclaim(&window, &nursery), 0);
        assert_eq!(window.used(), 48);
        // Nor does an unopened window give a mark.
        scope.begin(0, Some(&Window::unopened()));
        assert!(scope.skips_barrier(addr(nursery.eden_start())));
        assert_eq!(scope.reclaim(&window, &nursery), 0);
    }

    #[test]
    fn escape_widens_the_filter_to_the_nursery_and_stops_reclaim() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        let window = window(&nursery);
        let before = window.try_alloc(32).expect("room in eden");
        scope.begin(32, Some(&window));
        window.try_alloc(64);
        scope.escape(Escape::Store);
        assert!(scope.skips_barrier(addr(before)));
        assert!(scope.skips_barrier(nursery.range().0 + nursery.range().1 - 1));
        assert_eq!(scope.reclaim(&window, &nursery), 0);
        assert_eq!(window.used(), 96, "the scope's objects are kept");
        // A second escape changes nothing.
        scope.escape(Escape::Root);
        assert!(scope.skips_barrier(addr(before)));
    }

    #[test]
    fn reclaim_rewinds_the_window_and_returns_the_bytes() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        let window = window(&nursery);
        window.try_alloc(16);
        scope.begin(16, Some(&window));
        let mark = window.cursor().expect("an open window");
        window.try_alloc(24);
        window.try_alloc(40);
        assert_eq!(scope.end(16 + 64), 64);
        assert_eq!(scope.reclaim(&window, &nursery), 64);
        assert_eq!(window.cursor(), Some(mark));
        assert_eq!(window.used(), 16);
        assert!(
            scope.skips_barrier(addr(nursery.eden_start())),
            "the nursery again"
        );
        assert_eq!(scope.reclaim(&window, &nursery), 0, "the mark is gone");
        assert_eq!(
            window.try_alloc(8),
            Some(mark),
            "the next scope reuses the bytes"
        );
    }

    #[test]
    fn end_counts_the_young_bytes_since_begin() {
        let nursery = nursery();
        let scope = ScopeState::new(&nursery);
        scope.begin(100, None);
        assert_eq!(scope.end(164), 64);
        // A minor collection between begin and end leaves less young allocation.
        assert_eq!(scope.end(50), 0);
    }
}
