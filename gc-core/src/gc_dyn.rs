//! `GcDyn<'gc, dyn Trait>`: a pointer to a managed object seen through a trait.
//!
//! # Layout
//! A [`Gc`] is one word, because the type of its target is known. A trait object also needs
//! its vtable, so a `GcDyn` is two words: the address of the object's header, which the
//! collector traces and rewrites like any `Gc`'s, and a *view*, the function that turns the
//! address of the value into a `*const dyn Trait`. The view is the unsizing coercion of the
//! object's concrete type, written by [`coerce!`](crate::coerce) where the compiler checks it,
//! so it never changes when the object moves; the collector never needs it, since the
//! object's header already names its concrete type and how to trace it.
//!
//! Keeping the vtable inside a function rather than in a fat pointer costs an indirect call
//! per dereference, and buys a pointer whose address word is a plain `NonNull<u8>`: stable
//! Rust has no way to put a new address into a fat pointer.
//!
//! # Brands
//! A `GcDyn` is made only from a `Gc` to an object whose lifetimes are all the brand or
//! `'static`, and the trait object's lifetime bound is the brand (`dyn Shape + 'gc`). Changing
//! that bound is then what rebranding the object itself does, which [`dyn_trait!`](crate::dyn_trait) declares
//! for a trait so that a `GcDyn` can be rooted ([`RootDyn`]) or kept in the state of
//! [`Heap::run`](crate::Heap::run).

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;

use crate::mutation::Mutation;
use crate::scope::Escape;
use crate::trace::{Rebrand, Trace, Tracer};
use crate::type_info::WORD;
use crate::{Gc, Root};

/// The view of a `GcDyn`: the unsizing coercion of the object's concrete type, taking the
/// address of the value.
pub(crate) type View<D> = fn(*const u8) -> *const D;

