//! `Gc<'gc, T>`: the pointer to a managed object.
//!
//! A `Gc` is one word, the address of the object's header, so `Option<Gc<_>>` is one word
//! too. Dereferencing adds the header's size: no indirection. It is `Copy`, branded with its
//! scope's `'gc` lifetime (so it cannot outlive the scope, after which the object may move),
//! and neither `Send` nor `Sync` (a heap belongs to one thread).
//!
//! # Identity
//! Objects move at every collection, so a `Gc`'s address is no key: a hash or an order
//! computed from it would be lost at the first move. What a moving collector does keep is
//! identity: two `Gc`s to the same object stay equal, two to different objects stay
//! different. So `==` on `Gc`s ([`Gc::ptr_eq`]) compares identity, [`Gc::identity_hash`]
//! (and `Hash`) gives a hash that stays with the object through every move, and
//! [`Gc::as_ptr`] and `{:p}` show the object's address, which holds until the scope ends.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;

use crate::error::AllocError;
use crate::heap_send::{Admits, HeapKind};
use crate::mutation::Mutation;
use crate::trace::{Rebrand, Trace, Tracer};
use crate::type_info::Object;

/// A pointer to a managed object of type `T`, valid in the mutation scope `'gc`.
///
/// Made by [`Gc::new`] (or [`Gc::from_vec`], [`Gc::new_str`] for slices and strings), it
/// derefs to `&T`, is `Copy`, and cannot leave its scope: [root](crate::Root) the object to
/// keep it for a later scope. `==` compares identity ([`Gc::ptr_eq`]) and `Hash` hashes it
/// ([`Gc::identity_hash`]), the same before and after the collector moves the object.
///
/// ```
/// use tenured_gc::{Gc, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let mut heap = Heap::new();
/// let kept = heap.mutate(|m| {
///     let p = Gc::new(m, Point { x: 1, y: 2 });
///     let q = p; // a copy of the pointer, the same object
///     assert_eq!(q.x + q.y, 3);
///     assert!(p == q);
///     let word = Gc::new_str(m, "word");
///     assert_eq!(&*word, "word");
///     m.root(p)
/// });
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(kept.get(m).y, 2));
/// ```
#[repr(transparent)]
pub struct Gc<'gc, T: ?Sized + 'gc> {
    pub(crate) obj: NonNull<u8>,
    _marker: PhantomData<(*const T, Cell<&'gc ()>)>,
}

impl<T: ?Sized> Clone for Gc<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Gc<'_, T> {}

impl<'gc, T: ?Sized> Gc<'gc, T> {
    #[inline(always)]
    pub(crate) fn from_obj(obj: NonNull<u8>) -> Self {
        Gc {
            obj,
            _marker: PhantomData,
        }
    }

    /// Whether `a` and `b` are the same object (what `a == b` says too).
    ///
    /// Identity survives collections: the collector moves an object with every pointer to it,
    /// so two `Gc`s that are the same object in one scope are the same object in every later
    /// one.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// heap.mutate(|m| {
    ///     let (a, b) = (Gc::new(m, 1), Gc::new(m, 1));
    ///     let same = a;
    ///     assert!(Gc::ptr_eq(a, same));
    ///     assert!(!Gc::ptr_eq(a, b)); // equal values, two objects
    ///     assert_eq!(*a, *b);         // compare values through the deref
    /// });
    /// ```
    #[inline]
    pub fn ptr_eq(a: Gc<'gc, T>, b: Gc<'gc, T>) -> bool {
        a.obj == b.obj
    }

