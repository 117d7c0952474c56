//! Mutation scopes: where managed objects are allocated and changed.
//!
//! A [`Mutation<'gc>`] is handed to the closure of [`Heap::mutate`](crate::Heap::mutate).
//! Its `'gc` brand is invariant and chosen fresh for each scope, so no `Gc<'gc, _>` can leave
//! the scope, and no collection runs inside one: every `&T` borrowed from a `Gc` stays valid
//! for the whole scope.
//!
//! Allocation (`alloc/allocator.rs`) and the write barrier (`barrier.rs`) start here: their
//! fast paths are inlined into the caller, their slow paths are cold calls.

use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::alloc::allocator::Placed;
use crate::barrier::{record_new_large, record_store};
use crate::error::AllocError;
use crate::header::{self, align_up, Header, WORD};
use crate::heap_send::{HeapKind, Local};
use crate::heap_state::HeapState;
use crate::scope::Escape;
use crate::stats::HeapStats;
use crate::trace::Trace;
use crate::type_info::{Object, TypeInfo};

/// The handle of a mutation scope: allocate with it, store through barriered cells with it,
/// root with it.
///
/// [`Heap::mutate`](crate::Heap::mutate) hands one to its closure; its brand `'gc` is the
/// scope's, and every `Gc<'gc, _>` made with it lives at most as long. Functions that work
/// with managed values take it by reference and name the brand:
///
/// ```
/// use tenured_gc::{Gc, GcRefCell, Heap, Mutation, Trace};
///
/// #[derive(Trace)]
/// struct Log<'gc> {
///     lines: GcRefCell<'gc, Vec<Gc<'gc, str>>>,
/// }
///
/// fn append<'gc>(m: &Mutation<'gc>, log: Gc<'gc, Log<'gc>>, line: &str) {
///     let line = Gc::new_str(m, line); // allocate
///     log.lines.borrow_mut(m).push(line); // store, with the write barrier
/// }
///
/// let mut heap = Heap::new();
/// let log = heap.mutate(|m| {
///     let log = Gc::new(m, Log { lines: GcRefCell::default() });
///     append(m, log, "started");
///     m.root(log) // root, to keep it past the scope
/// });
/// heap.mutate(|m| append(m, log.get(m), "running"));
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(log.get(m).lines.borrow().len(), 2));
/// ```
///
/// The scopes of a [`SendHeap`](crate::SendHeap) get a `Mutation<'gc, Sendable>`, which
/// allocates only [`HeapSend`](crate::HeapSend) types; `K` is [`Local`] everywhere else.
pub struct Mutation<'gc, K: HeapKind = Local> {
    /// The heap, held by pointer so that the only reason a `Mutation` is neither `Send` nor
    /// `Sync` is this pointer (and so the compiler's message names it alone).
    heap: NonNull<HeapState>,
    _brand: PhantomData<Cell<&'gc ()>>,
    _kind: PhantomData<K>,
}

impl<'gc, K: HeapKind> Mutation<'gc, K> {
    pub(crate) fn new(heap: &'gc HeapState) -> Self {
        Mutation {
            heap: NonNull::from(heap),
            _brand: PhantomData,
            _kind: PhantomData,
        }
    }

