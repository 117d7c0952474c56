//! `HeapSend`: the values that may move to another thread with the heap that holds them.
//!
//! A [`SendHeap`](crate::SendHeap) moves between threads whole: its objects, its state and
//! every pointer between them go together, and no handle into it stays behind. So a managed
//! pointer in it may move (it points into the same heap, which comes along), while everything
//! else must be `Send`. `HeapSend` says exactly that: `Send`, except that `Gc`, `GcWeak` and
//! `GcDyn` are `HeapSend` although a `Gc` is never `Send` on its own.
//!
//! `#[derive(Trace)]` implements it for a type whose traced fields are `HeapSend` and whose
//! ignored fields are `Send`. A `Root` is not `HeapSend`: it is a handle into a heap that stays
//! on its own thread.

use core::cell::Cell;
use core::marker::PhantomData;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::cell::{GcCell, GcRefCell};
use crate::collections::{GcHashMap, GcIndexMap, GcVec, GcWeakMap};
use crate::gc::Gc;
use crate::gc_dyn::{GcDyn, GcWeakDyn};
use crate::weak::GcWeak;

/// A value that may move to another thread together with its heap: `Send`, except that the
/// managed pointers in it need not be.
///
/// What may be allocated in a [`SendHeap`](crate::SendHeap), and held in its state.
/// `#[derive(Trace)]` implements it for a type whose traced fields are `HeapSend` and whose
/// `#[gc(ignore)]` fields are `Send`:
///
/// ```
/// use tenured_gc::{Gc, HeapSend, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc> {
///     label: String,
///     next: Option<Gc<'gc, Node<'gc>>>,
/// }
///
/// fn moves_with_its_heap<T: HeapSend>() {}
/// moves_with_its_heap::<Node<'static>>();
/// ```
///
/// # Safety
/// Every part of a value of the type that is not a managed pointer (`Gc`, `GcWeak`, `GcDyn`,
/// `GcWeakDyn`) must be safe to move to another thread, as `Send` says.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot move to another thread with its heap: it is not `HeapSend`",
    label = "not `HeapSend`",
    note = "a `SendHeap` moves between threads with everything in it, so what it holds must be `Send`, managed pointers aside; derived types whose fields are `HeapSend` (and whose `#[gc(ignore)]` fields are `Send`) are `HeapSend`; an `Rc`, a `Root` or a `RefCell` borrowed across threads is not"
)]
pub unsafe trait HeapSend {}

// The numbers, strings and other leaves of `trace_impls.rs` are `HeapSend` where they are
// made `Trace`.

// SAFETY: a managed pointer points into its own heap, which moves with it; the object it
// points to was allocated in a `SendHeap` only if it is `HeapSend` (`Admits`), and a brand
// keeps a pointer into one heap out of every other heap's objects.
unsafe impl<T: ?Sized> HeapSend for Gc<'_, T> {}
// SAFETY: as for `Gc`.
unsafe impl<T: ?Sized> HeapSend for GcWeak<'_, T> {}
// SAFETY: as for `Gc`: the object behind the trait object was allocated as its own type.
unsafe impl<D: ?Sized> HeapSend for GcDyn<'_, D> {}
// SAFETY: as for `GcDyn`.
unsafe impl<D: ?Sized> HeapSend for GcWeakDyn<'_, D> {}