    /// The object's identity hash: the same for every `Gc` to it, in this scope and every
    /// later one, however often the collector moves it (what `Hash` for `Gc` feeds a hasher).
    ///
    /// It is taken from the object's address the first time it is asked for; when the
    /// object next moves, its copy keeps it in one extra word (as the JVM's identity hash
    /// does). Two objects may share a hash; equal `Gc`s always do. An object that is never
    /// hashed never pays for it.
    ///
    /// Use it, or [`GcHashMap`](crate::GcHashMap), to key a table by managed
    /// objects: a table in ordinary memory (a `HashMap` outside the heap, or inside it as a
    /// [`Leaf`](crate::Leaf) key) may hold the hash, never the `Gc`.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let (root, hash) = heap.mutate(|m| {
    ///     let a = Gc::new(m, 7_u64);
    ///     assert_eq!(Gc::identity_hash(a), Gc::identity_hash(a));
    ///     (m.root(a), Gc::identity_hash(a))
    /// });
    /// heap.collect_minor(); // the object moves out of the nursery
    /// heap.collect_major(); // and may move again
    /// heap.mutate(|m| assert_eq!(Gc::identity_hash(root.get(m)), hash));
    /// ```
    #[inline]
    pub fn identity_hash(this: Gc<'gc, T>) -> u64 {
        // SAFETY: a `Gc` in its scope points at a live object, and no collection runs while
        // the scope is open.
        unsafe { crate::header::identity_hash(this.obj) }
    }
}

impl<'gc, T: Trace + Rebrand<'gc, Branded = T>> Gc<'gc, T> {
    /// Moves `value` into a new managed object.
    ///
    /// # Panics
    /// If the heap limit is reached; [`Gc::try_new`] returns the error instead.
    #[inline(always)]
    pub fn new(m: &Mutation<'gc, impl Admits<T>>, value: T) -> Gc<'gc, T> {
        match Self::try_new(m, value) {
            Ok(gc) => gc,
            Err(e) => alloc_failed(e),
        }
    }

    /// Moves `value` into a new managed object, or reports that the heap limit is reached
    /// (dropping `value`).
    #[inline(always)]
    pub fn try_new(m: &Mutation<'gc, impl Admits<T>>, value: T) -> Result<Gc<'gc, T>, AllocError> {
        m.alloc_value(value).map(Gc::from_obj)
    }
}

impl<'gc, T: ?Sized + Object> Gc<'gc, T> {
    /// The value, borrowed for the whole scope.
    #[inline(always)]
    #[allow(clippy::should_implement_trait)]
    pub fn as_ref(this: Gc<'gc, T>) -> &'gc T {
        // SAFETY: a `Gc<'gc, _>` points at a live object, and no collection runs during `'gc`.
        unsafe { T::value(this.obj) }
    }

    /// The address of the value, valid only until the scope ends.
    ///
    /// The object stays where it is for the whole mutation scope, so within one scope the
    /// address tells objects apart (`{:p}` prints it). A collection moves the object: the same
    /// object has another address in a later scope, so do not keep the address past the scope
    /// (to hash, to order, to find the object again). [`Gc::ptr_eq`] compares identity, which
    /// does survive collections.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let root = heap.mutate(|m| {
    ///     let a = Gc::new(m, 7_u64);
    ///     assert_eq!(Gc::as_ptr(a), &*a as *const u64);
    ///     assert_eq!(format!("{a:p}"), format!("{:p}", Gc::as_ptr(a)));
    ///     m.root(a)
    /// });
    /// let before = heap.mutate(|m| Gc::as_ptr(root.get(m)) as usize);
    /// heap.collect_minor(); // copies the object out of the nursery
    /// let after = heap.mutate(|m| Gc::as_ptr(root.get(m)) as usize);
    /// assert_ne!(before, after);
    /// ```
    #[inline(always)]
    pub fn as_ptr(this: Gc<'gc, T>) -> *const T {
        Gc::as_ref(this)
    }
}

impl<'gc, T: Trace + Rebrand<'gc, Branded = T>> Gc<'gc, [T]> {
    /// Moves the elements of `items` into a new managed slice.
    ///
    /// # Panics
    /// If the heap limit is reached; [`Gc::try_from_vec`] returns the error instead.
    pub fn from_vec(m: &Mutation<'gc, impl Admits<T>>, items: Vec<T>) -> Self {
        Self::try_from_vec(m, items).unwrap_or_else(|e| alloc_failed(e))
    }

    /// Moves the elements of `items` into a new managed slice, or reports that the heap
    /// limit is reached.
    pub fn try_from_vec(
        m: &Mutation<'gc, impl Admits<T>>,
        items: Vec<T>,
    ) -> Result<Self, AllocError> {
        let len = items.len();
        let obj = m.alloc_slice::<T>(len, <[T] as Object>::TYPE_INFO, |dst| {
            let mut items = core::mem::ManuallyDrop::new(items);
            // SAFETY: `dst` has room for `len` elements; the vector's elements are moved
            // there and its buffer is freed without dropping them.
            unsafe {
                core::ptr::copy_nonoverlapping(items.as_ptr(), dst, len);
                items.set_len(0);
                core::mem::ManuallyDrop::drop(&mut items);
            }
        })?;
        Ok(Gc::from_obj(obj))
    }

    /// Clones the elements of `items` into a new managed slice.
    pub fn from_slice(m: &Mutation<'gc, impl Admits<T>>, items: &[T]) -> Self
    where
        T: Clone,
    {
        Self::from_vec(m, items.to_vec())
    }
}

impl<'gc> Gc<'gc, str> {
    /// Copies `s` into a new managed string.
    ///
    /// # Panics
    /// If the heap limit is reached; [`Gc::try_new_str`] returns the error instead.
    pub fn new_str(m: &Mutation<'gc, impl HeapKind>, s: &str) -> Self {
        Self::try_new_str(m, s).unwrap_or_else(|e| alloc_failed(e))
    }

    /// Copies `s` into a new managed string, or reports that the heap limit is reached.
    pub fn try_new_str(m: &Mutation<'gc, impl HeapKind>, s: &str) -> Result<Self, AllocError> {
        let obj = m.alloc_slice::<u8>(s.len(), <str as Object>::TYPE_INFO, |dst| {
            // SAFETY: `dst` has room for `s.len()` bytes.
            unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), dst, s.len()) }
        })?;
        Ok(Gc::from_obj(obj))
    }
}

