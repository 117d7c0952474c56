//! Hooks that break a heap on purpose, so tests can prove the verifier notices. Compiled only
//! with the `__test_hooks` feature, which only this project's tests turn on; each hook is
//! `unsafe`, since each one makes the heap unsound or exposes what moves.

use core::ptr::NonNull;

use crate::{Gc, GcCell, Heap, Mutation, Trace};

/// Stores into `cell` without the write barrier.
///
/// # Safety
/// - Breaks the remembered set if the cell is in an old object and `value` is young.
pub unsafe fn set_without_barrier<'gc, T: Copy + Trace>(cell: &GcCell<'gc, T>, value: T) {
    cell.store(value)
}

/// Overwrites the header of `gc`'s object with `word`.
///
/// # Safety
/// - The heap is corrupt afterwards: only the verifier may look at it, and it must be
///   [`retire`]d before it is dropped.
pub unsafe fn overwrite_header<T: ?Sized>(gc: Gc<'_, T>, word: *const u8) {
    // SAFETY: the caller accepts a corrupt heap; the header word is writable.
    unsafe { gc.obj.as_ptr().cast::<*const u8>().write(word) }
}

/// A `Gc` holding any address.
///
/// # Safety
/// - The result must only be stored for the verifier to find, never dereferenced.
pub unsafe fn forge<'gc, T: ?Sized>(addr: *mut u8) -> Gc<'gc, T> {
    Gc::from_obj(NonNull::new(addr).expect("a non-null address"))
}

/// The address of the object `gc` points at (its header).
///
/// # Safety
/// - The address is valid only in `gc`'s scope (the object moves at collections), and only
///   for handing to the other hooks.
pub unsafe fn object_start<T: ?Sized>(gc: Gc<'_, T>) -> *mut u8 {
    gc.obj.as_ptr()
}

/// Marks a heap broken by these hooks unusable, so that dropping it frees its memory without
/// walking its (corrupt) objects.
///
/// # Safety
/// - No drop glue of the heap's objects ever runs afterwards: their values leak.
pub unsafe fn retire(heap: &Heap) {
    heap.inner().poison();
}

/// The start of the survivor space that is empty between collections.
///
/// # Safety
/// - As for [`object_start`]: only for handing to [`forge`].
pub unsafe fn empty_survivor_space(m: &Mutation<'_>) -> *mut u8 {
    m.heap().spaces.nursery.to_space().cursor.as_ptr()
}
