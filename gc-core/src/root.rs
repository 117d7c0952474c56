//! Roots: handles that keep objects alive across collections.
//!
//! A [`Root<T>`] owns one slot of its heap's root table. The collector traces every slot
//! and rewrites it when the object moves; dropping the root frees the slot, and the object
//! becomes garbage unless something else reaches it. `T` is the object's type under the
//! `'static` brand; [`Root::get`] hands it back under the brand of the current scope. The
//! table itself is `root_table.rs`.
//!
//! A [`WeakRoot<T>`] refers to an object across scopes without keeping it alive: it roots a
//! small managed object that holds a [`GcWeak`], which the collector clears when the target
//! dies and moves when it moves.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::rc::Rc;

use crate::mutation::Mutation;
use crate::root_table::RootTable;
use crate::scope::Escape;
use crate::trace::NamedTracer;
use crate::trace::{Rebrand, Trace, Tracer};
use crate::type_info::Object;
use crate::{Gc, GcWeak};

/// A handle that keeps a managed object alive, between mutation scopes too.
///
/// Made by [`Mutation::root`]; `T` is the object's type under the `'static` brand
/// (`Root<Node<'static>>`). Cloning makes another root of the same object.
///
/// ```
/// use tenured_gc::{Gc, GcCell, Heap, Root, Trace};
///
/// #[derive(Trace)]
/// struct Counter<'gc> {
///     count: GcCell<'gc, u64>,
///     last: GcCell<'gc, Option<Gc<'gc, str>>>,
/// }
///
/// let mut heap = Heap::new();
/// let counter: Root<Counter<'static>> = heap.mutate(|m| {
///     let counter = Counter { count: GcCell::new(0), last: GcCell::new(None) };
///     m.root(Gc::new(m, counter))
/// });
/// for word in ["a", "b", "c"] {
///     heap.mutate(|m| {
///         let c = counter.get(m); // the object, under this scope's brand
///         c.count.set(m, c.count.get() + 1);
///         c.last.set(m, Some(Gc::new_str(m, word)));
///     });
///     heap.collect_minor(); // the counter moves; the root follows it
/// }
/// heap.mutate(|m| {
///     let c = counter.get(m);
///     assert_eq!((c.count.get(), &*c.last.get().unwrap()), (3, "c"));
/// });
/// drop(counter); // the object may now be collected
/// heap.collect_major();
/// assert_eq!(heap.stats().live_after_last_major, 0);
/// ```
pub struct Root<T: ?Sized> {
    pub(crate) table: Rc<RootTable>,
    index: usize,
    _type: PhantomData<*const T>,
}

impl<'gc> Mutation<'gc> {
    /// Keeps `gc` alive across collections, until the returned root is dropped.
    pub fn root<T>(&self, gc: Gc<'gc, T>) -> Root<<T as Rebrand<'static>>::Branded>
    where
        T: ?Sized + Rebrand<'static>,
    {
        let heap = self.heap();
        heap.scope.escape(Escape::Root);
        Root::in_table(&heap.roots, gc.obj)
    }
}

impl<T: ?Sized> Root<T> {
    /// Keeps `gc` alive across collections as a `Root<T>`, with `T` the object's type under
    /// the `'static` brand, as roots name it: what [`Mutation::root`] does, typed so that
    /// generic code over `T` can name the root it returns.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap, Mutation, Rebrand, Root};
    ///
    /// /// Builds an object in a scope of its own and roots it, whatever its type.
    /// fn keep<T>(
    ///     heap: &mut Heap,
    ///     make: impl for<'gc> FnOnce(&Mutation<'gc>) -> Gc<'gc, <T as Rebrand<'gc>>::Branded>,
    /// ) -> Root<T>
    /// where
    ///     T: ?Sized + for<'gc> Rebrand<'gc>,
    /// {
    ///     heap.mutate(|m| Root::new(m, make(m)))
    /// }
    ///
    /// let mut heap = Heap::new();
    /// let text = keep::<str>(&mut heap, |m| Gc::new_str(m, "kept"));
    /// heap.collect_major();
    /// heap.mutate(|m| assert_eq!(&*text.get(m), "kept"));
    /// ```
    pub fn new<'gc>(m: &Mutation<'gc>, gc: Gc<'gc, <T as Rebrand<'gc>>::Branded>) -> Self
    where
        T: Rebrand<'gc>,
    {
        let heap = m.heap();
        heap.scope.escape(Escape::Root);
        Root::in_table(&heap.roots, gc.obj)
    }

    pub(crate) fn in_table(table: &Rc<RootTable>, obj: NonNull<u8>) -> Self {
        Root {
            table: Rc::clone(table),
            index: table.add(obj),
            _type: PhantomData,
        }
    }

    fn check_heap(&self, m: &Mutation<'_>) {
        self.check_table(&m.heap().roots)
    }

    fn check_table(&self, table: &Rc<RootTable>) {
        if !Rc::ptr_eq(&self.table, table) {
            panic!(
                "tenured-gc: a Root was used with a heap other than the one that created it; \
                 a root only works with its own heap"
            );
        }
    }

    /// The root's slot in its heap's root table: what retainer paths call it (`Root #3`),
    /// and what its `Debug` form shows.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The rooted object, read between scopes; panics if `table` is not the root's heap's.
    pub(crate) fn object(&self, table: &Rc<RootTable>) -> NonNull<u8> {
        self.check_table(table);
        self.table.get(self.index)
    }

