//! The write barrier: how the collector learns of old-to-young pointers.
//!
//! # Fast path
//! Every barriered cell calls `Mutation::write_barrier` with its own address after a store of
//! managed pointers. A cell in the scope's filter needs nothing (one range check,
//! `ScopeState::skips_barrier`): the nursery, or, in a scope that may still give its eden
//! back, only the memory that scope allocates in.
//!
//! # Slow path ([`record_store`])
//! The cell may belong to an older object, which may now point at a new one: the scope gives
//! up its reclaim first. A young cell then needs nothing more, nor does one in an overflow
//! block (overflow objects are young). Otherwise the barrier dirties the card of the cell
//! (`space/cards.rs`): it finds the old chunk by the cell's address (one hash lookup), or the
//! large object (one more), and sets one byte; it never looks for the object that owns the
//! cell. A cell outside every space (in a `Vec`'s buffer, say) has no card: the remembered
//! set notes the store, and the next minor collection rescans the objects that may own such
//! cells.
//!
//! # Objects born old
//! A large object is allocated straight into its space, possibly with young pointers in its
//! value: [`record_new_large`] scans it once and dirties the cards of its young pointers (or
//! remembers it, for young pointers it owns outside itself).

use core::ptr::NonNull;

use crate::collect::tracer::scan;
use crate::remembered::RememberedSet;
use crate::scope::{Escape, ScopeState};
use crate::space::Spaces;
use crate::trace::EdgeVisitor;
use crate::type_info::TypeInfo;

/// The barrier's slow path, for a store to the cell at `addr`.
#[cold]
#[inline(never)]
pub(crate) fn record_store(
    addr: usize,
    scope: &ScopeState,
    spaces: &Spaces,
    remembered: &RememberedSet,
) {
    scope.escape(Escape::Store);
    if spaces.is_young(addr) || spaces.dirty_card(addr) {
        return;
    }
    remembered.note_out_of_line_store()
}

/// Remembers the new large object `obj`, of type `info`, if its value points into the nursery.
///
/// # Safety
/// - `obj` must be a large object just written, that nothing else refers to yet.
#[cold]
pub(crate) unsafe fn record_new_large(
    obj: NonNull<u8>,
    info: &TypeInfo,
    spaces: &Spaces,
    remembered: &RememberedSet,
) {
    struct FindYoung<'a> {
        spaces: &'a Spaces,
        /// The object's own memory.
        within: (usize, usize),
        /// A young pointer lies outside the object, in memory it owns.
        out_of_line: bool,
    }
    impl EdgeVisitor for FindYoung<'_> {
        fn edge(&mut self, slot: &mut NonNull<u8>) {
            if !self.spaces.is_young(slot.as_ptr().addr()) {
                return;
            }
            let at = core::ptr::from_mut(slot).addr();
            if (self.within.0..self.within.1).contains(&at) {
                self.spaces.dirty_card(at);
            } else {
                self.out_of_line = true;
            }
        }
        fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
            if let Some(target) = slot {
                self.edge(target)
            }
        }
    }
    let start = obj.as_ptr().addr();
    let mut finder = FindYoung {
        spaces,
        // SAFETY: the caller promises an object of type `info`.
        within: (start, start + unsafe { info.object_size(obj) }),
        out_of_line: false,
    };
    // SAFETY: the caller promises a fresh object of type `info`, not referred to elsewhere.
    unsafe { scan(obj, info, &mut finder) };
    if finder.out_of_line {
        // SAFETY: as above: a live large object with an intact header.
        unsafe { remembered.remember(obj) }
    }
}
