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
//! block (overflow objects are young). Otherwise the barrier finds the old or large object
//! that holds the cell (the old generation's object-start bitmap, the large space's index) and
//! remembers it. A cell outside every space (in a `Vec`'s buffer, say) cannot name its owner:
//! the remembered set notes the store, and the next minor collection rescans the objects that
//! may own such cells.
//!
//! # Objects born old
//! A large object is allocated straight into its space, possibly with young pointers in its
//! value: [`record_new_large`] scans it once and remembers it if so.

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
    if spaces.is_young(addr) {
        return;
    }
    match spaces.old_or_large_object_at(addr) {
        // SAFETY: the space found a live object covering the cell, outside a collection.
        Some(owner) => unsafe { remembered.remember(owner) },
        None => remembered.note_out_of_line_store(),
    }
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
        found: bool,
    }
    impl EdgeVisitor for FindYoung<'_> {
        fn edge(&mut self, slot: &mut NonNull<u8>) {
            self.found |= self.spaces.is_young(slot.as_ptr().addr());
        }
        fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
            if let Some(target) = slot {
                self.edge(target)
            }
        }
    }
    let mut finder = FindYoung {
        spaces,
        found: false,
    };
    // SAFETY: the caller promises a fresh object of type `info`, not referred to elsewhere.
    unsafe { scan(obj, info, &mut finder) };
    if finder.found {
        // SAFETY: as above: a live large object with an intact header.
        unsafe { remembered.remember(obj) }
    }
}