// SAFETY: each of these is `Send` when its parts are, and its parts are `HeapSend`.
unsafe impl<T: ?Sized + HeapSend> HeapSend for PhantomData<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for Cell<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for [T] {}
// SAFETY: as above.
unsafe impl<T: HeapSend, const N: usize> HeapSend for [T; N] {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for Option<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend, E: HeapSend> HeapSend for Result<T, E> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + HeapSend> HeapSend for Box<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for Vec<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for VecDeque<T> {}
// SAFETY: as above; the hasher is `Send`.
unsafe impl<K: HeapSend, V: HeapSend, S: Send> HeapSend for HashMap<K, V, S> {}
// SAFETY: as above.
unsafe impl<T: HeapSend, S: Send> HeapSend for HashSet<T, S> {}
// SAFETY: as above.
unsafe impl<K: HeapSend, V: HeapSend> HeapSend for BTreeMap<K, V> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for BTreeSet<T> {}
// SAFETY: a cell holds its value and a borrow flag, which move with it.
unsafe impl<T: HeapSend> HeapSend for GcCell<'_, T> {}
// SAFETY: as above.
unsafe impl<T: HeapSend> HeapSend for GcRefCell<'_, T> {}
// SAFETY: the managed collections hold their elements (and, in managed storage, pointers
// into their own heap); the parts are `HeapSend`.
unsafe impl<T: HeapSend> HeapSend for GcVec<'_, T> {}
// SAFETY: as above; the hasher is `Send`.
unsafe impl<K: HeapSend, V: HeapSend, S: Send> HeapSend for GcIndexMap<'_, K, V, S> {}
// SAFETY: as above.
unsafe impl<K: HeapSend, V: HeapSend> HeapSend for GcHashMap<'_, K, V> {}
// SAFETY: as above; the keys are managed pointers.
unsafe impl<K: ?Sized, V: HeapSend> HeapSend for GcWeakMap<'_, K, V> {}

macro_rules! tuple {
    ($($name:ident)+) => {
        // SAFETY: a tuple is `Send` when its elements are.
        unsafe impl<$($name: HeapSend),+> HeapSend for ($($name,)+) {}
        // SAFETY: a tuple is `Send + Sync` when its elements are, and changes only through `&mut`.
        unsafe impl<$($name: HeapSync),+> HeapSync for ($($name,)+) {}
    };
}

tuple!(A);
tuple!(A B);
tuple!(A B C);
tuple!(A B C D);
tuple!(A B C D E);
tuple!(A B C D E F);
tuple!(A B C D E F G);
tuple!(A B C D E F G H);

/// A value that may be read from every thread at once in a frozen graph
/// ([`Frozen`](crate::Frozen)): `Send + Sync`, except that the managed pointers in it need not
/// be, and holding nothing that a shared reference can change. What a frozen graph's objects
/// must be, checked as each is allocated (the [`Shared`] kind), as `HeapSend` is for a
/// `SendHeap`.
///
/// `#[derive(Trace)]` implements it for a type whose traced fields are `HeapSync` and whose
/// `#[gc(ignore)]` fields are `Send + Sync`. Numbers, strings, `Gc`s and `GcWeak`s, `GcCell` (whose writes need a `Mutation`, which a frozen graph never
/// has again) and `GcVec` are; `Cell`, `GcRefCell` (whose borrows count), the managed maps
/// (which borrow their index) and `GcDyn` (whose object's type is not known) are not.
///
/// # Safety
/// Every part of a value of the type that is not a managed pointer must be `Send + Sync`, and
/// no method reachable through `&` may write to it without a `Mutation`, unless that write is
/// synchronised (an atomic, a `Mutex`: what an ignored `Send + Sync` field may hold). Such a
/// field may even hold a handle of its own frozen graph, which then, like an `Arc` cycle, is
/// never freed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from several threads in a frozen graph: it is not `HeapSync`",
    label = "not `HeapSync`",
    note = "a frozen graph is shared by every thread, so what it holds must be `Send + Sync`, managed pointers aside, and unchangeable through `&`: no `Cell`, `GcRefCell`, managed map or `GcDyn`; `GcCell` and `GcVec` are fine, since writing them needs a `Mutation`"
)]
pub unsafe trait HeapSync {}

