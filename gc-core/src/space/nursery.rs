//! The nursery: where every new object is born.
//!
//! # Layout
//! One block holds eden and two survivor spaces, `[eden | survivor 0 | survivor 1]`, so "is
//! this address young?" is a single range check (the write barrier's fast path).
//!
//! # Allocation
//! The mutator bumps through eden with the heap's allocation [`Window`]; the nursery hands
//! out the window's bounds. Near the heap limit the window covers only part of eden.
//!
//! # Collection
//! A minor collection (`collect/minor.rs`) copies the live objects of eden and the *from*
//! survivor space into the *to* survivor space, or promotes them to the old generation once
//! they are old enough or the survivor space is full. Then eden is empty again and the two
//! survivor spaces swap roles.
//!
//! [`Window`]: crate::alloc::bump::Window

use core::ptr::NonNull;

use crate::alloc::bump::Bump;
use crate::alloc::region::Region;
use crate::header::WORD;

pub(crate) struct Nursery {
    memory: Region,
    eden_size: usize,
    survivor_size: usize,
    /// Which survivor space holds the survivors of the last minor collection.
    from: usize,
    /// How far that survivor space is filled.
    survivor_top: NonNull<u8>,
}

impl Nursery {
    pub(crate) fn new(eden_size: usize, survivor_size: usize) -> Nursery {
        let memory = Region::new(eden_size + 2 * survivor_size, WORD);
        // SAFETY: survivor space 0 starts right after eden, inside the block.
        let survivor_top = unsafe { memory.start().add(eden_size) };
        Nursery {
            memory,
            eden_size,
            survivor_size,
            from: 0,
            survivor_top,
        }
    }

    /// Eden's bounds for an allocation window of at most `allowance` bytes.
    pub(crate) fn eden_window(&self, allowance: usize) -> (NonNull<u8>, NonNull<u8>) {
        let start = self.eden_start();
        // SAFETY: at most eden's size past its start stays in the block.
        (start, unsafe { start.add(allowance.min(self.eden_size)) })
    }

    /// Whether `addr` is in eden or a survivor space: the write barrier's test.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.memory.contains(addr)
    }

    /// Whether `addr` is in the part a minor collection evacuates: eden or the *from* survivor.
    #[inline(always)]
    pub(crate) fn in_from_space(&self, addr: usize) -> bool {
        let offset = addr.wrapping_sub(self.memory.start().as_ptr().addr());
        offset < self.eden_size
            || offset.wrapping_sub(self.survivor_offset(self.from)) < self.survivor_size
    }

    /// Whether `addr` is in the *to* survivor space, where a minor collection copies survivors.
    #[inline(always)]
    pub(crate) fn in_to_space(&self, addr: usize) -> bool {
        let offset = addr.wrapping_sub(self.memory.start().as_ptr().addr());
        offset.wrapping_sub(self.survivor_offset(1 - self.from)) < self.survivor_size
    }

    fn survivor_offset(&self, index: usize) -> usize {
        self.eden_size + index * self.survivor_size
    }

    fn survivor_start(&self, index: usize) -> NonNull<u8> {
        // SAFETY: a survivor space's offset lies within the nursery block.
        unsafe { self.memory.start().add(self.survivor_offset(index)) }
    }

    pub(crate) fn eden_start(&self) -> NonNull<u8> {
        self.memory.start()
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

    /// The *to* survivor space, for a minor collection to copy into.
    pub(crate) fn to_space(&self) -> Bump {
        let to = 1 - self.from;
        // SAFETY: the end of a survivor space lies within the nursery block.
        let end = unsafe { self.survivor_start(to).add(self.survivor_size) };
        Bump::new(self.survivor_start(to), end)
    }

    /// Ends a minor collection: eden and the old *from* space are empty, and the *to* space,
    /// filled up to `to_top`, becomes the *from* space.
    pub(crate) fn flip(&mut self, to_top: NonNull<u8>) {
        self.memory
            .poison(self.eden_start(), self.survivor_start(0));
        let from = self.survivor_start(self.from);
        // SAFETY: the end of a survivor space lies within the nursery block.
        let from_end = unsafe { from.add(self.survivor_size) };
        self.memory.poison(from, from_end);
        self.from = 1 - self.from;
        self.survivor_top = to_top;
    }

    /// The occupied ranges: eden up to `eden_used`, and the *from* survivor space.
    pub(crate) fn occupied(&self, eden_used: usize) -> [(NonNull<u8>, NonNull<u8>); 2] {
        // SAFETY: eden's used part lies within eden.
        let eden_top = unsafe { self.eden_start().add(eden_used) };
        [
            (self.eden_start(), eden_top),
            (self.survivor_start(self.from), self.survivor_top),
        ]
    }
}