    /// The same scope's mutation, of the kind that checks nothing at allocation: for code of
    /// this crate that allocates what the caller's bounds already admit in another form (the
    /// storage of a `GcVec<T>` is `[GcCell<Option<T>>]`, `HeapSend` exactly when `T` is).
    pub(crate) fn unchecked(&self) -> Mutation<'gc, Local> {
        Mutation {
            heap: self.heap,
            _brand: PhantomData,
            _kind: PhantomData,
        }
    }

    /// The heap's statistics now, as [`Heap::stats`](crate::Heap::stats) gives them between
    /// scopes: inside a scope of [`Heap::mutate`](crate::Heap::mutate) or a step of
    /// [`Heap::run`](crate::Heap::run), they include what the scope allocated so far.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// heap.mutate(|m| {
    ///     let before = m.stats();
    ///     Gc::new(m, 1u64);
    ///     let after = m.stats();
    ///     assert_eq!(after.bytes_allocated - before.bytes_allocated, 16);
    ///     assert_eq!(after.eden_used - before.eden_used, 16);
    /// });
    /// ```
    pub fn stats(&self) -> HeapStats {
        self.heap().stats()
    }

    /// The heap this scope mutates.
    #[inline(always)]
    pub(crate) fn heap(&self) -> &'gc HeapState {
        // SAFETY: `new` took a `&'gc HeapState`, so the heap is borrowed for all of `'gc`.
        unsafe { self.heap.as_ref() }
    }

    /// Allocates a sized value and returns its object start.
    #[inline(always)]
    pub(crate) fn alloc_value<T: Trace>(&self, value: T) -> Result<NonNull<u8>, AllocError> {
        let info = <T as Object>::TYPE_INFO;
        let size = const { align_up(WORD + core::mem::size_of::<T>()) };
        let (obj, placed) = self.alloc_raw(size, info)?;
        // SAFETY: `obj` is a fresh block of `size` bytes, aligned for `T` after the header.
        unsafe {
            header::write(obj, Header::new(info));
            obj.add(WORD).cast::<T>().write(value);
        }
        self.placed(obj, placed, info);
        Ok(obj)
    }

    /// Allocates a slice object of `len` elements of `T`, filled by `fill`, which must
    /// initialise exactly `len` elements at the pointer it is given.
    pub(crate) fn alloc_slice<T: Trace>(
        &self,
        len: usize,
        info: &'static TypeInfo,
        fill: impl FnOnce(*mut T),
    ) -> Result<NonNull<u8>, AllocError> {
        let bytes = len
            .checked_mul(core::mem::size_of::<T>())
            .and_then(|b| b.checked_add(3 * WORD - 1));
        let size = bytes.expect("slice too large for the address space") & !(WORD - 1);
        let (obj, placed) = self.alloc_raw(size, info)?;
        // SAFETY: `obj` is a fresh block of `size` bytes: header, length, then room for `len`
        // elements aligned for `T`.
        unsafe {
            header::write(obj, Header::new(info));
            obj.add(WORD).cast::<usize>().write(len);
            fill(obj.add(2 * WORD).cast::<T>().as_ptr());
        }
        self.placed(obj, placed, info);
        Ok(obj)
    }

    /// Allocates `size` bytes for an object of type `info`: the allocator's fast path, inlined,
    /// or its cold slow path.
    #[inline(always)]
    fn alloc_raw(
        &self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<(NonNull<u8>, Placed), AllocError> {
        let heap = self.heap();
        if let Some(obj) = heap.alloc.try_alloc(size, info) {
            return Ok((obj, Placed::Young));
        }
        self.alloc_slow(size, info)
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(
        &self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<(NonNull<u8>, Placed), AllocError> {
        let heap = self.heap();
        heap.check_usable();
        let check_limit = |more| heap.check_limit(more);
        heap.alloc
            .alloc_slow(size, info, heap.slow_path(&check_limit))
    }

    /// Bookkeeping after an object is written: finalization for young objects that need drop
    /// (the next minor collection drops the entries of those that are promoted), the
    /// remembered set for large ones that point into the nursery.
    #[inline(always)]
    fn placed(&self, obj: NonNull<u8>, placed: Placed, info: &'static TypeInfo) {
        let heap = self.heap();
        match placed {
            Placed::Young => {
                if info.drop_glue.is_some() {
                    heap.scope.escape(Escape::NeedsDrop);
                    heap.young_finalizable.borrow_mut().push(obj);
                }
            }
            Placed::Large => {
                if !info.is_leaf() {
                    // SAFETY: the object was just written and nothing else refers to it yet.
                    unsafe { record_new_large(obj, info, &heap.spaces, &heap.remembered) }
                }
            }
        }
    }

    /// Records a store of managed pointers into the cell at `cell`.
    #[inline(always)]
    pub(crate) fn write_barrier(&self, cell: *const u8) {
        let heap = self.heap();
        if !heap.scope.skips_barrier(cell.addr()) {
            record_store(cell.addr(), &heap.scope, &heap.spaces, &heap.remembered)
        }
    }
}
