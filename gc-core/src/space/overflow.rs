//! Eden's overflow: where a mutation scope goes on allocating once eden is full.
//!
//! # Why
//! No collection may run inside a mutation scope, so a scope that allocates more than eden
//! holds cannot stop for a minor collection. Its later objects go to overflow blocks, bumped
//! through the same allocation window as eden.
//!
//! # Young in all but address
//! Overflow objects are young: the next collection point runs a minor collection, which
//! evacuates the live ones like eden's (copying them to a survivor space or promoting them)
//! and then frees the blocks. Dead overflow therefore costs nothing, however big the scope
//! was, and nothing in overflow is a root. The one difference is the write barrier's inline
//! test, a range check over the nursery's block: a store into an overflow object takes the
//! barrier's slow path, which sees the address here and, as for eden, records nothing.
//!
//! # Blocks
//! The first block is as big as eden and each next one twice the one before, so a scope of
//! any size needs few blocks and "is this address in overflow?" is a loop over few ranges.

use core::ptr::NonNull;

use crate::alloc::region::Region;
use crate::header::WORD;

/// The smallest overflow block.
#[cfg(not(miri))]
const MIN_BLOCK_SIZE: usize = 1024 * 1024;
#[cfg(miri)]
const MIN_BLOCK_SIZE: usize = 16 * 1024;

struct Block {
    memory: Region,
    /// The end of the objects in this block; for the last block, the allocation window's
    /// cursor is the end instead.
    top: NonNull<u8>,
}

pub(crate) struct OverflowSpace {
    /// Bytes of eden in use when the window left it; `None` while eden has not overflowed
    /// since the last minor collection.
    eden_used: Option<usize>,
    blocks: Vec<Block>,
}

impl OverflowSpace {
    pub(crate) fn new() -> OverflowSpace {
        OverflowSpace {
            eden_used: None,
            blocks: Vec::new(),
        }
    }

    /// Whether eden has overflowed since the last minor collection.
    pub(crate) fn is_active(&self) -> bool {
        self.eden_used.is_some()
    }

    /// Bytes of eden in use when it overflowed.
    pub(crate) fn eden_used(&self) -> Option<usize> {
        self.eden_used
    }

    /// The size of the next block, for an object of `size` bytes when eden holds `eden`:
    /// twice the last block (eden's size for the first), or less if `fits` refuses that (near
    /// the heap limit), down to `size`. `None` if even `size` does not fit.
    pub(crate) fn next_block_size(
        &self,
        size: usize,
        eden: usize,
        fits: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let size = size.next_multiple_of(WORD);
        let mut block = match self.blocks.last() {
            Some(last) => 2 * last.memory.size(),
            None => eden.max(MIN_BLOCK_SIZE),
        }
        .max(size);
        loop {
            if fits(block) {
                return Some(block);
            }
            if block == size {
                return None;
            }
            block = (block / 2).max(size);
        }
    }

    /// Adds a block of `block_size` bytes and returns its bounds, for the allocation window.
    /// `window_cursor` is where the window stands now: eden's used part when this is the
    /// first block (`eden_used`), or the end of the last block.
    pub(crate) fn add_block(
        &mut self,
        block_size: usize,
        eden_used: usize,
        window_cursor: Option<NonNull<u8>>,
    ) -> (NonNull<u8>, NonNull<u8>) {
        match self.blocks.last_mut() {
            Some(last) => last.top = window_cursor.expect("an open window in the last block"),
            None => self.eden_used = Some(eden_used),
        }
        // Not from the process's pool: blocks double in size and are advised into huge pages,
        // and keeping them would hold a scope's whole spill resident after it is collected.
        let memory = Region::new_unpoisoned(block_size, WORD);
        memory.advise_huge_pages(0..block_size);
        memory.poison(memory.start(), memory.end());
        let (start, end) = (memory.start(), memory.end());
        self.blocks.push(Block { memory, top: start });
        (start, end)
    }

