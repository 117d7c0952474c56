//! [`GcVec`]: a growable vector whose elements live in a managed, card-marked slice.

use core::cell::Cell;
use core::fmt;

use crate::cell::GcCell;
use crate::error::AllocError;
use crate::gc::alloc_failed;
use crate::gc::Gc;
use crate::heap_send::{Admits, HeapKind};
use crate::mutation::Mutation;
use crate::trace::{Rebrand, Trace, Tracer};

/// The managed slice a [`GcVec`] keeps its elements in: `capacity` cells, the first `len`
/// of them `Some`.
type Storage<'gc, T> = Gc<'gc, [GcCell<'gc, Option<T>>]>;

/// A growable vector whose elements live in managed memory.
///
/// Put it in a managed object (or allocate it as one, `Gc<GcVec<_>>`) where a `Vec` of
/// managed pointers would be big and long-lived: a minor collection then scans only the
/// elements stored to since the last one, not the whole vector (see [`crate::collections`]).
/// Elements are `Copy` (a `Gc`, an `Option<Gc>`, a tuple of them and plain values) and are
/// read and written by value, like a [`GcCell`]'s.
///
/// ```
/// use tenured_gc::{Gc, GcVec, Heap};
///
/// let mut heap = Heap::new();
/// let list = heap.mutate(|m| {
///     let list = Gc::new(m, GcVec::new());
///     for i in 0..1000 {
///         list.push(m, Gc::new(m, i));
///     }
///     m.root(list)
/// });
/// heap.collect_major();
/// heap.mutate(|m| {
///     let list = list.get(m);
///     assert_eq!(list.len(), 1000);
///     assert_eq!(*list.get(999).unwrap(), 999);
///     list.set(m, 0, Gc::new(m, -1));
///     assert_eq!(list.iter().map(|gc| *gc).take(2).collect::<Vec<_>>(), [-1, 1]);
/// });
/// ```
pub struct GcVec<'gc, T> {
    storage: GcCell<'gc, Option<Storage<'gc, T>>>,
    len: Cell<usize>,
}

/// The capacity of the first storage a push allocates.
const FIRST_CAPACITY: usize = 8;

impl<'gc, T> GcVec<'gc, T> {
    /// An empty vector; it allocates storage on the first push.
    pub const fn new() -> Self {
        GcVec {
            storage: GcCell::new(None),
            len: Cell::new(0),
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len.get()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Default for GcVec<'_, T> {
    fn default() -> Self {
        GcVec::new()
    }
}

impl<'gc, T: Copy + Trace + Rebrand<'gc, Branded = T>> GcVec<'gc, T> {
    /// An empty vector with room for `capacity` elements.
    pub fn with_capacity(m: &Mutation<'gc, impl Admits<T>>, capacity: usize) -> Self {
        let v = GcVec::new();
        if capacity > 0 {
            v.storage
                .set(m, Some(Self::alloc_storage(m, capacity, None)));
        }
        v
    }

    /// A vector of the elements of `items`.
    pub fn from_iter_in(
        m: &Mutation<'gc, impl Admits<T>>,
        items: impl IntoIterator<Item = T>,
    ) -> Self {
        let items: Vec<_> = items.into_iter().map(|x| GcCell::new(Some(x))).collect();
        let v = GcVec::new();
        v.len.set(items.len());
        if !items.is_empty() {
            // The storage of `T`s is `HeapSend` exactly when `T` is, which `m` admits.
            v.storage.set(m, Some(Gc::from_vec(&m.unchecked(), items)));
        }
        v
    }

    /// New storage of `capacity` cells, holding the first `len` elements of `from`.
    fn alloc_storage(
        m: &Mutation<'gc, impl Admits<T>>,
        capacity: usize,
        from: Option<(Storage<'gc, T>, usize)>,
    ) -> Storage<'gc, T> {
        Self::try_alloc_storage(m, capacity, from).unwrap_or_else(|e| alloc_failed(e))
    }

    fn try_alloc_storage(
        m: &Mutation<'gc, impl Admits<T>>,
        capacity: usize,
        from: Option<(Storage<'gc, T>, usize)>,
    ) -> Result<Storage<'gc, T>, AllocError> {
        let mut cells = Vec::with_capacity(capacity);
        if let Some((old, len)) = from {
            cells.extend(old[..len].iter().map(|cell| GcCell::new(cell.get())));
        }
        cells.resize_with(capacity, || GcCell::new(None));
        // The storage of `T`s is `HeapSend` exactly when `T` is, which `m` admits.
        Gc::try_from_vec(&m.unchecked(), cells)
    }

    /// The number of elements the vector holds before it must grow its storage.
    pub fn capacity(&self) -> usize {
        self.storage.get().map_or(0, |s| s.len())
    }

    /// The element at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<T> {
        if index >= self.len() {
            return None;
        }
        self.storage.get()?[index].get()
    }