#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn alloc_failed(e: AllocError) -> ! {
    panic!("tenured-gc: allocation failed: {e}; use the `try_` allocation APIs to handle this")
}

impl<T: ?Sized + Object> Deref for Gc<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: a `Gc<'gc, _>` points at a live object, and no collection runs during `'gc`.
        unsafe { T::value(self.obj) }
    }
}

/// Writes the value, as `Rc` does, and ends on cycles and deep structures.
///
/// A `Gc` to an object whose output is being written already (a cycle) is written
/// `Gc(<cycle: Node>)`, and one that would enter more than 128 objects one inside the other is
/// written `Gc(<depth limit: Node>)`, so a derived `Debug` of a cyclic graph or of a long list
/// ends, and says where it stopped.
///
/// ```
/// use tenured_gc::{Gc, GcCell, Heap, Trace};
///
/// #[derive(Trace, Debug)]
/// struct Node<'gc> {
///     name: &'static str,
///     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
/// }
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let a = Gc::new(m, Node { name: "a", next: GcCell::new(None) });
///     let b = Gc::new(m, Node { name: "b", next: GcCell::new(Some(a)) });
///     a.next.set(m, Some(b));
///     assert_eq!(
///         format!("{a:?}"),
///         r#"Node { name: "a", next: GcCell(Some(Node { name: "b", next: GcCell(Some(Gc(<cycle: Node>))) })) }"#
///     );
/// });
/// ```
impl<T: ?Sized + Object + fmt::Debug> fmt::Debug for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::debug::fmt_object(self.obj, &**self, f)
    }
}

/// Equality is identity: `a == b` when both point to the same object ([`Gc::ptr_eq`]).
///
/// Unlike `Rc`, whose `==` compares values, a `Gc` compares what a reference in a managed
/// language compares (Java's `==`, Scheme's `eq?`): an object model's values are often cyclic,
/// and a derived `PartialEq` of a type that holds `Gc`s then ends and takes constant time per
/// pointer, where comparing values would follow the cycle forever. Compare the values through
/// the deref (`*a == *b`) where that is what you mean.
///
/// `Hash` agrees: it hashes the [identity hash](Gc::identity_hash), which stays with the
/// object when it moves. There is no `Ord`: an order would have to use the address.
impl<'gc, T: ?Sized> PartialEq for Gc<'gc, T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        Gc::ptr_eq(*self, *other)
    }
}

impl<T: ?Sized> Eq for Gc<'_, T> {}

/// Hashes the object's [identity hash](Gc::identity_hash): equal `Gc`s hash alike, before
/// and after any collection.
impl<T: ?Sized> core::hash::Hash for Gc<'_, T> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(Gc::identity_hash(*self));
    }
}

/// The address of the value, as [`Gc::as_ptr`] gives it: valid only within the scope.
impl<T: ?Sized + Object> fmt::Pointer for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Gc::as_ptr(*self), f)
    }
}

impl<T: ?Sized + Object + fmt::Display> fmt::Display for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

// SAFETY: a `Gc` is one non-null pointer word to an object start, handed to the tracer.
unsafe impl<T: ?Sized + Object> Trace for Gc<'_, T> {
    const NON_NULL_SLOT: bool = true;
    const POINTER_SLOT: bool = true;
    const HAS_CELLS: bool = false;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.edge(&mut self.obj)
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: ?Sized + Rebrand<'gc>> Rebrand<'gc> for Gc<'_, T> {
    type Branded = Gc<'gc, T::Branded>;
}
