//! Pinning: keeping one object where it is, so that its address can be used outside Rust.
//!
//! [`Heap::pin`] gives a [`Pinned`] handle: a root whose object neither collector moves
//! until the handle is dropped. A young object is first promoted (by a minor collection that
//! tenures it), since the nursery's objects all move; an old object stays put through every
//! major collection (the objects before it slide up to it, see `collect/major.rs`); a large
//! object never moves anyway.

use core::fmt;

use crate::header::{self, MAX_AGE};
use crate::heap::Heap;
use crate::root::Root;
use crate::type_info::Object;

/// A root whose object does not move while the handle lives: its address, from
/// [`Pinned::as_ptr`], stays valid across collections, for code outside Rust (FFI) or any
/// code that keeps a raw pointer between scopes.
///
/// Made by [`Heap::pin`]. It keeps the object alive, like the [`Root`] it holds. Pin only
/// what needs it, and not for long: an old pinned object keeps the free space before it from
/// being compacted into.
///
/// ```
/// use tenured_gc::{Gc, Heap};
///
/// let mut heap = Heap::new();
/// let root = heap.mutate(|m| m.root(Gc::new(m, [1_u32, 2, 3])));
/// let pinned = heap.pin(&root);
/// let address = pinned.as_ptr();
/// for _ in 0..3 {
///     heap.mutate(|m| {
///         Gc::new(m, 0_u64); // garbage
///     });
///     heap.collect_minor();
///     heap.collect_major();
///     assert_eq!(pinned.as_ptr(), address);
/// }
/// // SAFETY: the object is pinned and alive, and no scope is open that could change it.
/// assert_eq!(unsafe { (*address)[2] }, 3);
/// drop(pinned); // it may move again
/// ```
pub struct Pinned<T: ?Sized> {
    root: Root<T>,
}

impl Heap {
    /// Pins the object of `root`: until the returned handle is dropped, no collection moves
    /// it. If the object is young, a minor collection runs first and promotes it.
    ///
    /// # Panics
    /// If `root` belongs to another heap.
    pub fn pin<T: ?Sized + Object>(&mut self, root: &Root<T>) -> Pinned<T> {
        let state = self.inner();
        let obj = root.object(&state.roots);
        if state.spaces.is_young(obj.as_ptr().addr()) {
            // SAFETY: between scopes, a rooted object is live with an intact header; only
            // its age changes, so that the next minor collection promotes it.
            unsafe {
                let h = header::read(obj);
                header::write(obj, h.with_age(MAX_AGE));
            }
            self.collect_minor();
        }
        let state = self.inner();
        let root = root.clone();
        assert!(
            !state
                .spaces
                .is_young(root.object(&state.roots).as_ptr().addr()),
            "tenured-gc: the object to pin is still young after a minor collection"
        );
        state.roots.pin(root.index());
        Pinned { root }
    }
}

impl<T: ?Sized + Object> Pinned<T> {
    /// The object's value: the same address until this handle is dropped.
    ///
    /// Reading through it between scopes is sound while the handle lives, as long as no
    /// scope of the heap changes the value meanwhile; a store of a managed pointer through
    /// it would bypass the write barrier, so store pointers with `GcCell` in a scope instead.
    pub fn as_ptr(&self) -> *const T {
        let obj = self.root.table.get(self.root.index());
        // SAFETY: the object is rooted, so live, and pinned, so it stays where it is while
        // the pointer is used.
        unsafe { T::value(obj) }
    }
}

impl<T: ?Sized> Pinned<T> {
    /// A root of the pinned object, to reach it in a scope. It is a root of its own (a
    /// clone): [`Root::set`] on it changes that root, never what this handle pins.
    pub fn root(&self) -> Root<T> {
        self.root.clone()
    }
}

impl<T: ?Sized> Drop for Pinned<T> {
    fn drop(&mut self) {
        self.root.table.unpin(self.root.index())
    }
}

impl<T: ?Sized> fmt::Debug for Pinned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pinned({:?})", self.root)
    }
}
