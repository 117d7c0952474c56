//! The nursery: where every new object is born.
//!
//! # Layout
//! One block holds eden and two survivor spaces, `[eden | survivor 0 | survivor 1]`, so "is
//! this address young?" is a single range check (the write barrier's fast path).
//!
//! # Allocation
//! Eden is bump-allocated through a `cursor`/`limit` pair that starts null, so the first
//! allocation takes the slow path and sets the window up: no "initialised?" branch on the
//! fast path.
//!
//! # Collection
//! A minor collection (`collect/minor.rs`) copies the live objects of eden and the *from*
//! survivor space into the *to* survivor space, or promotes them to the old generation once
//! they are old enough or the survivor space is full. Then eden is empty again and the two
//! survivor spaces swap roles.

use core::cell::Cell;
use core::ptr::NonNull;

use crate::alloc::region::{Bump, Region};
use crate::header::{self, WORD};

pub(crate) struct Nursery {
    memory: Region,
    eden_size: usize,
    survivor_size: usize,
    /// Eden's allocation window: `[cursor, limit)` is free. Null until the first allocation.
    cursor: Cell<*mut u8>,
    limit: Cell<*mut u8>,
    /// How much of eden the window may cover (less than all of it near the heap limit).
    allowance: Cell<usize>,
    /// Which survivor space holds the survivors of the last minor collection.
    from: usize,
    /// How far that survivor space is filled.
    survivor_top: NonNull<u8>,
}

impl Nursery {
    pub(crate) fn new(eden_size: usize, survivor_size: usize) -> Nursery {
        let memory = Region::new(eden_size + 2 * survivor_size, WORD);
        let survivor_top = Self::survivor_start_of(&memory, eden_size, survivor_size, 0);
        Nursery {
            memory,
            eden_size,
            survivor_size,
            cursor: Cell::new(core::ptr::null_mut()),
            limit: Cell::new(core::ptr::null_mut()),
            allowance: Cell::new(eden_size),
            from: 0,
            survivor_top,
        }
    }

