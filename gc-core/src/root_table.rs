//! The root table: the slots of one heap's roots, shared between the heap and its roots.
//!
//! Each [`Root`](crate::Root) owns one slot. The collector traces every occupied slot and
//! rewrites it when its object moves; a dropped root frees its slot for the next one.

use core::cell::RefCell;
use core::ptr::NonNull;

/// The root slots of one heap, shared between the heap and its roots.
///
/// # Roots released during a collection
/// Drop glue runs during collections, and it may drop a `Root` (one held in a `#[gc(ignore)]`
/// field, say). Its slot is not freed then: it stays a root until the collection ends, so every
/// phase after the release still traces and updates it like any other (a major collection
/// runs drop glue before it rewrites pointers, and the target may move after). The collector,
/// the verifier and the re-mark check therefore see one consistent root set per collection,
/// and no address recorded before compaction is read after it.
pub(crate) struct RootTable {
    slots: RefCell<Vec<Option<NonNull<u8>>>>,
    free: RefCell<Vec<usize>>,
    /// While a collection runs: the slots released so far, freed when it ends.
    released_while_collecting: RefCell<Option<Vec<usize>>>,
    /// The slots of [`Pinned`](crate::Pinned) handles, whose objects must not move.
    pinned: RefCell<Vec<usize>>,
}

impl RootTable {
    pub(crate) fn new() -> Self {
        RootTable {
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            released_while_collecting: RefCell::new(None),
            pinned: RefCell::new(Vec::new()),
        }
    }

    /// The object of slot `index` must not move until [`RootTable::unpin`].
    pub(crate) fn pin(&self, index: usize) {
        self.pinned.borrow_mut().push(index)
    }

    pub(crate) fn unpin(&self, index: usize) {
        let mut pinned = self.pinned.borrow_mut();
        if let Some(at) = pinned.iter().position(|&i| i == index) {
            pinned.swap_remove(at);
        }
    }

    /// The objects that must not move.
    pub(crate) fn pinned_objects(&self) -> Vec<NonNull<u8>> {
        let slots = self.slots.borrow();
        let pinned = self.pinned.borrow();
        pinned.iter().filter_map(|&i| slots[i]).collect()
    }

    pub(crate) fn add(&self, obj: NonNull<u8>) -> usize {
        let mut slots = self.slots.borrow_mut();
        match self.free.borrow_mut().pop() {
            Some(i) => {
                slots[i] = Some(obj);
                i
            }
            None => {
                slots.push(Some(obj));
                slots.len() - 1
            }
        }
    }

    pub(crate) fn remove(&self, index: usize) {
        if let Some(released) = self.released_while_collecting.borrow_mut().as_mut() {
            released.push(index);
            return;
        }
        self.free_slot(index)
    }

    fn free_slot(&self, index: usize) {
        if let Some(slot) = self.slots.borrow_mut().get_mut(index) {
            if slot.take().is_some() {
                self.free.borrow_mut().push(index);
            }
        }
    }

    pub(crate) fn get(&self, index: usize) -> NonNull<u8> {
        self.slots.borrow()[index].expect("tenured-gc: root used after its heap was dropped")
    }

    pub(crate) fn set(&self, index: usize, obj: NonNull<u8>) {
        self.slots.borrow_mut()[index] = Some(obj);
    }

    /// Calls `visit` with every occupied slot, for the collector.
    pub(crate) fn for_each_slot(&self, mut visit: impl FnMut(&mut NonNull<u8>)) {
        for slot in self.slots.borrow_mut().iter_mut().flatten() {
            visit(slot)
        }
    }

    /// Calls `visit` with the index and the object of every occupied slot, in index order:
    /// for the walks that name roots, which only read.
    pub(crate) fn for_each_root(&self, mut visit: impl FnMut(usize, NonNull<u8>)) {
        let slots = self.slots.borrow().clone();
        for (index, slot) in slots.into_iter().enumerate() {
            if let Some(obj) = slot {
                visit(index, obj)
            }
        }
    }

    /// A collection begins: roots released from now on stay roots until it ends.
    pub(crate) fn begin_collection(&self) {
        *self.released_while_collecting.borrow_mut() = Some(Vec::new());
    }

    /// The collection has ended: frees the slots released during it.
    pub(crate) fn end_collection(&self) {
        let released = self.released_while_collecting.borrow_mut().take();
        for index in released.into_iter().flatten() {
            self.free_slot(index)
        }
    }

    /// Empties every slot: the heap is gone.
    pub(crate) fn clear(&self) {
        *self.released_while_collecting.borrow_mut() = None;
        self.pinned.borrow_mut().clear();
        self.slots
            .borrow_mut()
            .iter_mut()
            .for_each(|slot| *slot = None);
    }
}