    /// The last element, if any.
    pub fn last(&self) -> Option<T> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Replaces the element at `index` with `value`, returning the old one.
    ///
    /// # Panics
    /// If `index` is out of bounds.
    #[track_caller]
    pub fn set(&self, m: &Mutation<'gc, impl HeapKind>, index: usize, value: T) -> T {
        let len = self.len();
        assert!(
            index < len,
            "GcVec::set: index {index} out of bounds (len {len})"
        );
        let storage = self.storage.get().expect("a non-empty vector has storage");
        storage[index]
            .replace(m, Some(value))
            .expect("elements below len are present")
    }

    /// Appends `value`, growing the storage (to twice its size) when it is full.
    ///
    /// # Panics
    /// If the heap limit is reached; [`GcVec::try_push`] returns the error instead.
    pub fn push(&self, m: &Mutation<'gc, impl Admits<T>>, value: T) {
        self.try_push(m, value).unwrap_or_else(|e| alloc_failed(e))
    }

    /// Appends `value`, or reports that growing the storage would pass the heap limit (the
    /// vector is then unchanged).
    pub fn try_push(&self, m: &Mutation<'gc, impl Admits<T>>, value: T) -> Result<(), AllocError> {
        let len = self.len();
        let storage = match self.storage.get() {
            Some(s) if s.len() > len => s,
            old => {
                let capacity = (2 * len).max(FIRST_CAPACITY);
                let grown = Self::try_alloc_storage(m, capacity, old.map(|s| (s, len)))?;
                self.storage.set(m, Some(grown));
                grown
            }
        };
        storage[len].set(m, Some(value));
        self.len.set(len + 1);
        Ok(())
    }

    /// Removes and returns the last element.
    pub fn pop(&self, m: &Mutation<'gc, impl HeapKind>) -> Option<T> {
        let last = self.len().checked_sub(1)?;
        let storage = self.storage.get()?;
        self.len.set(last);
        storage[last].replace(m, None)
    }

    /// Removes the element at `index` and returns it; the last element takes its place.
    ///
    /// # Panics
    /// If `index` is out of bounds.
    #[track_caller]
    pub fn swap_remove(&self, m: &Mutation<'gc, impl HeapKind>, index: usize) -> T {
        let len = self.len();
        assert!(
            index < len,
            "GcVec::swap_remove: index {index} out of bounds (len {len})"
        );
        let last = self.pop(m).expect("the vector is not empty");
        if index == len - 1 {
            last
        } else {
            self.set(m, index, last)
        }
    }

    /// Removes every element (the storage is kept).
    pub fn clear(&self, m: &Mutation<'gc, impl HeapKind>) {
        self.truncate(m, 0)
    }

    /// Removes the elements from `len` on.
    pub fn truncate(&self, m: &Mutation<'gc, impl HeapKind>, len: usize) {
        if let Some(storage) = self.storage.get() {
            for cell in &storage[len.min(self.len())..self.len()] {
                cell.set(m, None);
            }
        }
        self.len.set(len.min(self.len()));
    }

    /// The elements, in order. Elements pushed while iterating are not visited; the
    /// iteration ends early if elements are removed.
    pub fn iter(&self) -> impl Iterator<Item = T> + use<'_, 'gc, T> {
        (0..self.len()).map_while(|i| self.get(i))
    }
}

impl<'gc, T: Copy + Trace + Rebrand<'gc, Branded = T> + fmt::Debug> fmt::Debug for GcVec<'gc, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

// SAFETY: `trace` hands the one managed pointer the vector holds, its storage, to the tracer
// (the elements are traced as that managed object's). The length is a plain number, so a
// change to it needs no barrier. The vector's only cell is the storage's, in the vector
// itself; the elements' cells are in the managed storage.
unsafe impl<T: Trace> Trace for GcVec<'_, T> {
    const IS_LEAF: bool = false;
    const HAS_CELLS: bool = true;
    const HAS_OUT_OF_LINE_CELLS: bool = false;

    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(&mut self.storage)
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for GcVec<'_, T>
where
    T::Branded: Sized,
{
    type Branded = GcVec<'gc, T::Branded>;
}