    /// The fast path: takes `size` bytes of eden, or returns `None`.
    #[inline(always)]
    pub(crate) fn try_alloc(&self, size: usize) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        let free = self.limit.get().addr() - cursor.addr();
        if size <= free {
            // SAFETY: `size <= free`, so the new cursor stays within eden.
            self.cursor.set(unsafe { cursor.add(size) });
            // SAFETY: a non-empty window lies in eden, so `cursor` is not null.
            Some(unsafe { NonNull::new_unchecked(cursor) })
        } else {
            None
        }
    }

    /// Opens the allocation window on first use. Returns false if eden is simply full.
    pub(crate) fn open_window(&self) -> bool {
        if self.cursor.get().is_null() {
            self.cursor.set(self.eden_start().as_ptr());
            self.limit.set(self.window_end().as_ptr());
            true
        } else {
            false
        }
    }

    /// Whether `addr` is in eden or a survivor space: the write barrier's test.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.memory.contains(addr)
    }

    /// Whether `addr` is in the part a minor collection evacuates: eden or the *from* survivor.
    #[inline(always)]
    pub(crate) fn in_from_space(&self, addr: usize) -> bool {
        let base = self.memory.start().as_ptr().addr();
        let offset = addr.wrapping_sub(base);
        offset < self.eden_size
            || offset.wrapping_sub(self.survivor_offset(self.from)) < self.survivor_size
    }

    /// Whether `addr` is in the *to* survivor space, where a minor collection copies survivors.
    #[inline(always)]
    pub(crate) fn in_to_space(&self, addr: usize) -> bool {
        let base = self.memory.start().as_ptr().addr();
        addr.wrapping_sub(base)
            .wrapping_sub(self.survivor_offset(1 - self.from))
            < self.survivor_size
    }

    fn survivor_offset(&self, index: usize) -> usize {
        self.eden_size + index * self.survivor_size
    }

    fn survivor_start_of(
        memory: &Region,
        eden: usize,
        survivor: usize,
        index: usize,
    ) -> NonNull<u8> {
        // SAFETY: the offset of a survivor space lies within the nursery block.
        unsafe { memory.start().add(eden + index * survivor) }
    }

    fn survivor_start(&self, index: usize) -> NonNull<u8> {
        Self::survivor_start_of(&self.memory, self.eden_size, self.survivor_size, index)
    }

    /// Limits the allocation window to `bytes` of eden, from the next minor collection (or
    /// the first allocation) on.
    pub(crate) fn set_allowance(&self, bytes: usize) {
        self.allowance.set(bytes.min(self.eden_size));
        if self.eden_used() == 0 && !self.cursor.get().is_null() {
            self.limit.set(self.window_end().as_ptr());
        }
    }

    fn window_end(&self) -> NonNull<u8> {
        // SAFETY: the allowance is at most eden's size.
        unsafe { self.eden_start().add(self.allowance.get()) }
    }

    fn eden_start(&self) -> NonNull<u8> {
        self.memory.start()
    }

    fn eden_end(&self) -> NonNull<u8> {
        self.survivor_start(0)
    }

    /// Bytes of eden handed out since the last minor collection.
    pub(crate) fn eden_used(&self) -> usize {
        let cursor = self.cursor.get();
        if cursor.is_null() {
            0
        } else {
            cursor.addr() - self.eden_start().as_ptr().addr()
        }
    }

    pub(crate) fn eden_size(&self) -> usize {
        self.eden_size
    }

    pub(crate) fn survivor_size(&self) -> usize {
        self.survivor_size
    }

    /// Bytes held in the *from* survivor space.
    pub(crate) fn survivor_used(&self) -> usize {
        self.survivor_top.as_ptr().addr() - self.survivor_start(self.from).as_ptr().addr()
    }

    /// Bytes the nursery reserves from the system.
    pub(crate) fn capacity(&self) -> usize {
        self.memory.size()
    }

    /// The window of the *to* survivor space, for a minor collection to copy into.
    pub(crate) fn to_space(&self) -> Bump {
        let to = 1 - self.from;
        // SAFETY: the end of a survivor space lies within the nursery block.
        let end = unsafe { self.survivor_start(to).add(self.survivor_size) };
        Bump::new(self.survivor_start(to), end)
    }

    /// Ends a minor collection: eden and the old *from* space are empty, the *to* space, filled
    /// up to `to_top`, becomes the *from* space.
    pub(crate) fn flip(&mut self, to_top: NonNull<u8>) {
        self.memory.poison(self.eden_start(), self.eden_end());
        let from = self.survivor_start(self.from);
        // SAFETY: the end of a survivor space lies within the nursery block.
        let from_end = unsafe { from.add(self.survivor_size) };
        self.memory.poison(from, from_end);
        if !self.cursor.get().is_null() {
            self.cursor.set(self.eden_start().as_ptr());
            self.limit.set(self.window_end().as_ptr());
        }
        self.from = 1 - self.from;
        self.survivor_top = to_top;
    }

    /// Calls `visit` on every object in eden and the *from* survivor space, in address order.
    ///
    /// # Safety
    /// - Every object in those spaces must have an intact, unforwarded header.
    pub(crate) unsafe fn for_each_object(&self, mut visit: impl FnMut(NonNull<u8>)) {
        let eden_top = if self.cursor.get().is_null() {
            self.eden_start()
        } else {
            // SAFETY: the cursor is not null, so it points into eden.
            unsafe { NonNull::new_unchecked(self.cursor.get()) }
        };
        for (mut obj, top) in [
            (self.eden_start(), eden_top),
            (self.survivor_start(self.from), self.survivor_top),
        ] {
            while obj < top {
                // SAFETY: the spaces hold objects back to back, each with an intact header.
                let next = unsafe { obj.add(header::read(obj).type_info().object_size(obj)) };
                visit(obj);
                obj = next;
            }
        }
    }
}
