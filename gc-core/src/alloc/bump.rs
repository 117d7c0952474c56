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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::WORD;

    /// The bounds of a 64-byte buffer; the tests only compare and bump addresses in it.
    fn bounds(buffer: &mut [u64; 8]) -> (NonNull<u8>, NonNull<u8>) {
        let start = NonNull::from(buffer).cast::<u8>();
        // SAFETY: one past the end of the 64-byte buffer.
        (start, unsafe { start.add(64) })
    }

    fn offset(from: NonNull<u8>, to: NonNull<u8>) -> usize {
        to.as_ptr().addr() - from.as_ptr().addr()
    }

    #[test]
    fn an_unopened_window_sends_every_allocation_to_the_slow_path() {
        let window = Window::unopened();
        assert!(!window.is_open());
        assert_eq!(window.cursor(), None);
        assert_eq!(window.try_alloc(WORD), None);
        assert_eq!(window.used(), 0);
    }

    #[test]
    fn the_window_fast_path_takes_what_fits_and_refuses_the_rest() {
        let mut buffer = [0u64; 8];
        let (start, limit) = bounds(&mut buffer);
        let window = Window::unopened();
        window.open(start, limit);
        assert!(window.is_open());
        assert_eq!(window.limit(), limit.as_ptr());
        assert_eq!(window.try_alloc(16), Some(start));
        let second = window.try_alloc(40).expect("40 of the 48 bytes left fit");
        assert_eq!(offset(start, second), 16);
        assert_eq!(window.try_alloc(16), None, "16 bytes do not fit in 8");
        assert_eq!(window.used(), 56, "a refusal takes nothing");
        let last = window.try_alloc(8).expect("the last word fits");
        assert_eq!(offset(start, last), 56);
        assert_eq!(window.cursor(), Some(limit));
        assert_eq!(window.try_alloc(8), None);
    }

    #[test]
    fn rewind_gives_back_what_was_allocated_after_the_mark() {
        let mut buffer = [0u64; 8];
        let (start, limit) = bounds(&mut buffer);
        let window = Window::unopened();
        window.open(start, limit);
        window.try_alloc(16);
        let mark = window.cursor().expect("an open window");
        window.try_alloc(32);
        assert_eq!(window.used(), 48);
        // SAFETY: `mark` was a cursor of this window since it was opened, and nothing
        // allocated after it is used.
        unsafe { window.rewind(mark) };
        assert_eq!(window.used(), 16);
        assert_eq!(window.try_alloc(48), Some(mark), "the bytes are free again");
    }

    #[test]
    fn opening_again_starts_over() {
        let mut buffer = [0u64; 8];
        let (start, limit) = bounds(&mut buffer);
        let window = Window::unopened();
        window.open(start, limit);
        window.try_alloc(24);
        // SAFETY: 32 bytes into the buffer.
        let middle = unsafe { start.add(32) };
        window.open(middle, limit);
        assert_eq!(window.used(), 0);
        assert_eq!(window.cursor(), Some(middle));
        assert_eq!(
            window.try_alloc(40),
            None,
            "only 32 bytes in the new window"
        );
        assert_eq!(window.try_alloc(32), Some(middle));
    }

    #[test]
    fn bump_take_fits_or_refuses() {
        let mut buffer = [0u64; 8];
        let (start, limit) = bounds(&mut buffer);
        let mut bump = Bump::new(start, limit);
        assert_eq!(bump.take(24), Some(start));
        assert_eq!(bump.take(48), None);
        assert_eq!(offset(start, bump.cursor), 24, "a refusal takes nothing");
        let next = bump.take(40).expect("exactly the rest fits");
        assert_eq!(offset(start, next), 24);
        assert_eq!(bump.cursor, limit);
        assert_eq!(bump.take(8), None);
    }
}
