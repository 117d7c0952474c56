//! Roots: handles that keep objects alive across collections.
//!
//! A [`Root<T>`] owns one slot of its heap's root table. The collector traces every slot
//! and rewrites it when the object moves; dropping the root frees the slot, and the object
//! becomes garbage unless something else reaches it. `T` is the object's type under the
//! `'static` brand; [`Root::get`] hands it back under the brand of the current scope.

use core::cell::{Cell, RefCell};
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::rc::Rc;

use crate::mutation::Mutation;
use crate::trace::Rebrand;
use crate::Gc;

/// The root slots of one heap, shared between the heap and its roots.
pub(crate) struct RootTable {
    slots: RefCell<Vec<Option<NonNull<u8>>>>,
    free: RefCell<Vec<usize>>,
    /// How many times a slot was filled: a scope that rooted something is seen by the change.
    writes: Cell<u64>,
    /// While a collection runs: the objects whose roots drop glue dropped. They were roots
    /// when the collector traced, so the re-mark check counts them as roots.
    released: RefCell<Option<Vec<NonNull<u8>>>>,
}

impl RootTable {
    pub(crate) fn new() -> Self {
        RootTable {
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            writes: Cell::new(0),
            released: RefCell::new(None),
        }
    }

    fn add(&self, obj: NonNull<u8>) -> usize {
        self.writes.set(self.writes.get() + 1);
        let mut slots = self.slots.borrow_mut();
        match self.free.borrow_mut().pop() {
            Some(i) => {
                slots[i] = Some(obj);
                i
            }
            None => {
                slots.push(Some(obj));
                slots.len() - 1
            }
        }
    }

    fn remove(&self, index: usize) {
        if let Some(slot) = self.slots.borrow_mut().get_mut(index) {
            if let Some(obj) = slot.take() {
                self.free.borrow_mut().push(index);
                if let Some(released) = self.released.borrow_mut().as_mut() {
                    released.push(obj);
                }
            }
        }
    }

    fn get(&self, index: usize) -> NonNull<u8> {
        self.slots.borrow()[index].expect("gc-core: root used after its heap was dropped")
    }

    fn set(&self, index: usize, obj: NonNull<u8>) {
        self.writes.set(self.writes.get() + 1);
        self.slots.borrow_mut()[index] = Some(obj);
    }

    /// How many times a slot was filled so far.
    pub(crate) fn writes(&self) -> u64 {
        self.writes.get()
    }

    /// Calls `visit` with every occupied slot, for the collector.
    pub(crate) fn for_each_slot(&self, mut visit: impl FnMut(&mut NonNull<u8>)) {
        for slot in self.slots.borrow_mut().iter_mut().flatten() {
            visit(slot)
        }
    }

    /// Starts or ends recording the roots released during a collection; ending returns them.
    pub(crate) fn record_releases(&self, on: bool) -> Vec<NonNull<u8>> {
        let mut released = self.released.borrow_mut();
        let taken = released.take().unwrap_or_default();
        if on {
            *released = Some(Vec::new());
        }
        taken
    }

    /// Empties every slot: the heap is gone.
    pub(crate) fn clear(&self) {
        self.slots
            .borrow_mut()
            .iter_mut()
            .for_each(|slot| *slot = None);
    }
}

/// A handle that keeps a managed object alive, between mutation scopes too.
///
/// Made by [`Mutation::root`]; `T` is the object's type under the `'static` brand
/// (`Root<Node<'static>>`). Cloning makes another root of the same object.
pub struct Root<T: ?Sized> {
    table: Rc<RootTable>,
    index: usize,
    _type: PhantomData<*const T>,
}

impl<T: ?Sized> Root<T> {
    pub(crate) fn new(table: &Rc<RootTable>, obj: NonNull<u8>) -> Self {
        Root {
            table: Rc::clone(table),
            index: table.add(obj),
            _type: PhantomData,
        }
    }

    fn check_heap(&self, m: &Mutation<'_>) {
        if !Rc::ptr_eq(&self.table, &m.heap().roots) {
            panic!(
                "gc-core: a Root was used with a heap other than the one that created it; \
                 a root only works with its own heap"
            );
        }
    }

    /// The rooted object, under the brand of the current scope.
    ///
    /// # Panics
    /// If `m` belongs to another heap than the root.
    pub fn get<'gc>(&self, m: &Mutation<'gc>) -> Gc<'gc, <T as Rebrand<'gc>>::Branded>
    where
        T: Rebrand<'gc>,
    {
        self.check_heap(m);
        Gc::from_obj(self.table.get(self.index))
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