/// A pointer to a managed object seen through a trait: `GcDyn<'gc, dyn Shape + 'gc>`.
///
/// Made from a [`Gc`] with [`coerce!`](crate::coerce), which compiles only where the
/// concrete type implements the trait. It derefs to `&dyn Shape`, is `Copy`, is traced and
/// moved like the `Gc` it came from, and can be kept in managed objects (`Vec`s, cells).
/// To root one, declare the trait with [`dyn_trait!`](crate::dyn_trait) and use
/// [`Mutation::root_dyn`](crate::Mutation::root_dyn).
///
/// ```
/// use tenured_gc::{coerce, Gc, GcDyn, Heap, Trace};
///
/// trait Shape {
///     fn area(&self) -> f64;
/// }
///
/// #[derive(Trace)]
/// struct Square(f64);
///
/// impl Shape for Square {
///     fn area(&self) -> f64 {
///         self.0 * self.0
///     }
/// }
///
/// #[derive(Trace)]
/// struct Canvas<'gc> {
///     shapes: Vec<GcDyn<'gc, dyn Shape + 'gc>>,
/// }
///
/// let mut heap = Heap::new();
/// let canvas = heap.mutate(|m| {
///     let square = Gc::new(m, Square(3.0));
///     let shape: GcDyn<'_, dyn Shape> = coerce!(square => dyn Shape);
///     assert_eq!(shape.area(), 9.0);
///     m.root(Gc::new(m, Canvas { shapes: vec![shape] }))
/// });
/// heap.collect_minor(); // the square moves; the canvas's pointer follows it
/// heap.mutate(|m| assert_eq!(canvas.get(m).shapes[0].area(), 9.0));
/// ```
pub struct GcDyn<'gc, D: ?Sized + 'gc> {
    pub(crate) obj: NonNull<u8>,
    view: View<D>,
    _marker: PhantomData<(*const D, Cell<&'gc ()>)>,
}

impl<D: ?Sized> Clone for GcDyn<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: ?Sized> Copy for GcDyn<'_, D> {}

impl<'gc, D: ?Sized + 'gc> GcDyn<'gc, D> {
    /// What [`coerce!`](crate::coerce) expands to.
    ///
    /// # Safety
    /// - `view` must return its argument, unsized by the compiler's coercion (`|p| p`).
    #[doc(hidden)]
    #[inline]
    pub unsafe fn __coerce<T>(gc: Gc<'gc, T>, view: fn(*const T) -> *const D) -> Self
    where
        T: Trace + Rebrand<'static>,
        <T as Rebrand<'static>>::Branded: 'static,
    {
        // SAFETY: `*const T` and `*const u8` are ABI-compatible (both thin pointers), so the
        // function may be called through either type; it is called only with the address of
        // the `T` value of this object (see `value_ptr`).
        let view = unsafe { core::mem::transmute::<fn(*const T) -> *const D, View<D>>(view) };
        GcDyn::from_parts(gc.obj, view)
    }

    #[inline(always)]
    pub(crate) fn from_parts(obj: NonNull<u8>, view: View<D>) -> Self {
        GcDyn {
            obj,
            view,
            _marker: PhantomData,
        }
    }

    #[inline(always)]
    pub(crate) fn view(self) -> View<D> {
        self.view
    }

    /// The value, borrowed for the whole scope.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)]
    pub fn as_ref(this: GcDyn<'gc, D>) -> &'gc D {
        // SAFETY: a `GcDyn<'gc, _>` points at a live object, no collection runs during `'gc`,
        // and the value of a sized object sits right after its one-word header; `view` unsizes
        // the pointer to it with the object's own vtable.
        unsafe { &*(this.view)(this.obj.as_ptr().add(WORD)) }
    }

    /// The address of the value, valid only until the scope ends (see [`Gc::as_ptr`]).
    #[inline(always)]
    pub fn as_ptr(this: GcDyn<'gc, D>) -> *const D {
        GcDyn::as_ref(this)
    }

    /// Whether `a` and `b` are the same object (what `a == b` says too).
    #[inline]
    pub fn ptr_eq(a: GcDyn<'gc, D>, b: GcDyn<'gc, D>) -> bool {
        a.obj == b.obj
    }

    /// The object's identity hash: the one [`Gc::identity_hash`] gives for the object, the
    /// same in every scope however often the object moves (what `Hash` hashes).
    #[inline]
    pub fn identity_hash(this: GcDyn<'gc, D>) -> u64 {
        // SAFETY: a `GcDyn` in its scope points at a live object, and no collection runs
        // while the scope is open.
        unsafe { crate::header::identity_hash(this.obj) }
    }

    /// A weak reference to the object, seen through the same trait.
    ///
    /// ```
    /// use tenured_gc::{coerce, dyn_trait, Gc, GcCell, GcDyn, GcWeakDyn, Heap, Trace};
    ///
    /// trait Shape {
    ///     fn area(&self) -> f64;
    /// }
    /// dyn_trait!(Shape);
    ///
    /// #[derive(Trace)]
    /// struct Square(f64);
    /// impl Shape for Square {
    ///     fn area(&self) -> f64 {
    ///         self.0 * self.0
    ///     }
    /// }
    ///
    /// let mut heap = Heap::new();
    /// let (holder, square) = heap.mutate(|m| {
    ///     let square = Gc::new(m, Square(3.0));
    ///     let weak = GcDyn::downgrade(coerce!(square => dyn Shape));
    ///     (m.root(Gc::new(m, GcCell::new(weak))), m.root(square))
    /// });
    /// heap.collect_minor(); // the square moves; the weak reference follows it
    /// heap.mutate(|m| {
    ///     let weak: GcWeakDyn<dyn Shape> = holder.get(m).get();
    ///     assert_eq!(weak.upgrade().map(|s| s.area()), Some(9.0));
    /// });
    /// drop(square);
    /// heap.collect_major();
    /// heap.mutate(|m| assert!(holder.get(m).get().is_dead()));
    /// ```
    #[inline]
    pub fn downgrade(this: GcDyn<'gc, D>) -> GcWeakDyn<'gc, D> {
        GcWeakDyn {
            obj: Some(this.obj),
            view: this.view,
            _marker: PhantomData,
        }
    }
}

/// Hashes the object's [identity hash](GcDyn::identity_hash), as `Eq` compares identity.
impl<D: ?Sized> core::hash::Hash for GcDyn<'_, D> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(GcDyn::identity_hash(*self));
    }
}

/// A weak reference to a managed object seen through a trait: what [`GcWeak`](crate::GcWeak)
/// is to [`Gc`], cleared when the object dies and moved with it. Made by
/// [`GcDyn::downgrade`].
pub struct GcWeakDyn<'gc, D: ?Sized + 'gc> {
    obj: Option<NonNull<u8>>,
    view: View<D>,
    _marker: PhantomData<(*const D, Cell<&'gc ()>)>,
}

impl<D: ?Sized> Clone for GcWeakDyn<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: ?Sized> Copy for GcWeakDyn<'_, D> {}

impl<'gc, D: ?Sized + 'gc> GcWeakDyn<'gc, D> {
    /// The object, if it is still alive.
    #[inline]
    pub fn upgrade(self) -> Option<GcDyn<'gc, D>> {
        self.obj.map(|obj| GcDyn::from_parts(obj, self.view))
    }

    /// Whether the object has died.
    #[inline]
    pub fn is_dead(self) -> bool {
        self.obj.is_none()
    }

    /// Whether `a` and `b` refer to the same object, or both to a dead one (what `a == b`
    /// says too).
    #[inline]
    pub fn ptr_eq(a: GcWeakDyn<'gc, D>, b: GcWeakDyn<'gc, D>) -> bool {
        a.obj == b.obj
    }
}

