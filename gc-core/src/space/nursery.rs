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
//! # Resizing
//! Eden grows when a scope overflows it (see the pacer). A minor collection is the moment:
//! the collector copies the survivors into a survivor space of a new, larger block, and the
//! old block is freed.
//!
//! [`Window`]: crate::alloc::bump::Window

use core::ptr::NonNull;

use crate::alloc::bump::Bump;
use crate::alloc::region::Region;
use crate::header::WORD;

/// One allocation holding eden and the two survivor spaces.
struct Block {
    memory: Region,
    eden_size: usize,
    survivor_size: usize,
}

impl Block {
    fn new(eden_size: usize, survivor_size: usize) -> Block {
        let memory = Region::new(eden_size + 2 * survivor_size, WORD);
        Block {
            memory,
            eden_size,
            survivor_size,
        }
    }

    fn survivor_offset(&self, index: usize) -> usize {
        self.eden_size + index * self.survivor_size
    }

    fn survivor_start(&self, index: usize) -> NonNull<u8> {
        // SAFETY: a survivor space's offset lies within the block.
        unsafe { self.memory.start().add(self.survivor_offset(index)) }
    }

    fn survivor(&self, index: usize) -> (NonNull<u8>, NonNull<u8>) {
        let start = self.survivor_start(index);
        // SAFETY: the end of a survivor space lies within the block.
        (start, unsafe { start.add(self.survivor_size) })
    }
}

pub(crate) struct Nursery {
    block: Block,
    /// A larger block that the minor collection under way copies survivors into.
    next: Option<Block>,
    /// Which survivor space holds the survivors of the last minor collection.
    from: usize,
    /// How far that survivor space is filled.
    survivor_top: NonNull<u8>,
}

impl Nursery {
    pub(crate) fn new(eden_size: usize, survivor_size: usize) -> Nursery {
        let block = Block::new(eden_size, survivor_size);
        let survivor_top = block.survivor_start(0);
        Nursery {
            block,
            next: None,
            from: 0,
            survivor_top,
        }
    }

    /// Eden's bounds for an allocation window of at most `allowance` bytes.
    pub(crate) fn eden_window(&self, allowance: usize) -> (NonNull<u8>, NonNull<u8>) {
        let start = self.eden_start();
        // SAFETY: at most eden's size past its start stays in the block.
        (start, unsafe {
            start.add(allowance.min(self.block.eden_size))
        })
    }

    /// Whether `addr` is in eden or a survivor space: the write barrier's test.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.block.memory.contains(addr)
    }

    /// Whether `addr` is in the part a minor collection evacuates: eden or the *from* survivor.
    #[inline(always)]
    pub(crate) fn in_from_space(&self, addr: usize) -> bool {
        let offset = addr.wrapping_sub(self.block.memory.start().as_ptr().addr());
        offset < self.block.eden_size
            || offset.wrapping_sub(self.block.survivor_offset(self.from)) < self.block.survivor_size
    }

    /// The survivor space a minor collection copies into: the other one, or the first of
    /// the next block when eden grows.
    fn to_bounds(&self) -> (NonNull<u8>, NonNull<u8>) {
        match &self.next {
            Some(next) => next.survivor(0),
            None => self.block.survivor(1 - self.from),
        }
    }

    /// Whether `addr` is in the survivor space a minor collection copies into.
    #[inline(always)]
    pub(crate) fn in_to_space(&self, addr: usize) -> bool {
        let (start, end) = self.to_bounds();
        (start.as_ptr().addr()..end.as_ptr().addr()).contains(&addr)
    }

    pub(crate) fn eden_start(&self) -> NonNull<u8> {
        self.block.memory.start()
    }

    pub(crate) fn eden_size(&self) -> usize {
        self.block.eden_size
    }

    pub(crate) fn survivor_size(&self) -> usize {
        self.block.survivor_size
    }

    /// Bytes held in the *from* survivor space.
    pub(crate) fn survivor_used(&self) -> usize {
        self.survivor_top.as_ptr().addr() - self.block.survivor_start(self.from).as_ptr().addr()
    }

    /// Bytes the nursery reserves from the system.
    pub(crate) fn capacity(&self) -> usize {
        self.block.memory.size() + self.next.as_ref().map_or(0, |next| next.memory.size())
    }

    /// Makes the coming minor collection move the nursery to a new block with an eden of
    /// `eden_size` bytes (and survivor spaces of `survivor_size`).
    pub(crate) fn resize(&mut self, eden_size: usize, survivor_size: usize) {
        self.next = Some(Block::new(eden_size, survivor_size));
    }

    /// The survivor space a minor collection copies into.
    pub(crate) fn to_space(&self) -> Bump {
        let (start, end) = self.to_bounds();
        Bump::new(start, end)
    }

    /// Ends a minor collection: eden and the old *from* space are empty, and the *to* space,
    /// filled up to `to_top`, becomes the *from* space (in the new block, if eden grew).
    pub(crate) fn flip(&mut self, to_top: NonNull<u8>) {
        match self.next.take() {
            Some(next) => {
                self.block = next;
                self.from = 0;
            }
            None => {
                let memory = &self.block.memory;
                memory.poison(self.eden_start(), self.block.survivor_start(0));
                let (from, from_end) = self.block.survivor(self.from);
                memory.poison(from, from_end);
                self.from = 1 - self.from;
            }
        }
        self.survivor_top = to_top;
    }

    /// The occupied ranges: eden up to `eden_used`, and the *from* survivor space.
    pub(crate) fn occupied(&self, eden_used: usize) -> [(NonNull<u8>, NonNull<u8>); 2] {
        // SAFETY: eden's used part lies within eden.
        let eden_top = unsafe { self.eden_start().add(eden_used) };
        [
            (self.eden_start(), eden_top),
            (self.block.survivor_start(self.from), self.survivor_top),
        ]
    }
}
