//! The large-object space: objects too big to copy cheaply, or aligned beyond a word.
//!
//! Each object has a block of its own from the global allocator and never moves. Large
//! objects count as old: a minor collection does not trace into them except on their dirty
//! cards (each object has a card table, which the write barrier and the allocation-time check
//! dirty), and a major collection marks them in place and frees the unmarked ones.
//!
//! # Finding an object from an address
//! The address space is cut into spans of [`INDEX_SPAN`] bytes; the index lists, for each
//! span, the objects that overlap it. An object is at least the large-object threshold in
//! size, so a span holds a handful at most: one hash lookup and a short search, whatever the
//! number of objects.

use core::cell::Cell;
use core::ptr::NonNull;
use std::collections::HashMap;

use crate::alloc::region::Region;
use crate::header::WORD;
use crate::space::cards::CardTable;
use crate::word_hash::WordHash;

/// The stretch of address space one entry of the index covers.
const INDEX_SPAN: usize = 16 * 1024;

pub(crate) struct LargeObject {
    memory: Region,
    /// Where the object (its header) starts inside `memory`.
    pub(crate) start: NonNull<u8>,
    pub(crate) size: usize,
    /// The cards of the object, from its start.
    pub(crate) cards: CardTable,
}

impl LargeObject {
    fn contains(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.start.as_ptr().addr()) < self.size
    }

    /// The numbers of the index spans the object overlaps.
    fn spans(&self) -> core::ops::RangeInclusive<usize> {
        let start = self.start.as_ptr().addr();
        start / INDEX_SPAN..=(start + self.size - 1) / INDEX_SPAN
    }
}

pub(crate) struct LargeSpace {
    pub(crate) objects: Vec<LargeObject>,
    /// Index span number to the indices in `objects` of the objects overlapping it.
    index: HashMap<usize, Vec<u32>, WordHash>,
    /// The index of the object the last lookup found: stores tend to go to the same array.
    last_found: Cell<usize>,
    used: usize,
    reserved: usize,
}

impl LargeSpace {
    pub(crate) fn new() -> LargeSpace {
        LargeSpace {
            objects: Vec::new(),
            index: HashMap::default(),
            last_found: Cell::new(0),
            used: 0,
            reserved: 0,
        }
    }

    fn add_to_index(&mut self, i: usize) {
        let number = u32::try_from(i).expect("over 4 billion large objects");
        for span in self.objects[i].spans() {
            self.index.entry(span).or_default().push(number);
        }
    }

    /// The index in `objects` of the large object that covers `addr`, if any.
    #[inline]
    pub(crate) fn index_of(&self, addr: usize) -> Option<usize> {
        let last = self.last_found.get();
        if self.objects.get(last).is_some_and(|o| o.contains(addr)) {
            return Some(last);
        }
        let candidates = self.index.get(&(addr / INDEX_SPAN))?;
        let found = candidates
            .iter()
            .map(|&i| i as usize)
            .find(|&i| self.objects[i].contains(addr))?;
        self.last_found.set(found);
        Some(found)
    }

    /// The large object that covers `addr`, if any.
    #[inline]
    fn find(&self, addr: usize) -> Option<&LargeObject> {
        self.index_of(addr).map(|i| &self.objects[i])
    }

    /// The card table of the large object that covers `addr`.
    #[inline]
    pub(crate) fn cards_at(&self, addr: usize) -> Option<&CardTable> {
        self.find(addr).map(|object| &object.cards)
    }

    /// Whether any card of any large object is dirty.
    pub(crate) fn any_card_dirty(&self) -> bool {
        self.objects.iter().any(|o| o.cards.any_dirty())
    }

    /// Allocates a block for an object of `size` bytes (header included) whose value, at
    /// `value_offset` from the start, must be aligned to `align`.
    pub(crate) fn alloc(&mut self, size: usize, align: usize, value_offset: usize) -> NonNull<u8> {
        let align = align.max(WORD);
        let pad = value_offset.next_multiple_of(align) - value_offset;
        let memory = Region::new(pad + size, align);
        // SAFETY: `pad + size` bytes were allocated, so the start lies inside the block.
        let start = unsafe { memory.start().add(pad) };
        self.objects.push(LargeObject {
            memory,
            start,
            size,
            cards: CardTable::new(start, size),
        });
        self.add_to_index(self.objects.len() - 1);
        self.used += size;
        self.reserved += pad + size;
        start
    }