/// Equality is identity: see [`GcWeakDyn::ptr_eq`].
impl<D: ?Sized> PartialEq for GcWeakDyn<'_, D> {
    fn eq(&self, other: &Self) -> bool {
        GcWeakDyn::ptr_eq(*self, *other)
    }
}

impl<D: ?Sized> Eq for GcWeakDyn<'_, D> {}

/// Writes `GcWeakDyn(alive)` or `GcWeakDyn(dead)`, without entering the object.
impl<D: ?Sized> fmt::Debug for GcWeakDyn<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.obj.is_some() {
            "GcWeakDyn(alive)"
        } else {
            "GcWeakDyn(dead)"
        })
    }
}

// SAFETY: the address word goes to the tracer as a weak edge (rule 1); the view is not a
// managed pointer. Two words: no slot (rule 5); no cell.
unsafe impl<D: ?Sized> Trace for GcWeakDyn<'_, D> {
    const NON_NULL_SLOT: bool = false;
    const POINTER_SLOT: bool = false;
    const HAS_CELLS: bool = false;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.weak_edge(&mut self.obj)
    }
}

// SAFETY: as for `GcDyn`: the object has no lifetime but the brand and `'static`.
unsafe impl<'gc, D: ?Sized + DynRebrand<'gc>> Rebrand<'gc> for GcWeakDyn<'_, D> {
    type Branded = GcWeakDyn<'gc, D::Branded>;
}

impl<D: ?Sized> Deref for GcDyn<'_, D> {
    type Target = D;

    #[inline(always)]
    fn deref(&self) -> &D {
        GcDyn::as_ref(*self)
    }
}

/// Equality is identity, as for [`Gc`].
impl<D: ?Sized> PartialEq for GcDyn<'_, D> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        GcDyn::ptr_eq(*self, *other)
    }
}

impl<D: ?Sized> Eq for GcDyn<'_, D> {}

/// Writes the value, as a [`Gc`]'s `Debug` does, ending on cycles.
impl<D: ?Sized + fmt::Debug> fmt::Debug for GcDyn<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::debug::fmt_object(self.obj, &**self, f)
    }
}

/// The address of the value (without the vtable), valid only within the scope.
impl<D: ?Sized> fmt::Pointer for GcDyn<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&GcDyn::as_ptr(*self).cast::<u8>(), f)
    }
}

// SAFETY: the address word is handed to the tracer (rule 1); the view is not a managed
// pointer. A `GcDyn` is two words, so it is neither a `NON_NULL_SLOT` nor a `POINTER_SLOT`
// (rule 5), and holds no cell.
unsafe impl<D: ?Sized> Trace for GcDyn<'_, D> {
    const NON_NULL_SLOT: bool = false;
    const POINTER_SLOT: bool = false;
    const HAS_CELLS: bool = false;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.edge(&mut self.obj)
    }
}

/// Maps a trait object type to the same trait under another lifetime bound, for the brand of
/// a [`GcDyn`]. Declared for a trait by [`dyn_trait!`](crate::dyn_trait).
///
/// # Safety
/// `Branded` must be the same trait object type with its lifetime bound replaced by `'gc`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rooted or rebranded: its trait was not declared with `tenured_gc::dyn_trait!`",
    label = "the trait of `{Self}` needs `dyn_trait!`",
    note = "write `tenured_gc::dyn_trait!(TraitName);` next to the trait, to root its `GcDyn`s or keep them in the state of `Heap::run`"
)]
pub unsafe trait DynRebrand<'gc> {
    /// `Self` bounded by `'gc`.
    type Branded: ?Sized + 'gc;
}

// SAFETY: the object behind a `GcDyn` has no lifetime but the brand and `'static` (see
// `__coerce`), so replacing the trait object's bound with the new brand is what rebranding
// the object does.
unsafe impl<'gc, D: ?Sized + DynRebrand<'gc>> Rebrand<'gc> for GcDyn<'_, D> {
    type Branded = GcDyn<'gc, D::Branded>;
}

