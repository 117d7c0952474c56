//! Mutation scopes: where managed objects are allocated and changed.
//!
//! A [`Mutation<'gc>`] is handed to the closure of [`Heap::mutate`](crate::Heap::mutate).
//! Its `'gc` brand is invariant and chosen fresh for each scope, so no `Gc<'gc, _>` can leave
//! the scope, and no collection runs inside one: every `&T` borrowed from a `Gc` stays valid
//! for the whole scope.
//!
//! # Allocation
//! The fast path bumps the heap's allocation window. The cold slow path opens the window over
//! eden on first use and places large or over-aligned values in the large-object space. When
//! eden is full inside a scope, where no collection may run, the window moves to an overflow
//! block (`space/overflow.rs`): allocation stays a bump, and the next collection point runs
//! a minor collection that evacuates the live overflow objects like eden's. A large object
//! that points into the nursery or overflow is remembered at once.
//!
//! # The write barrier
//! Every barriered cell calls [`Mutation::write_barrier`] with its own address after a store
//! of managed pointers. A cell in the barrier's quiet range needs nothing (one range check):
//! the nursery, or, in a scope that may still give its eden back when it ends, only the
//! memory that scope allocates in. Outside it, the slow path first gives up that reclaim (the
//! cell may belong to an older object, now pointing at a new one); a young cell then needs
//! nothing more, nor does one in an overflow block. Otherwise the barrier finds the old or large
//! object that holds the cell and logs it in the remembered set, once. A cell outside every space (in a `Vec`'s buffer, say) cannot name its owner, so
//! the next minor collection rescans the old objects that can own such cells.

use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::collect::tracer::{scan, EdgeVisitor};
use crate::config::MIN_LARGE_OBJECT_THRESHOLD;
use crate::error::AllocError;
use crate::header::{self, align_up, Header, LOGGED, WORD};
use crate::heap::HeapInner;
use crate::root::Root;
use crate::trace::{Rebrand, Trace};
use crate::type_info::{Object, TypeInfo};
use crate::Gc;

/// The handle of a mutation scope: allocate with it, store through barriered cells with it,
/// root with it.
pub struct Mutation<'gc> {
    /// The heap, held by pointer so that the only reason a `Mutation` is neither `Send` nor
    /// `Sync` is this pointer (and so the compiler's message names it alone).
    heap: NonNull<HeapInner>,
    _brand: PhantomData<Cell<&'gc ()>>,
}

/// Where an object was placed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placed {
    /// In the allocation window: eden, or the old generation after eden overflowed.
    Window,
    /// In the large-object space.
    Large,
}

impl<'gc> Mutation<'gc> {
    pub(crate) fn new(heap: &'gc HeapInner) -> Self {
        Mutation {
            heap: NonNull::from(heap),
            _brand: PhantomData,
        }
    }

