//! The spaces objects live in: the nursery (with eden's overflow blocks), the old generation
//! and the large-object space.
//!
//! Each space answers the same few questions for the collectors: allocate, is this address
//! in it, which object covers an address, how much it holds and reserves, and it releases what
//! a collection freed. [`Spaces`] holds them together for the parts that need more than one.

use core::cell::{Cell, RefCell};
use core::ptr::NonNull;

pub(crate) mod cards;
pub(crate) mod large;
pub(crate) mod nursery;
pub(crate) mod old;
pub(crate) mod overflow;

use crate::config::HeapConfig;
use crate::header::WORD;
use cards::CardWindow;
use large::LargeSpace;
use nursery::Nursery;
use old::{OldSpace, CHUNK_SIZE};
use overflow::OverflowSpace;

/// Every space of one heap.
pub(crate) struct Spaces {
    pub(crate) nursery: Nursery,
    /// Eden's overflow blocks.
    pub(crate) overflow: RefCell<OverflowSpace>,
    pub(crate) old: RefCell<OldSpace>,
    pub(crate) large: RefCell<LargeSpace>,
    /// The card tables the barrier dirtied cards of lately, one per slot: an address's slot
    /// is its chunk number modulo [`CARD_WINDOWS`], so stores to a few dozen old chunks (or
    /// large objects) find their table without a lookup. Forgotten at the start of every
    /// collection: only a collection frees card tables.
    card_windows: [Cell<Option<CardWindow>>; CARD_WINDOWS],
}

/// The slots of the barrier's cache of card tables (fewer under Miri, whose tests reach a
/// few dozen chunks at most, so that they still find slots taken by other tables).
const CARD_WINDOWS: usize = if cfg!(miri) { 8 } else { 64 };

/// Walks the objects laid back to back in `[start, top)`, in address order: `step` gets each
/// object's start and returns its size, or `None` to stop there. Returns where the walk ended:
/// `top`, the object `step` stopped at, or past `top` if the last object ran over it.
pub(crate) fn walk_region(
    start: NonNull<u8>,
    top: NonNull<u8>,
    mut step: impl FnMut(NonNull<u8>) -> Option<usize>,
) -> NonNull<u8> {
    let mut obj = start;
    while obj < top {
        let Some(size) = step(obj) else { break };
        // SAFETY: objects lie back to back, so the next one starts `size` bytes on; the
        // caller's region holds them, and a size running past it ends the walk.
        obj = unsafe { obj.add(size) };
    }
    obj
}

impl Spaces {
    /// The spaces of a heap with `config`, which must be valid.
    pub(crate) fn new(config: &HeapConfig) -> Self {
        Spaces {
            nursery: Nursery::new(
                config.nursery_size.next_multiple_of(WORD),
                HeapConfig::survivor_size(config.nursery_size),
                config.max_nursery_size.next_multiple_of(WORD),
                HeapConfig::survivor_size(config.max_nursery_size),
            ),
            overflow: RefCell::new(OverflowSpace::new()),
            old: RefCell::new(OldSpace::new()),
            large: RefCell::new(LargeSpace::new()),
            card_windows: [const { Cell::new(None) }; CARD_WINDOWS],
        }
    }

    /// Whether `addr` is in the nursery or in eden's overflow blocks.
    pub(crate) fn is_young(&self, addr: usize) -> bool {
        self.nursery.contains(addr) || self.overflow.borrow().contains(addr)
    }

    /// Dirties the card of `addr` if it lies in an old chunk or a large object; false if it
    /// lies outside both. Tries the card table in `addr`'s slot of the cache first, then the
    /// spaces' own lookups, and caches the table they find.
    #[inline]
    pub(crate) fn dirty_card(&self, addr: usize) -> bool {
        let slot = &self.card_windows[(addr / CHUNK_SIZE) % CARD_WINDOWS];
        if let Some(window) = slot.get() {
            // SAFETY: the window was taken since the last collection began, and only a
            // collection frees card tables (with their chunks and large objects).
            if unsafe { window.dirty(addr) } {
                return true;
            }
        }
        let (old, large) = (self.old.borrow(), self.large.borrow());
        match old.cards_at(addr).or_else(|| large.cards_at(addr)) {
            Some(cards) => {
                cards.dirty(addr);
                slot.set(Some(cards.window()));
                true
            }
            None => false,
        }
    }

    /// A collection begins: it may free card tables, so the barrier's cache of them is
    /// forgotten.
    pub(crate) fn forget_card_windows(&mut self) {
        for slot in &self.card_windows {
            slot.set(None);
        }
    }

    /// Whether `addr` lies on a dirty card of an old chunk or a large object.
    pub(crate) fn card_is_dirty(&self, addr: usize) -> bool {
        let old = self.old.borrow();
        match old.cards_at(addr) {
            Some(cards) => cards.is_dirty(addr),
            None => self
                .large
                .borrow()
                .cards_at(addr)
                .is_some_and(|cards| cards.is_dirty(addr)),
        }
    }

    /// Bytes held by old and large objects.
    pub(crate) fn old_and_large_used(&self) -> usize {
        self.old.borrow().used() + self.large.borrow().used()
    }

    /// Bytes reserved from the system by every space; `eden_used` is how far the window went
    /// into eden, which may be past its soft size.
    pub(crate) fn reserved(&self, eden_used: usize) -> usize {
        self.nursery.capacity(eden_used)
            + self.overflow.borrow().capacity()
            + self.old.borrow().capacity()
            + self.large.borrow().capacity()
    }
}