    /// The large object that covers `addr`, if any.
    pub(crate) fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        self.find(addr).map(|object| object.start)
    }

    pub(crate) fn is_object_start(&self, addr: usize) -> bool {
        self.object_at(addr)
            .is_some_and(|obj| obj.as_ptr().addr() == addr)
    }

    /// Keeps the objects for which `keep` returns true and frees the others.
    pub(crate) fn sweep(&mut self, mut keep: impl FnMut(&LargeObject) -> bool) -> usize {
        let before = self.used;
        self.objects.retain(|object| keep(object));
        self.used = self.objects.iter().map(|o| o.size).sum();
        self.reserved = self.objects.iter().map(|o| o.memory.size()).sum();
        self.index.clear();
        for i in 0..self.objects.len() {
            self.add_to_index(i);
        }
        before - self.used
    }

    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Bytes reserved from the system.
    pub(crate) fn capacity(&self) -> usize {
        self.reserved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ptr: NonNull<u8>) -> usize {
        ptr.as_ptr().addr()
    }

    #[test]
    fn an_over_aligned_allocation_aligns_the_value() {
        let mut large = LargeSpace::new();
        for (align, value_offset) in [(64, WORD), (256, WORD), (128, 2 * WORD)] {
            let size = value_offset + align;
            let obj = large.alloc(size, align, value_offset);
            assert_eq!(
                (addr(obj) + value_offset) % align,
                0,
                "a value aligned to {align} at {value_offset} past {obj:p}"
            );
            assert_eq!(addr(obj) % WORD, 0);
        }
        assert_eq!(large.used(), (WORD + 64) + (WORD + 256) + (2 * WORD + 128));
        // The padding before each value counts as reserved, not used.
        let padding = (64 - WORD) + (256 - WORD) + (128 - 2 * WORD);
        assert_eq!(large.capacity(), large.used() + padding);

        // A word-aligned object needs no padding.
        let before = large.capacity();
        large.alloc(300, 8, WORD);
        assert_eq!(large.capacity(), before + 300);
    }

    #[test]
    fn object_at_finds_the_object_from_an_interior_address() {
        let mut large = LargeSpace::new();
        let a = large.alloc(320, WORD, WORD);
        let b = large.alloc(512, 64, WORD);
        for (obj, size) in [(a, 320), (b, 512)] {
            for offset in [0, 1, WORD, size / 2, size - 1] {
                assert_eq!(large.object_at(addr(obj) + offset), Some(obj));
            }
            assert!(large.is_object_start(addr(obj)));
            assert!(!large.is_object_start(addr(obj) + WORD));
            assert_ne!(large.object_at(addr(obj) + size), Some(obj), "past its end");
        }
        let outside = Box::new(0u64);
        assert_eq!(large.object_at(addr(NonNull::from(&*outside).cast())), None);
        assert_eq!(LargeSpace::new().object_at(addr(a)), None);
    }

    #[test]
    fn sweep_keeps_what_keep_says_and_updates_used() {
        let mut large = LargeSpace::new();
        let a = large.alloc(300, WORD, WORD);
        let b = large.alloc(400, WORD, WORD);
        let c = large.alloc(512, 64, WORD);
        let reserved_c = large.objects[2].memory.size();
        let mut seen = Vec::new();
        let freed = large.sweep(|object| {
            seen.push(object.start);
            object.start != b
        });
        assert_eq!(seen, [a, b, c], "each object once, in order");
        assert_eq!(freed, 400);
        assert_eq!(large.used(), 300 + 512);
        assert_eq!(large.capacity(), 300 + reserved_c);
        assert_eq!(large.objects.len(), 2);
        // The index follows the objects to their new places in the list.
        assert_eq!(large.object_at(addr(a) + 8), Some(a));
        assert_eq!(large.object_at(addr(c) + 8), Some(c));
        assert!(!large.is_object_start(addr(b)));
        assert_eq!(large.sweep(|_| false), 300 + 512);
        assert_eq!((large.used(), large.capacity()), (0, 0));
        assert_eq!(large.object_at(addr(a)), None);
    }
}