    /// The heap this scope mutates.
    #[inline(always)]
    pub(crate) fn heap(&self) -> &'gc HeapInner {
        // SAFETY: `new` took a `&'gc HeapInner`, so the heap is borrowed for all of `'gc`.
        unsafe { self.heap.as_ref() }
    }

    /// Keeps `gc` alive across collections, until the returned root is dropped.
    pub fn root<T>(&self, gc: Gc<'gc, T>) -> Root<<T as Rebrand<'static>>::Branded>
    where
        T: ?Sized + Rebrand<'static>,
    {
        Root::new(&self.heap().roots, gc.obj)
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

    /// The fast path: a compare and an add in the allocation window.
    #[inline(always)]
    fn alloc_raw(
        &self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<(NonNull<u8>, Placed), AllocError> {
        let heap = self.heap();
        // The first test folds away for most types: no threshold is below the minimum.
        let small = size < MIN_LARGE_OBJECT_THRESHOLD || size < heap.large_object_threshold;
        if info.align <= WORD && small {
            if let Some(obj) = heap.window.try_alloc(size) {
                return Ok((obj, Placed::Window));
            }
        }
        self.alloc_slow(size, info)
    }

    /// Bookkeeping after an object is written: finalization for window objects that need
    /// drop (the next minor collection drops the entries of those that are old), the
    /// remembered set for large ones that point into the nursery.
    #[inline(always)]
    fn placed(&self, obj: NonNull<u8>, placed: Placed, info: &'static TypeInfo) {
        match placed {
            Placed::Window => {
                if info.drop_glue.is_some() {
                    self.heap().young_finalizable.borrow_mut().push(obj);
                }
            }
            Placed::Large => {
                if !info.is_leaf() {
                    self.remember_if_young_pointers(obj, info)
                }
            }
        }
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
        if info.align > WORD || size >= heap.large_object_threshold {
            heap.check_limit(size + info.align)?;
            // A large object outlives the scope's reclaim, and may point into it.
            heap.escape_scope();
            let obj = heap
                .large
                .borrow_mut()
                .alloc(size, info.align, info.value_offset());
            if info.has_out_of_line_cells {
                heap.large_has_out_of_line_cells.set(true);
            }
            heap.stats.borrow_mut().bytes_allocated += size as u64;
            return Ok((obj, Placed::Large));
        }
        if !heap.window.is_open() {
            let (start, end) = heap.nursery.eden_window(heap.eden_allowance.get());
            heap.window.open(start, end);
            if let Some(obj) = heap.window.try_alloc(size) {
                return Ok((obj, Placed::Window));
            }
        }
        // Eden (or the last overflow block) is full, and no collection may run inside a
        // scope: go on in a new overflow block. The next collection point runs a minor
        // collection, which evacuates the live overflow objects and frees the blocks.
        let block_size =
            heap.overflow
                .borrow()
                .next_block_size(size, heap.nursery.eden_size(), |block| {
                    heap.check_limit(block).is_ok()
                });
        let Some(block_size) = block_size else {
            return Err(heap
                .check_limit(size)
                .expect_err("an object that fits no block breaks the limit"));
        };
        heap.escape_scope();
        let eden_used = heap.eden_used();
        let (start, end) =
            heap.overflow
                .borrow_mut()
                .add_block(block_size, eden_used, heap.window.cursor());
        heap.window.open(start, end);
        let obj = heap
            .window
            .try_alloc(size)
            .expect("a new overflow block has room for the object");
        Ok((obj, Placed::Window))
    }

    /// Logs an object placed outside the nursery if its value points into the nursery.
    #[cold]
    fn remember_if_young_pointers(&self, obj: NonNull<u8>, info: &TypeInfo) {
        struct FindYoung<'a> {
            heap: &'a HeapInner,
            found: bool,
        }
        impl EdgeVisitor for FindYoung<'_> {
            fn edge(&mut self, slot: &mut NonNull<u8>) {
                self.found |= self.heap.is_young(slot.as_ptr().addr());
            }
            fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
                if let Some(target) = slot {
                    self.edge(target)
                }
            }
        }
        let mut finder = FindYoung {
            heap: self.heap(),
            found: false,
        };
        // SAFETY: the object was just written and nothing else refers to it yet.
        unsafe { scan(obj, info, &mut finder) };
        if finder.found {
            self.heap().log(obj);
        }
    }

    /// Records a store of managed pointers into the cell at `cell`.
    #[inline(always)]
    pub(crate) fn write_barrier(&self, cell: *const u8) {
        let heap = self.heap();
        if cell.addr().wrapping_sub(heap.quiet_start.get()) >= heap.quiet_len.get() {
            heap.barrier_slow(cell.addr())
        }
    }
}

impl HeapInner {
    /// The barrier's slow path: find the object that holds the cell at `addr` and log it.
    #[cold]
    #[inline(never)]
    pub(crate) fn barrier_slow(&self, addr: usize) {
        // The cell is not in an object this scope allocated: they may now be reachable.
        self.escape_scope();
        if self.nursery.contains(addr) {
            return; // young cells need nothing
        }
        if self.overflow.borrow().contains(addr) {
            return; // overflow objects are young: the next minor collection traces them
        }
        let owner = self
            .old
            .borrow()
            .object_at(addr)
            .or_else(|| self.large.borrow().object_at(addr));
        match owner {
            Some(obj) => self.log(obj),
            None => self.out_of_line_write.set(true),
        }
    }

    /// Whether `addr` is in the nursery or in eden's overflow blocks.
    pub(crate) fn is_young(&self, addr: usize) -> bool {
        self.nursery.contains(addr) || self.overflow.borrow().contains(addr)
    }

    /// Puts an old object in the remembered set, once.
    pub(crate) fn log(&self, obj: NonNull<u8>) {
        // SAFETY: `obj` is the start of a live old or large object.
        let h = unsafe { header::read(obj) };
        if !h.has(LOGGED) {
            // SAFETY: as above; only the state bits change.
            unsafe { header::write(obj, h.with(LOGGED)) };
            self.remembered.borrow_mut().push(obj);
        }
    }
}
