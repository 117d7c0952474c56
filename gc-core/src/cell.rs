//! Barriered cells: the only way to change what a managed object points to.
//!
//! A `Gc` gives shared access only, so every change to a managed object goes through a cell
//! that runs the write barrier: [`GcCell`] for `Copy` values (`Option<Gc<_>>`, numbers,
//! weak references) and [`GcRefCell`] for everything else. A cell holding a leaf type (no
//! managed pointers) skips the barrier at compile time.

use core::cell::{Cell, Ref, RefCell, RefMut, UnsafeCell};
use core::fmt;
use core::marker::PhantomData;

use crate::heap_send::HeapKind;
use crate::mutation::Mutation;
use crate::trace::NamedTracer;
use crate::trace::{Leaf, Rebrand, Trace, Tracer};

/// A mutable `Copy` value in a managed object, like `Cell`, with the write barrier.
///
/// ```
/// # use tenured_gc::{Gc, GcCell, Heap};
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let a = Gc::new(m, GcCell::new(None::<Gc<i32>>));
///     a.set(m, Some(Gc::new(m, 7)));
///     assert_eq!(*a.get().unwrap(), 7);
/// });
/// ```
#[repr(transparent)]
pub struct GcCell<'gc, T> {
    value: UnsafeCell<T>,
    _brand: PhantomData<Cell<&'gc ()>>,
}

impl<'gc, T> GcCell<'gc, T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        GcCell {
            value: UnsafeCell::new(value),
            _brand: PhantomData,
        }
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<'gc, T: Copy + Trace> GcCell<'gc, T> {
    /// A copy of the value.
    #[inline(always)]
    pub fn get(&self) -> T {
        // SAFETY: the cell never hands out a reference to its value, so reading a copy
        // cannot alias a write (the type is `!Sync`).
        unsafe { *self.value.get() }
    }

    /// Stores `value` and records the store for the collector.
    #[inline(always)]
    pub fn set(&self, m: &Mutation<'gc, impl HeapKind>, value: T) {
        self.store(value);
        if !T::IS_LEAF {
            m.write_barrier((self as *const Self).cast())
        }
    }

    /// Stores `value` without the write barrier.
    #[inline(always)]
    pub(crate) fn store(&self, value: T) {
        // SAFETY: as in `get`: no reference to the value exists.
        unsafe { *self.value.get() = value };
    }

    /// Stores `value` and returns the old value.
    #[inline]
    pub fn replace(&self, m: &Mutation<'gc, impl HeapKind>, value: T) -> T {
        let old = self.get();
        self.set(m, value);
        old
    }
}

/// Writes `GcCell(value)`; a `Gc` inside ends on cycles (see its `Debug`).
impl<T: Copy + Trace + fmt::Debug> fmt::Debug for GcCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GcCell").field(&self.get()).finish()
    }
}

/// Compares the values, as `Cell` does; a `Gc` inside compares by identity.
impl<T: Copy + Trace + PartialEq> PartialEq for GcCell<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Copy + Trace + Eq> Eq for GcCell<'_, T> {}

impl<T: Default> Default for GcCell<'_, T> {
    fn default() -> Self {
        GcCell::new(T::default())
    }
}

impl<T: Copy> Clone for GcCell<'_, T> {
    fn clone(&self) -> Self {
        // SAFETY: as in `get`.
        GcCell::new(unsafe { *self.value.get() })
    }
}

// SAFETY: the value is traced in place; the cell is `repr(transparent)`, so it is a pointer
// slot exactly when its value is (but never non-null: `UnsafeCell` hides the niche).
unsafe impl<T: Trace> Trace for GcCell<'_, T> {
    const IS_LEAF: bool = T::IS_LEAF;
    const POINTER_SLOT: bool = T::POINTER_SLOT;
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.value.get_mut())
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.trace(self.value.get_mut())
    }
}

// SAFETY: the cell holds only its value, a leaf.
unsafe impl<T: Leaf> Leaf for GcCell<'_, T> {}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for GcCell<'_, T>
where
    T::Branded: Sized,
{
    type Branded = GcCell<'gc, T::Branded>;
}

/// A mutable value in a managed object, like `RefCell`, with the write barrier run when it
/// is borrowed mutably.
///
/// ```
/// # use tenured_gc::{Gc, GcRefCell, Heap};
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let list = Gc::new(m, GcRefCell::new(Vec::new()));
///     list.borrow_mut(m).push(Gc::new(m, 1));
///     assert_eq!(*list.borrow()[0], 1);
/// });
/// ```
pub struct GcRefCell<'gc, T> {
    value: RefCell<T>,
    _brand: PhantomData<Cell<&'gc ()>>,
}

impl<'gc, T> GcRefCell<'gc, T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        GcRefCell {
            value: RefCell::new(value),
            _brand: PhantomData,
        }
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<'gc, T: Trace> GcRefCell<'gc, T> {
    /// Borrows the value.
    ///
    /// # Panics
    /// If the value is borrowed mutably.
    #[inline]
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        self.value.borrow()
    }

    /// Borrows the value mutably, recording for the collector that it may change.
    ///
    /// # Panics
    /// If the value is borrowed.
    #[inline]
    #[track_caller]
    pub fn borrow_mut(&self, m: &Mutation<'gc, impl HeapKind>) -> RefMut<'_, T> {
        let guard = self.value.borrow_mut();
        if !T::IS_LEAF {
            m.write_barrier((self as *const Self).cast())
        }
        guard
    }
}

/// Writes `GcRefCell(value)`, or `GcRefCell(<borrowed>)` while it is borrowed mutably; a `Gc`
/// inside ends on cycles (see its `Debug`).
impl<T: Trace + fmt::Debug> fmt::Debug for GcRefCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value.try_borrow() {
            Ok(v) => f.debug_tuple("GcRefCell").field(&*v).finish(),
            Err(_) => f.write_str("GcRefCell(<borrowed>)"),
        }
    }
}

/// Compares the values, as `RefCell` does; a `Gc` inside compares by identity.
///
/// # Panics
/// If either value is borrowed mutably.
impl<T: Trace + PartialEq> PartialEq for GcRefCell<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        *self.borrow() == *other.borrow()
    }
}

impl<T: Trace + Eq> Eq for GcRefCell<'_, T> {}

impl<T: Default> Default for GcRefCell<'_, T> {
    fn default() -> Self {
        GcRefCell::new(T::default())
    }
}

// SAFETY: the value is traced in place. Collections run only between scopes, when no
// borrow of the cell can be in use.
unsafe impl<T: Trace> Trace for GcRefCell<'_, T> {
    const IS_LEAF: bool = T::IS_LEAF;
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.value.get_mut())
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.trace(self.value.get_mut())
    }
}

// SAFETY: the cell holds only its value, a leaf.
unsafe impl<T: Leaf> Leaf for GcRefCell<'_, T> {}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for GcRefCell<'_, T>
where
    T::Branded: Sized,
{
    type Branded = GcRefCell<'gc, T::Branded>;
}