/// Turns a [`Gc`] into a [`GcDyn`]: `coerce!(gc => dyn Shape)`.
///
/// Compiles only where `&T` coerces to `&dyn Shape`: the coercion is written here, where the
/// compiler checks it. The trait object gets the lifetime bound of the `Gc`'s scope, and the
/// object's type may have no lifetime but the brand.
///
/// ```
/// use tenured_gc::{coerce, Gc, GcDyn, Heap};
/// use std::fmt::Display;
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let shown: GcDyn<'_, dyn Display> = coerce!(Gc::new(m, 42_u32) => dyn Display);
///     assert_eq!(shown.to_string(), "42");
/// });
/// ```
#[macro_export]
macro_rules! coerce {
    ($gc:expr => dyn $($bound:tt)+) => {{
        #[allow(unsafe_code)]
        // SAFETY: the view returns its argument, unsized by the compiler's own coercion.
        let gc = unsafe {
            $crate::GcDyn::__coerce($gc, |p| -> *const (dyn $($bound)+ + '_) { p })
        };
        gc
    }};
}

/// Declares a trait whose [`GcDyn`]s can be rooted: `dyn_trait!(Shape)`.
///
/// The trait must have no generic or lifetime parameters.
///
/// ```
/// use tenured_gc::{coerce, dyn_trait, Gc, Heap, RootDyn};
///
/// trait Named {
///     fn name(&self) -> String;
/// }
/// dyn_trait!(Named);
///
/// impl Named for u8 {
///     fn name(&self) -> String {
///         format!("byte {self}")
///     }
/// }
///
/// let mut heap = Heap::new();
/// let root: RootDyn<dyn Named> = heap.mutate(|m| m.root_dyn(coerce!(Gc::new(m, 7_u8) => dyn Named)));
/// heap.collect_minor();
/// heap.mutate(|m| assert_eq!(root.get(m).name(), "byte 7"));
/// ```
#[macro_export]
macro_rules! dyn_trait {
    ($($trait:ident)::+) => {
        // SAFETY: only the lifetime bound changes.
        unsafe impl<'gc, 'any> $crate::__DynRebrand<'gc> for dyn $($trait)::+ + 'any {
            type Branded = dyn $($trait)::+ + 'gc;
        }
    };
}

/// A root of an object seen through a trait: [`Root`] for a [`GcDyn`].
///
/// Made by [`Mutation::root_dyn`] for a trait declared with [`dyn_trait!`](crate::dyn_trait);
/// `D` is the trait object under the `'static` bound (`RootDyn<dyn Shape>`), and
/// [`RootDyn::get`] hands it back bounded by the current scope. The root table holds the
/// object's address, which the collector rewrites; the view stays here.
///
/// ```
/// use tenured_gc::{coerce, dyn_trait, Gc, Heap, RootDyn};
///
/// trait Shape {
///     fn area(&self) -> f64;
/// }
/// dyn_trait!(Shape);
///
/// #[derive(tenured_gc::Trace)]
/// struct Circle(f64);
///
/// impl Shape for Circle {
///     fn area(&self) -> f64 {
///         3.0 * self.0 * self.0
///     }
/// }
///
/// let mut heap = Heap::new();
/// let shape: RootDyn<dyn Shape> =
///     heap.mutate(|m| m.root_dyn(coerce!(Gc::new(m, Circle(1.0)) => dyn Shape)));
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(shape.get(m).area(), 3.0));
/// ```
pub struct RootDyn<D: ?Sized> {
    root: Root<D>,
    view: View<D>,
}

impl<'gc> Mutation<'gc> {
    /// Keeps the object of `gc` alive across collections, until the returned root is dropped.
    pub fn root_dyn<D>(&self, gc: GcDyn<'gc, D>) -> RootDyn<<D as DynRebrand<'static>>::Branded>
    where
        D: ?Sized + DynRebrand<'static>,
    {
        let heap = self.heap();
        heap.scope.escape(Escape::Root);
        RootDyn {
            root: Root::in_table(&heap.roots, gc.obj),
            view: rebrand_view(gc.view()),
        }
    }
}

/// The same view under another lifetime bound.
fn rebrand_view<A: ?Sized, B: ?Sized>(view: View<A>) -> View<B> {
    debug_assert_eq!(
        core::mem::size_of::<*const A>(),
        core::mem::size_of::<*const B>(),
        "a view rebranded to {} from {}",
        core::any::type_name::<B>(),
        core::any::type_name::<A>()
    );
    // SAFETY: `A` and `B` are the same trait object type but for its lifetime bound (both
    // callers name them through `DynRebrand`), so the two function pointer types differ in a
    // lifetime only, and the pointer it returns has the same metadata.
    unsafe { core::mem::transmute_copy::<View<A>, View<B>>(&view) }
}

impl<D: ?Sized> RootDyn<D> {
    /// The rooted object, bounded by the current scope.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the root.
    pub fn get<'gc>(&self, m: &Mutation<'gc>) -> GcDyn<'gc, <D as DynRebrand<'gc>>::Branded>
    where
        D: DynRebrand<'gc>,
    {
        GcDyn::from_parts(self.root.obj(m), rebrand_view(self.view))
    }

    /// Whether `a` and `b` root the same object.
    pub fn ptr_eq(a: &RootDyn<D>, b: &RootDyn<D>) -> bool {
        Root::ptr_eq(&a.root, &b.root)
    }
}

impl<D: ?Sized> Clone for RootDyn<D> {
    fn clone(&self) -> Self {
        RootDyn {
            root: self.root.clone(),
            view: self.view,
        }
    }
}

impl<D: ?Sized> fmt::Debug for RootDyn<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dyn{:?}", self.root)
    }
}
