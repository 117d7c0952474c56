//! Roots: handles that keep objects alive across collections.
//!
//! A [`Root<T>`] owns one slot of its heap's root table. The collector traces every slot
//! and rewrites it when the object moves; dropping the root frees the slot, and the object
//! becomes garbage unless something else reaches it. `T` is the object's type under the
//! `'static` brand; [`Root::get`] hands it back under the brand of the current scope.

use core::cell::RefCell;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::rc::Rc;

use crate::mutation::Mutation;
use crate::scope::Escape;
use crate::trace::Rebrand;
use crate::Gc;

/// The root slots of one heap, shared between the heap and its roots.
///
/// # Roots released during a collection
/// Drop glue runs during collections, and it may drop a `Root` (one held in a `#[gc(ignore)]`
/// field, say). Its slot is not freed then: it stays a root until the collection ends, so every
/// phase after the release still traces and updates it like any other (a major collection
/// runs drop glue before it rewrites pointers, and the target may move after). The collector,
/// the verifier and the re-mark check therefore see one consistent root set per collection,
/// and no address recorded before compaction is read after it.
pub(crate) struct RootTable {
    slots: RefCell<Vec<Option<NonNull<u8>>>>,
    free: RefCell<Vec<usize>>,
    /// While a collection runs: the slots released so far, freed when it ends.
    released_while_collecting: RefCell<Option<Vec<usize>>>,
}

impl RootTable {
    pub(crate) fn new() -> Self {
        RootTable {
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            released_while_collecting: RefCell::new(None),
        }
    }

    fn add(&self, obj: NonNull<u8>) -> usize {
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
        if let Some(released) = self.released_while_collecting.borrow_mut().as_mut() {
            released.push(index);
            return;
        }
        self.free_slot(index)
    }

    fn free_slot(&self, index: usize) {
        if let Some(slot) = self.slots.borrow_mut().get_mut(index) {
            if slot.take().is_some() {
                self.free.borrow_mut().push(index);
            }
        }
    }

    fn get(&self, index: usize) -> NonNull<u8> {
        self.slots.borrow()[index].expect("gc-core: root used after its heap was dropped")
    }

    fn set(&self, index: usize, obj: NonNull<u8>) {
        self.slots.borrow_mut()[index] = Some(obj);
    }

    /// Calls `visit` with every occupied slot, for the collector.
    pub(crate) fn for_each_slot(&self, mut visit: impl FnMut(&mut NonNull<u8>)) {
        for slot in self.slots.borrow_mut().iter_mut().flatten() {
            visit(slot)
        }
    }

    /// A collection begins: roots released from now on stay roots until it ends.
    pub(crate) fn begin_collection(&self) {
        *self.released_while_collecting.borrow_mut() = Some(Vec::new());
    }

    /// The collection has ended: frees the slots released during it.
    pub(crate) fn end_collection(&self) {
        let released = self.released_while_collecting.borrow_mut().take();
        for index in released.into_iter().flatten() {
            self.free_slot(index)
        }
    }

    /// Empties every slot: the heap is gone.
    pub(crate) fn clear(&self) {
        *self.released_while_collecting.borrow_mut() = None;
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

impl<'gc> Mutation<'gc> {
    /// Keeps `gc` alive across collections, until the returned root is dropped.
    pub fn root<T>(&self, gc: Gc<'gc, T>) -> Root<<T as Rebrand<'static>>::Branded>
    where
        T: ?Sized + Rebrand<'static>,
    {
        let heap = self.heap();
        heap.scope.escape(Escape::Root);
        Root::new(&heap.roots, gc.obj)
    }
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