    /// The rooted object, under the brand of the current scope.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the root.
    pub fn get<'gc>(&self, m: &Mutation<'gc>) -> Gc<'gc, <T as Rebrand<'gc>>::Branded>
    where
        T: Rebrand<'gc>,
    {
        Gc::from_obj(self.obj(m))
    }

    /// The address of the rooted object.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the root.
    pub(crate) fn obj(&self, m: &Mutation<'_>) -> NonNull<u8> {
        self.check_heap(m);
        self.table.get(self.index)
    }

    /// Whether `a` and `b` root the same object.
    ///
    /// Unlike the address of the object, which changes when it moves, this holds between
    /// scopes and through collections. Roots of different heaps are never the same.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap, Root};
    ///
    /// let mut heap = Heap::new();
    /// let (a, b) = heap.mutate(|m| (m.root(Gc::new(m, 1)), m.root(Gc::new(m, 1))));
    /// let also_a = a.clone();
    /// heap.collect_minor();
    /// assert!(Root::ptr_eq(&a, &also_a));
    /// assert!(!Root::ptr_eq(&a, &b));
    /// ```
    pub fn ptr_eq(a: &Root<T>, b: &Root<T>) -> bool {
        Rc::ptr_eq(&a.table, &b.table) && a.table.get(a.index) == b.table.get(b.index)
    }

    /// Roots `gc` in place of the object rooted so far.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the root.
    pub fn set<'gc>(&self, m: &Mutation<'gc>, gc: Gc<'gc, <T as Rebrand<'gc>>::Branded>)
    where
        T: Rebrand<'gc>,
    {
        self.check_heap(m);
        m.heap().scope.escape(Escape::Root);
        self.table.set(self.index, gc.obj)
    }
}

impl<T: ?Sized> Clone for Root<T> {
    fn clone(&self) -> Self {
        Root {
            table: Rc::clone(&self.table),
            index: self.table.add(self.table.get(self.index)),
            _type: PhantomData,
        }
    }
}

impl<T: ?Sized> Drop for Root<T> {
    fn drop(&mut self) {
        self.table.remove(self.index)
    }
}

impl<T: ?Sized> fmt::Debug for Root<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Root<{}>#{}", core::any::type_name::<T>(), self.index)
    }
}

/// A handle that refers to a managed object across scopes without keeping it alive: cleared
/// when the object dies, moved with it.
///
/// Made by [`Mutation::weak_root`]; `T` is the object's type under the `'static` brand. It
/// names an object for [`Heap::retainer_path`](crate::Heap::retainer_path) and
/// [`Heap::assert_collected`](crate::Heap::assert_collected). It costs a small managed
/// object, rooted, holding a weak reference.
///
/// ```
/// use tenured_gc::{Gc, Heap};
///
/// let mut heap = Heap::new();
/// let (kept, weak) = heap.mutate(|m| {
///     let value = Gc::new(m, 7u32);
///     (m.root(value), m.weak_root(value))
/// });
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(weak.upgrade(m).map(|v| *v), Some(7)));
/// drop(kept);
/// heap.collect_major();
/// heap.mutate(|m| assert!(weak.upgrade(m).is_none()));
/// ```
pub struct WeakRoot<T: ?Sized> {
    probe: Root<Probe<'static>>,
    _type: PhantomData<*const T>,
}

/// The managed object a weak root roots: one weak reference to the target.
struct Probe<'gc> {
    target: GcWeak<'gc, ()>,
}

// SAFETY: the only managed pointer, a weak one, is handed to the tracer; the facts are the
// defaults but for the cells, of which there are none.
unsafe impl Trace for Probe<'_> {
    const HAS_CELLS: bool = false;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(&mut self.target)
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.field("target", &mut self.target)
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc> Rebrand<'gc> for Probe<'_> {
    type Branded = Probe<'gc>;
}

impl<'gc> Mutation<'gc> {
    /// A handle to `gc` that outlives the scope without keeping the object alive.
    ///
    /// # Panics
    /// If the heap limit is reached (it allocates one small object).
    pub fn weak_root<T>(&self, gc: Gc<'gc, T>) -> WeakRoot<<T as Rebrand<'static>>::Branded>
    where
        T: ?Sized + Rebrand<'static>,
    {
        let probe = Gc::new(
            self,
            Probe {
                target: GcWeak::from_obj(Some(gc.obj)),
            },
        );
        WeakRoot {
            probe: self.root(probe),
            _type: PhantomData,
        }
    }
}

impl<T: ?Sized> WeakRoot<T> {
    /// The object, under the brand of the current scope, if it is still alive.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the weak root.
    pub fn upgrade<'gc>(&self, m: &Mutation<'gc>) -> Option<Gc<'gc, <T as Rebrand<'gc>>::Branded>>
    where
        T: Rebrand<'gc>,
    {
        let target = self.probe.get(m).target.obj;
        target.map(Gc::from_obj)
    }

    /// The object, read between scopes, if it is alive; panics if `table` is not the weak
    /// root's heap's.
    pub(crate) fn object(&self, table: &Rc<RootTable>) -> Option<NonNull<u8>> {
        let probe = self.probe.object(table);
        // SAFETY: between scopes the probe is a live object of its type, and nothing refers to
        // its value.
        unsafe { <Probe<'static> as Object>::value(probe) }
            .target
            .obj
    }
}

impl<T: ?Sized> fmt::Debug for WeakRoot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WeakRoot<{}>#{}",
            core::any::type_name::<T>(),
            self.probe.index
        )
    }
}