    /// Whether `addr` lies in an overflow block.
    #[inline]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.blocks.iter().any(|b| b.memory.contains(addr))
    }

    /// Each block's bounds, as addresses, for the minor collection's from-space test.
    pub(crate) fn ranges(&self) -> Vec<(usize, usize)> {
        self.blocks
            .iter()
            .map(|b| {
                (
                    b.memory.start().as_ptr().addr(),
                    b.memory.end().as_ptr().addr(),
                )
            })
            .collect()
    }

    /// The occupied part of each block; `window_cursor` ends the last one.
    fn occupied_iter(
        &self,
        window_cursor: Option<NonNull<u8>>,
    ) -> impl Iterator<Item = (NonNull<u8>, NonNull<u8>)> + '_ {
        let last = self.blocks.len().wrapping_sub(1);
        self.blocks.iter().enumerate().map(move |(i, b)| {
            let top = if i == last {
                window_cursor.unwrap_or(b.top)
            } else {
                b.top
            };
            (b.memory.start(), top)
        })
    }

    /// The occupied part of each block; `window_cursor` ends the last one.
    pub(crate) fn occupied(
        &self,
        window_cursor: Option<NonNull<u8>>,
    ) -> Vec<(NonNull<u8>, NonNull<u8>)> {
        self.occupied_iter(window_cursor).collect()
    }

    /// Bytes of objects in overflow blocks.
    pub(crate) fn used(&self, window_cursor: Option<NonNull<u8>>) -> usize {
        self.occupied_iter(window_cursor)
            .map(|(start, top)| top.as_ptr().addr() - start.as_ptr().addr())
            .sum()
    }

    /// Bytes the blocks reserve.
    pub(crate) fn capacity(&self) -> usize {
        self.blocks.iter().map(|b| b.memory.size()).sum()
    }

    /// After a minor collection has evacuated every live overflow object: frees the blocks.
    pub(crate) fn release(&mut self) {
        self.blocks.clear();
        self.eden_used = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ptr: NonNull<u8>) -> usize {
        ptr.as_ptr().addr()
    }

    #[test]
    fn the_first_block_is_eden_sized_and_each_next_one_doubles() {
        let mut overflow = OverflowSpace::new();
        assert!(!overflow.is_active());
        let always = |_: usize| true;
        assert_eq!(
            overflow.next_block_size(8, 100, always),
            Some(MIN_BLOCK_SIZE)
        );
        assert_eq!(
            overflow.next_block_size(8, 2 * MIN_BLOCK_SIZE, always),
            Some(2 * MIN_BLOCK_SIZE)
        );
        // An object bigger than the block gets a block its size, rounded to words.
        let huge = 3 * MIN_BLOCK_SIZE + 3;
        assert_eq!(
            overflow.next_block_size(huge, 100, always),
            Some(huge.next_multiple_of(WORD))
        );

        let (first, first_end) = overflow.add_block(MIN_BLOCK_SIZE, 100, None);
        assert!(overflow.is_active());
        assert_eq!(overflow.eden_used(), Some(100));
        assert_eq!(addr(first_end) - addr(first), MIN_BLOCK_SIZE);
        let second_size = overflow.next_block_size(8, 100, always);
        assert_eq!(second_size, Some(2 * MIN_BLOCK_SIZE));

        // SAFETY: 40 bytes into the first block stays inside it.
        let first_top = unsafe { first.add(40) };
        let (second, _) = overflow.add_block(2 * MIN_BLOCK_SIZE, 0, Some(first_top));
        assert_eq!(
            overflow.eden_used(),
            Some(100),
            "set by the first block only"
        );
        assert_eq!(
            overflow.next_block_size(8, 100, always),
            Some(4 * MIN_BLOCK_SIZE)
        );
        // SAFETY: as above, in the second block.
        let cursor = unsafe { second.add(24) };
        assert_eq!(
            overflow.occupied(Some(cursor)),
            vec![(first, first_top), (second, cursor)]
        );
        assert_eq!(overflow.used(Some(cursor)), 64);
        assert_eq!(overflow.capacity(), 3 * MIN_BLOCK_SIZE);
    }

    #[test]
    fn next_block_size_halves_while_the_limit_refuses() {
        let overflow = OverflowSpace::new();
        let tried = core::cell::RefCell::new(Vec::new());
        let up_to = |most: usize| {
            let tried = &tried;
            move |block: usize| {
                tried.borrow_mut().push(block);
                block <= most
            }
        };
        let block = overflow.next_block_size(8, MIN_BLOCK_SIZE, up_to(MIN_BLOCK_SIZE / 4));
        assert_eq!(block, Some(MIN_BLOCK_SIZE / 4));
        assert_eq!(
            tried.take(),
            [MIN_BLOCK_SIZE, MIN_BLOCK_SIZE / 2, MIN_BLOCK_SIZE / 4]
        );
        // Halving stops at the object's size, and refuses if even that does not fit.
        let size = MIN_BLOCK_SIZE / 4 + WORD;
        let block = overflow.next_block_size(size, MIN_BLOCK_SIZE, up_to(size - WORD));
        assert_eq!(block, None);
        assert_eq!(tried.take(), [MIN_BLOCK_SIZE, MIN_BLOCK_SIZE / 2, size]);
        let block = overflow.next_block_size(size, MIN_BLOCK_SIZE, up_to(size));
        assert_eq!(block, Some(size));
    }

    #[test]
    fn contains_covers_the_blocks_until_release() {
        let mut overflow = OverflowSpace::new();
        let (start, end) = overflow.add_block(MIN_BLOCK_SIZE, 0, None);
        let (start, end) = (addr(start), addr(end));
        assert!(overflow.contains(start) && overflow.contains(end - 1));
        assert!(!overflow.contains(end) && !overflow.contains(start - 1));
        assert_eq!(overflow.ranges(), vec![(start, end)]);
        overflow.release();
        assert!(!overflow.is_active());
        assert_eq!(overflow.eden_used(), None);
        assert!(!overflow.contains(start));
        assert!(overflow.ranges().is_empty());
        assert_eq!((overflow.capacity(), overflow.used(None)), (0, 0));
        // After a release the next block starts over at eden's size.
        assert_eq!(
            overflow.next_block_size(8, 0, |_| true),
            Some(MIN_BLOCK_SIZE)
        );
    }
}
