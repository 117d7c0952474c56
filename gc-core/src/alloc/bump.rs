//! Bump allocation: the mutator's allocation window and the collector's copy cursors.
//!
//! The [`Window`] is what `Gc::new` bumps: a `cursor`/`limit` pair over eden, or over an
//! overflow block when eden has overflowed inside a scope. Both start null, so
//! the first allocation takes the slow path and opens the window: the fast path is one
//! compare and one add, with no "initialised?" branch.

use core::cell::Cell;
use core::ptr::NonNull;

/// The mutator's allocation window: `[start, cursor)` is allocated, `[cursor, limit)` free.
pub(crate) struct Window {
    start: Cell<*mut u8>,
    cursor: Cell<*mut u8>,
    limit: Cell<*mut u8>,
}

impl Window {
    /// A window that is not open: the first allocation takes the slow path.
    pub(crate) fn unopened() -> Window {
        let null = core::ptr::null_mut();
        Window {
            start: Cell::new(null),
            cursor: Cell::new(null),
            limit: Cell::new(null),
        }
    }

    /// The fast path: takes `size` bytes, or returns `None` if they do not fit.
    #[inline(always)]
    pub(crate) fn try_alloc(&self, size: usize) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        if size <= self.limit.get().addr() - cursor.addr() {
            // SAFETY: `size` bytes fit before `limit`, so the new cursor stays in the window.
            self.cursor.set(unsafe { cursor.add(size) });
            // SAFETY: a window with room in it is open, so `cursor` is not null.
            Some(unsafe { NonNull::new_unchecked(cursor) })
        } else {
            None
        }
    }

    /// Points the window at `[start, limit)`.
    pub(crate) fn open(&self, start: NonNull<u8>, limit: NonNull<u8>) {
        self.start.set(start.as_ptr());
        self.cursor.set(start.as_ptr());
        self.limit.set(limit.as_ptr());
    }

    pub(crate) fn is_open(&self) -> bool {
        !self.start.get().is_null()
    }

    /// The first free byte.
    pub(crate) fn cursor(&self) -> Option<NonNull<u8>> {
        NonNull::new(self.cursor.get())
    }

    /// The end of the window.
    pub(crate) fn limit(&self) -> *mut u8 {
        self.limit.get()
    }

    /// Moves the cursor back to `to`, giving back what was allocated after it.
    ///
    /// # Safety
    /// - `to` must be a cursor this window had since it was last opened, and no object
    ///   allocated after it may be used again.
    pub(crate) unsafe fn rewind(&self, to: NonNull<u8>) {
        debug_assert!(
            to.as_ptr() <= self.cursor.get(),
            "rewinding past the cursor"
        );
        self.cursor.set(to.as_ptr())
    }

    /// Bytes handed out since the window was opened.
    pub(crate) fn used(&self) -> usize {
        self.cursor.get().addr() - self.start.get().addr()
    }
}

/// A bump-allocation window: `[cursor, limit)` is free.
pub(crate) struct Bump {
    pub(crate) cursor: NonNull<u8>,
    pub(crate) limit: NonNull<u8>,
}

impl Bump {
    pub(crate) fn new(start: NonNull<u8>, limit: NonNull<u8>) -> Bump {
        Bump {
            cursor: start,
            limit,
        }
    }

    /// Takes `size` bytes from the window, or `None` if they do not fit.
    #[inline(always)]
    pub(crate) fn take(&mut self, size: usize) -> Option<NonNull<u8>> {
        let free = self.limit.as_ptr().addr() - self.cursor.as_ptr().addr();
        if size <= free {
            let obj = self.cursor;
            // SAFETY: `size <= free`, so the new cursor stays within the window's region.
            self.cursor = unsafe { obj.add(size) };
            Some(obj)
        } else {
            None
        }
    }
}
