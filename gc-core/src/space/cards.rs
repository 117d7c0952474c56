//! Card tables: which parts of an old chunk or a large object may point into the nursery.
//!
//! A card is [`CARD_SIZE`] bytes of a block of memory; its byte in the table is non-zero
//! (*dirty*) when a cell on it may hold a young pointer. The write barrier dirties the card of
//! the cell it stored to, and a minor collection scans only the objects on dirty cards (and,
//! in a large array, only the elements on them), so its cost follows the stores, not the size
//! of the objects stored to.
//!
//! A minor collection takes each table's dirty cards and cleans them before it scans; a slot
//! that still points into the nursery afterwards dirties its card again.

use core::cell::Cell;
use core::ptr::NonNull;

/// The bytes of memory one card covers.
pub(crate) const CARD_SIZE: usize = 128;

const DIRTY: u8 = 1;

/// A copy of where a card table is, for the write barrier to dirty cards without a lookup.
/// Valid while its table lives: until the next collection, which may free old chunks and
/// large objects (see `Spaces::dirty_card`).
#[derive(Clone, Copy)]
pub(crate) struct CardWindow {
    base: usize,
    /// The bytes the table covers: its last card may reach past them, into other memory.
    size: usize,
    cards: NonNull<Cell<u8>>,
}

impl CardWindow {
    /// Dirties the card of `addr` if the window covers it; false if it does not.
    ///
    /// # Safety
    /// - The table the window was taken from must still be alive.
    #[inline(always)]
    pub(crate) unsafe fn dirty(self, addr: usize) -> bool {
        let offset = addr.wrapping_sub(self.base);
        if offset >= self.size {
            return false;
        }
        // SAFETY: the table has a card for each `CARD_SIZE` bytes of `size`, and the caller
        // promises it is alive.
        unsafe { self.cards.add(offset / CARD_SIZE).as_ref().set(DIRTY) };
        true
    }
}

/// The cards of one block of memory, `[base, base + len * CARD_SIZE)`.
pub(crate) struct CardTable {
    base: usize,
    /// The bytes covered, from `base`.
    size: usize,
    cards: Box<[Cell<u8>]>,
}

impl CardTable {
    /// A clean table for the `size` bytes from `base`.
    pub(crate) fn new(base: NonNull<u8>, size: usize) -> CardTable {
        CardTable {
            base: base.as_ptr().addr(),
            size,
            cards: (0..size.div_ceil(CARD_SIZE))
                .map(|_| Cell::new(0))
                .collect(),
        }
    }

    /// The index of the card `addr` is on, if the table covers it.
    #[inline]
    fn index(&self, addr: usize) -> Option<usize> {
        let offset = addr.wrapping_sub(self.base);
        (offset < self.size).then_some(offset / CARD_SIZE)
    }

    /// Dirties the card `addr` is on, which must be one the table covers.
    #[inline]
    pub(crate) fn dirty(&self, addr: usize) {
        let i = self.index(addr);
        debug_assert!(
            i.is_some(),
            "address {addr:#x} outside the card table at {:#x}",
            self.base
        );
        if let Some(card) = i.and_then(|i| self.cards.get(i)) {
            card.set(DIRTY)
        }
    }

    /// Where the table is, for the barrier's last-table cache.
    pub(crate) fn window(&self) -> CardWindow {
        CardWindow {
            base: self.base,
            size: self.size,
            cards: NonNull::from(&*self.cards).cast(),
        }
    }

    /// Whether the card `addr` is on is dirty (false outside the table).
    pub(crate) fn is_dirty(&self, addr: usize) -> bool {
        self.index(addr)
            .is_some_and(|i| self.cards[i].get() == DIRTY)
    }

    /// Whether any card is dirty.
    pub(crate) fn any_dirty(&self) -> bool {
        self.cards.iter().any(|c| c.get() != 0)
    }

    /// Cleans the table and returns the address ranges of the cards that were dirty, in
    /// address order, adjacent dirty cards merged into one range.
    pub(crate) fn take_dirty(&self) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        if !self.any_dirty() {
            return ranges;
        }
        for (i, card) in self.cards.iter().enumerate() {
            if card.replace(0) == 0 {
                continue;
            }
            let start = self.base + i * CARD_SIZE;
            match ranges.last_mut() {
                Some(last) if last.1 == start => last.1 = start + CARD_SIZE,
                _ => ranges.push((start, start + CARD_SIZE)),
            }
        }
        ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cards: usize) -> (Box<[u64]>, CardTable) {
        let memory = vec![0u64; cards * CARD_SIZE / 8].into_boxed_slice();
        let base = NonNull::from(&memory[0]).cast();
        (memory, CardTable::new(base, cards * CARD_SIZE))
    }

    #[test]
    fn a_store_dirties_the_card_of_its_address_only() {
        let (_memory, cards) = table(4);
        let base = cards.base;
        assert!(!cards.any_dirty());
        cards.dirty(base + CARD_SIZE + 8);
        assert!(cards.is_dirty(base + CARD_SIZE));
        assert!(cards.is_dirty(base + 2 * CARD_SIZE - 1));
        assert!(!cards.is_dirty(base + CARD_SIZE - 1));
        assert!(!cards.is_dirty(base + 2 * CARD_SIZE));
        assert!(!cards.is_dirty(base + 4 * CARD_SIZE), "past the table");
        assert!(!cards.is_dirty(base.wrapping_sub(8)), "before the table");
        assert!(cards.any_dirty());
    }

    #[test]
    fn take_dirty_merges_adjacent_cards_and_cleans_the_table() {
        let (_memory, cards) = table(6);
        let base = cards.base;
        for card in [0, 1, 3, 5] {
            cards.dirty(base + card * CARD_SIZE + 16);
        }
        let c = CARD_SIZE;
        assert_eq!(
            cards.take_dirty(),
            [
                (base, base + 2 * c),
                (base + 3 * c, base + 4 * c),
                (base + 5 * c, base + 6 * c)
            ]
        );
        assert!(!cards.any_dirty());
        assert_eq!(cards.take_dirty(), []);
    }

    #[test]
    fn a_partial_last_card_is_covered() {
        let memory = vec![0u64; (CARD_SIZE + 64) / 8].into_boxed_slice();
        let base = NonNull::from(&memory[0]).cast::<u8>();
        let cards = CardTable::new(base, CARD_SIZE + 64);
        let last = base.as_ptr().addr() + CARD_SIZE + 56;
        cards.dirty(last);
        assert!(cards.is_dirty(last));
        assert!(
            !cards.is_dirty(last + WORD_AFTER),
            "the last card reaches past the block, which the table does not cover"
        );
        // SAFETY: the table is alive.
        assert!(!unsafe { cards.window().dirty(last + WORD_AFTER) });
        // SAFETY: as above.
        assert!(unsafe { cards.window().dirty(last) });
    }

    /// From the last word of a block to the word after it.
    const WORD_AFTER: usize = 8;
}