// SAFETY: a frozen object is only read, and every object of a frozen graph was allocated
// through `Admits<_>` for `Shared`, so it is `HeapSync`; the identity hash of every frozen object
// is taken when it is frozen. A brand keeps pointers into one heap out of every other heap.
unsafe impl<T: ?Sized> HeapSync for Gc<'_, T> {}
// SAFETY: as for `Gc`: `upgrade` and `is_dead` only read the target's header.
unsafe impl<T: ?Sized> HeapSync for GcWeak<'_, T> {}
// SAFETY: `get` reads; `set` and `replace` need a `Mutation` of the cell's brand.
unsafe impl<T: HeapSync> HeapSync for GcCell<'_, T> {}
// SAFETY: as for `GcCell`: every read is a read, every write needs a `Mutation`.
unsafe impl<T: HeapSync> HeapSync for GcVec<'_, T> {}
// SAFETY: each of these is `Send + Sync` when its parts are, and changes only through `&mut`.
unsafe impl<T: ?Sized + HeapSync> HeapSync for PhantomData<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSync> HeapSync for [T] {}
// SAFETY: as above.
unsafe impl<T: HeapSync, const N: usize> HeapSync for [T; N] {}
// SAFETY: as above.
unsafe impl<T: HeapSync> HeapSync for Option<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSync, E: HeapSync> HeapSync for Result<T, E> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + HeapSync> HeapSync for Box<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSync> HeapSync for Vec<T> {}
// SAFETY: as above.
unsafe impl<T: HeapSync> HeapSync for VecDeque<T> {}
// SAFETY: as above; the hasher is `Send + Sync`.
unsafe impl<K: HeapSync, V: HeapSync, S: Send + Sync> HeapSync for HashMap<K, V, S> {}
// SAFETY: as above.
unsafe impl<T: HeapSync, S: Send + Sync> HeapSync for HashSet<T, S> {}
// SAFETY: as above.
unsafe impl<K: HeapSync, V: HeapSync> HeapSync for BTreeMap<K, V> {}
// SAFETY: as above.
unsafe impl<T: HeapSync> HeapSync for BTreeSet<T> {}

/// Which heap a [`Mutation`](crate::Mutation) belongs to: [`Local`] (a [`Heap`](crate::Heap),
/// which stays on its thread) or [`Sendable`] (a [`SendHeap`](crate::SendHeap), which may move).
/// `Mutation<'gc>` is `Mutation<'gc, Local>`; generic code over both writes
/// `m: &Mutation<'gc, impl HeapKind>`.
pub trait HeapKind: sealed::Sealed + 'static {}

/// The kind of a [`Heap`](crate::Heap): it stays on the thread that made it, so it may hold
/// any `Trace` type.
pub enum Local {}

/// The kind of a [`SendHeap`](crate::SendHeap): it may move to another thread, so everything
/// allocated in it is [`HeapSend`].
pub enum Sendable {}

/// The kind of the heap a [`Frozen`](crate::Frozen) graph is built in: every thread will read
/// it, so everything allocated in it is [`HeapSend`] and [`HeapSync`].
pub enum Shared {}

impl HeapKind for Local {}
impl HeapKind for Sendable {}
impl HeapKind for Shared {}

/// A heap of this kind may hold objects of type `T`: any type in a [`Local`] heap, a
/// [`HeapSend`] type in a [`Sendable`] one. The bound of every function that allocates.
#[diagnostic::on_unimplemented(
    message = "`{T}` cannot be allocated in this heap: a `SendHeap` holds only `HeapSend` types, a frozen graph only `HeapSend + HeapSync` ones",
    label = "allocated here",
    note = "a `SendHeap` moves between threads with every object in it, so its objects must be `Send`, managed pointers aside (`HeapSend`); a frozen graph is read by every thread at once, so its objects must also be unchangeable through `&` (`HeapSync`); allocate a type that holds an `Rc`, a `Cell` or a `Root` in a `Heap`, which stays on its thread"
)]
///
/// Sealed, like [`HeapKind`]: its private supertrait states the same condition, so no other
/// crate can add an impl for a type that is not `HeapSend`.
pub trait Admits<T: ?Sized>: HeapKind + sealed::SealedAdmits<T> {}

impl<T: ?Sized> Admits<T> for Local {}
impl<T: ?Sized + HeapSend> Admits<T> for Sendable {}
impl<T: ?Sized + HeapSend + HeapSync> Admits<T> for Shared {}

mod sealed {
    use super::HeapSend;

    pub trait Sealed {}
    impl Sealed for super::Local {}
    impl Sealed for super::Sendable {}
    impl Sealed for super::Shared {}

    /// What [`Admits`](super::Admits) admits, where no other crate can add to it.
    pub trait SealedAdmits<T: ?Sized> {}
    impl<T: ?Sized> SealedAdmits<T> for super::Local {}
    impl<T: ?Sized + HeapSend> SealedAdmits<T> for super::Sendable {}
    impl<T: ?Sized + HeapSend + super::HeapSync> SealedAdmits<T> for super::Shared {}
}
