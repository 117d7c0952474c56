//! The remembered set: the old and large objects that point into the nursery from memory
//! they own outside themselves.
//!
//! # What is remembered where
//! A minor collection traces only the young generation, so it must know every old-to-young
//! pointer. Most lie in the old object's own memory, and the card tables
//! (`space/cards.rs`) record them: the barrier dirties the card of the cell stored to, and a
//! minor collection dirties the card of every slot that still points into the nursery after
//! it. A pointer in memory the object owns elsewhere (a `Vec`'s buffer, a `Box`) has no card;
//! the object that owns it is listed here instead, when a minor collection finds such a
//! pointer (`collect/minor.rs`, as it scans promoted objects and the objects on dirty cards)
//! or when a large object is born with one (`barrier.rs`).
//!
//! An object is listed once: its header carries [`REMEMBERED`] while it is listed.
//!
//! # Stores to cells outside every space
//! A barriered store to a cell outside every space cannot name its owner. The set then only
//! notes that such a store happened, and the next minor collection rescans every old or large
//! object whose type may own such cells; the two flags below say whether any object in each
//! space may.

use core::cell::{Cell, RefCell};
use core::ptr::NonNull;

use crate::header::{self, Header, REMEMBERED};

/// The old and large objects a minor collection must scan whole, as roots.
pub(crate) struct RememberedSet {
    /// The listed objects, each with its header REMEMBERED.
    objects: RefCell<Vec<NonNull<u8>>>,
    /// A barriered store went to a cell outside every space since the last minor collection.
    out_of_line_store: Cell<bool>,
    /// Some old object may own barriered cells outside itself.
    pub(crate) old_may_own_out_of_line_cells: Cell<bool>,
    /// Some large object may own barriered cells outside itself.
    pub(crate) large_may_own_out_of_line_cells: Cell<bool>,
}

/// Lists `obj` in `list` unless its header says it is listed already.
///
/// # Safety
/// - `obj` must be the start of a live old or large object with an intact header.
pub(crate) unsafe fn list_once(obj: NonNull<u8>, list: &mut Vec<NonNull<u8>>) {
    // SAFETY: the caller promises an intact header.
    let h = unsafe { header::read(obj) };
    if !h.has(REMEMBERED) {
        // SAFETY: as above; only the state bits change.
        unsafe { header::write(obj, h.with(REMEMBERED)) };
        list.push(obj);
    }
}

impl RememberedSet {
    pub(crate) fn new() -> Self {
        RememberedSet {
            objects: RefCell::new(Vec::new()),
            out_of_line_store: Cell::new(false),
            old_may_own_out_of_line_cells: Cell::new(false),
            large_may_own_out_of_line_cells: Cell::new(false),
        }
    }

    /// Remembers the old or large object `obj`, once.
    ///
    /// # Safety
    /// - `obj` must be the start of a live old or large object with an intact header.
    pub(crate) unsafe fn remember(&self, obj: NonNull<u8>) {
        // SAFETY: the caller's promise.
        unsafe { list_once(obj, &mut self.objects.borrow_mut()) }
    }

    /// Notes a barriered store to a cell outside every space.
    pub(crate) fn note_out_of_line_store(&self) {
        self.out_of_line_store.set(true)
    }

    /// For a minor collection: the listed objects (still REMEMBERED: the collection clears the
    /// bit as it scans each) and whether a store went outside every space.
    pub(crate) fn take(&mut self) -> (Vec<NonNull<u8>>, bool) {
        let objects = core::mem::take(self.objects.get_mut());
        (objects, core::mem::take(self.out_of_line_store.get_mut()))
    }

    /// After a minor collection: the objects that still point into the nursery, each REMEMBERED.
    pub(crate) fn replace(&mut self, next: Vec<NonNull<u8>>) {
        *self.objects.get_mut() = next;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.objects.borrow().is_empty()
    }

