//! `GcWeak<'gc, T>`: a reference that does not keep its target alive.
//!
//! The collector treats a weak slot apart from strong ones: after it has found everything
//! reachable, it points each weak slot at its target's new place, or clears it if the
//! target died. Upgrading within a scope therefore always finds a live object or nothing.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::gc::Gc;
use crate::trace::{Rebrand, Trace, Tracer};
use crate::type_info::Object;

/// A weak reference to a managed object: cleared when the object dies, moved with it.
///
/// Store it in a field (or a [`GcCell`](crate::GcCell) to change it later) and call
/// [`GcWeak::upgrade`] in a later scope.
///
/// ```
/// use tenured_gc::{Gc, GcCell, GcWeak, Heap};
///
/// let mut heap = Heap::new();
/// let (cache, value) = heap.mutate(|m| {
///     let value = Gc::new(m, 42_u32);
///     let cache = Gc::new(m, GcCell::new(Gc::downgrade(value)));
///     (m.root(cache), m.root(value))
/// });
/// heap.collect_minor(); // the value moves; the weak reference follows it
/// heap.mutate(|m| assert_eq!(cache.get(m).get().upgrade().map(|v| *v), Some(42)));
/// drop(value); // nothing else keeps the value alive
/// heap.collect_major();
/// heap.mutate(|m| {
///     let weak: GcWeak<u32> = cache.get(m).get();
///     assert!(weak.is_dead() && weak.upgrade().is_none());
/// });
/// ```
#[repr(transparent)]
pub struct GcWeak<'gc, T: ?Sized + 'gc> {
    pub(crate) obj: Option<NonNull<u8>>,
    _marker: PhantomData<(*const T, Cell<&'gc ()>)>,
}

impl<T: ?Sized> Clone for GcWeak<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for GcWeak<'_, T> {}

impl<'gc, T: ?Sized> GcWeak<'gc, T> {
    pub(crate) fn from_obj(obj: Option<NonNull<u8>>) -> Self {
        GcWeak {
            obj,
            _marker: PhantomData,
        }
    }

    /// A weak reference to nothing.
    pub fn new() -> Self {
        GcWeak::from_obj(None)
    }

    /// The target, if it is still alive.
    #[inline]
    pub fn upgrade(self) -> Option<Gc<'gc, T>> {
        self.obj.map(Gc::from_obj)
    }

    /// Whether the target has died (or there never was one).
    pub fn is_dead(self) -> bool {
        self.obj.is_none()
    }

    /// Whether `a` and `b` refer to the same object, or both to none (what `a == b` says
    /// too).
    ///
    /// Like [`Gc::ptr_eq`], this compares identity, which collections keep; two references
    /// whose targets have died are equal, as `std::rc::Weak::ptr_eq` has it.
    ///
    /// ```
    /// use tenured_gc::{Gc, GcWeak, Heap};
    ///
    /// let mut heap = Heap::new();
    /// heap.mutate(|m| {
    ///     let (a, b) = (Gc::new(m, 1), Gc::new(m, 1));
    ///     assert!(GcWeak::ptr_eq(Gc::downgrade(a), Gc::downgrade(a)));
    ///     assert!(!GcWeak::ptr_eq(Gc::downgrade(a), Gc::downgrade(b)));
    ///     assert!(GcWeak::ptr_eq(GcWeak::<i32>::new(), GcWeak::new()));
    /// });
    /// ```
    #[inline]
    pub fn ptr_eq(a: GcWeak<'gc, T>, b: GcWeak<'gc, T>) -> bool {
        a.obj == b.obj
    }
}

/// Equality is identity, as for [`Gc`]: see [`GcWeak::ptr_eq`].
impl<'gc, T: ?Sized> PartialEq for GcWeak<'gc, T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        GcWeak::ptr_eq(*self, *other)
    }
}

impl<T: ?Sized> Eq for GcWeak<'_, T> {}

impl<'gc, T: ?Sized> Gc<'gc, T> {
    /// A weak reference to the object.
    #[inline]
    pub fn downgrade(this: Gc<'gc, T>) -> GcWeak<'gc, T> {
        GcWeak::from_obj(Some(this.obj))
    }
}

impl<T: ?Sized> Default for GcWeak<'_, T> {
    fn default() -> Self {
        GcWeak::new()
    }
}

/// Writes `GcWeak(alive)` or `GcWeak(dead)`: it does not enter the target, so a graph held
/// together by weak references is written without following them.
impl<T: ?Sized> fmt::Debug for GcWeak<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.obj.is_some() {
            "GcWeak(alive)"
        } else {
            "GcWeak(dead)"
        })
    }
}

// SAFETY: the only managed pointer is handed to the tracer as a weak edge.
unsafe impl<T: ?Sized + Object> Trace for GcWeak<'_, T> {
    const HAS_CELLS: bool = false;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.weak_edge(&mut self.obj)
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: ?Sized + Rebrand<'gc>> Rebrand<'gc> for GcWeak<'_, T> {
    type Branded = GcWeak<'gc, T::Branded>;
}