    /// Whether the next minor collection scans the old or large object whose header is `h` as a
    /// root: it is listed, or a store went to a cell outside every space and the object's type
    /// may own such cells (its space says whether any object there may). The minor collection
    /// gathers its roots by this rule, and the verifier checks against it.
    pub(crate) fn covers(&self, h: Header, in_large_space: bool) -> bool {
        let space_may_own = if in_large_space {
            self.large_may_own_out_of_line_cells.get()
        } else {
            self.old_may_own_out_of_line_cells.get()
        };
        h.has(REMEMBERED)
            || (self.out_of_line_store.get()
                && space_may_own
                && h.type_info().has_out_of_line_cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::GcCell;
    use crate::gc::Gc;
    use crate::space::old::OldSpace;
    use crate::type_info::Object;

    /// A type whose barriered cells live in its `Vec`'s buffer, outside the object.
    type OutOfLine = Vec<GcCell<'static, Option<Gc<'static, u64>>>>;

    /// An old `u64` object with an intact header.
    fn old_u64(old: &mut OldSpace, value: u64) -> NonNull<u8> {
        let obj = old.alloc(16);
        // SAFETY: a fresh 16-byte block: the header word, then the value.
        unsafe {
            header::write(obj, Header::new(<u64 as Object>::TYPE_INFO));
            obj.add(crate::header::WORD).cast::<u64>().write(value);
        }
        obj
    }

    #[test]
    fn list_once_lists_an_object_once_and_marks_its_header() {
        let mut old = OldSpace::new();
        let (a, b) = (old_u64(&mut old, 1), old_u64(&mut old, 2));
        let mut list = Vec::new();
        // SAFETY: both are old objects with intact headers.
        unsafe {
            list_once(a, &mut list);
            list_once(a, &mut list);
            list_once(b, &mut list);
        }
        assert_eq!(list, [a, b]);
        for obj in [a, b] {
            // SAFETY: as above.
            let h = unsafe { header::read(obj) };
            assert!(h.has(REMEMBERED));
            assert!(
                core::ptr::eq(h.type_info(), <u64 as Object>::TYPE_INFO),
                "type kept"
            );
        }
    }

    #[test]
    fn the_set_hands_its_objects_to_a_minor_collection_once() {
        let mut old = OldSpace::new();
        let a = old_u64(&mut old, 1);
        let mut set = RememberedSet::new();
        assert!(set.is_empty());
        // SAFETY: an old object with an intact header.
        unsafe {
            set.remember(a);
            set.remember(a);
        }
        assert!(!set.is_empty());
        set.note_out_of_line_store();
        assert_eq!(set.take(), (vec![a], true));
        assert!(set.is_empty());
        assert_eq!(set.take(), (vec![], false), "taking empties the set");
        set.replace(vec![a]);
        assert_eq!(set.take().0, [a]);
    }

    #[test]
    fn covers_a_remembered_header_in_either_space() {
        let set = RememberedSet::new();
        let h = Header::new(<u64 as Object>::TYPE_INFO);
        assert!(!set.covers(h, false) && !set.covers(h, true));
        let h = h.with(REMEMBERED);
        assert!(set.covers(h, false) && set.covers(h, true));
    }

    #[test]
    fn covers_out_of_line_owners_only_after_an_out_of_line_store() {
        let mut set = RememberedSet::new();
        let owner = Header::new(<OutOfLine as Object>::TYPE_INFO);
        let leaf = Header::new(<u64 as Object>::TYPE_INFO);
        set.old_may_own_out_of_line_cells.set(true);
        assert!(!set.covers(owner, false), "no store went out of line yet");
        set.note_out_of_line_store();
        assert!(set.covers(owner, false));
        assert!(
            !set.covers(leaf, false),
            "its type owns no cells out of line"
        );
        assert!(
            !set.covers(owner, true),
            "no large object may own such cells"
        );
        set.large_may_own_out_of_line_cells.set(true);
        assert!(set.covers(owner, true));
        set.old_may_own_out_of_line_cells.set(false);
        assert!(!set.covers(owner, false));
        // A minor collection takes the store with the objects.
        let _ = set.take();
        assert!(!set.covers(owner, true));
    }
}
