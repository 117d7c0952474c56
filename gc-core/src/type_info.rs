//! Type descriptors: what the collector knows about the type of each object.
//!
//! Each managed type has one `'static` [`TypeInfo`], built at compile time from the type's
//! [`Trace`] facts and pointed to by the header of every object of that type. The
//! [`Object`] trait gives it, and knows how to find the value inside an object: right after
//! the header for sized types, after the header and a length word for slices and `str`.

use core::ptr::NonNull;

use crate::trace::NamedTracer;
use crate::trace::{Trace, Tracer};

/// The size and alignment of a header word, and the granule of every space.
pub(crate) const WORD: usize = core::mem::size_of::<usize>();

/// Rounds `size` up to a whole number of words.
#[inline(always)]
pub(crate) const fn align_up(size: usize) -> usize {
    (size + WORD - 1) & !(WORD - 1)
}

/// A checked value in every descriptor, so the verifier can tell a header from garbage.
const MAGIC: u32 = 0x6763_7479;

/// How big an object is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    /// A sized value of `size` bytes.
    Sized { size: usize },
    /// A slice (or `str`) of elements of `elem_size` bytes, its length in the word after the
    /// header.
    Slice { elem_size: usize },
}

/// How the collector finds the managed pointers of an object.
#[derive(Clone, Copy)]
pub(crate) enum Scan {
    /// Never scanned: the object holds no managed pointer.
    Leaf,
    /// The byte offsets (from the value) of its pointer slots; [`NO_SLOT`] entries are skipped.
    Map(&'static [u32]),
    /// A call to the type's trace function, given the object's start.
    Call(unsafe fn(NonNull<u8>, &mut Tracer<'_>)),
}

/// Traces the object at the given address with named edges.
pub(crate) type TraceNamed = unsafe fn(NonNull<u8>, &mut NamedTracer<'_>);

/// Traces the elements `from..to` of the slice object at the given address.
pub(crate) type TraceElements = unsafe fn(NonNull<u8>, usize, usize, &mut Tracer<'_>);

/// The descriptor of a managed type: its layout, drop glue and how to trace it. Written at
/// compile time for every type a `Gc` can point to; only the collector reads it.
#[doc(hidden)]
#[repr(C, align(512))]
pub struct TypeInfo {
    magic: u32,
    name: fn() -> &'static str,
    pub(crate) shape: Shape,
    pub(crate) align: usize,
    /// Runs the drop glue of the value in the object that starts at the given address.
    pub(crate) drop_glue: Option<unsafe fn(NonNull<u8>)>,
    pub(crate) scan: Scan,
    /// For a slice type whose elements hold managed pointers: traces the elements with
    /// indices in the given range (which must lie within the slice), so that a minor
    /// collection scans a big array only where its cards are dirty.
    pub(crate) trace_elements: Option<TraceElements>,
    /// Barriered cells of this type may live outside the object (see [`Trace`]).
    pub(crate) has_out_of_line_cells: bool,
    /// Traces the object with named edges, for retainer paths and heap snapshots; `None`
    /// for a leaf. The collector never calls it.
    pub(crate) trace_named: Option<TraceNamed>,
}

impl TypeInfo {
    pub(crate) fn is_valid(&self) -> bool {
        self.magic == MAGIC
    }

    /// The Rust name of the type.
    pub fn name(&self) -> &'static str {
        (self.name)()
    }

    /// The byte offset of the value from the object start.
    #[inline(always)]
    pub(crate) fn value_offset(&self) -> usize {
        match self.shape {
            Shape::Sized { .. } => WORD,
            Shape::Slice { .. } => 2 * WORD,
        }
    }

    /// The size in bytes of the object that starts at `obj`, header included.
    ///
    /// # Safety
    /// - `obj` must be the start of a live object of this type.
    #[inline(always)]
    pub(crate) unsafe fn object_size(&self, obj: NonNull<u8>) -> usize {
        match self.shape {
            Shape::Sized { size } => align_up(WORD + size),
            Shape::Slice { elem_size } => {
                // SAFETY: slice objects store their length in the word after the header.
                let len = unsafe { slice_len(obj) };
                align_up(2 * WORD + len * elem_size)
            }
        }
    }

    /// Whether objects of this type ever need scanning.
    #[inline(always)]
    pub(crate) fn is_leaf(&self) -> bool {
        matches!(self.scan, Scan::Leaf)
    }
}

/// Reads the length word of a slice object.
///
/// # Safety
/// - `obj` must be the start of a slice or `str` object.
#[inline(always)]
pub(crate) unsafe fn slice_len(obj: NonNull<u8>) -> usize {
    // SAFETY: the caller promises a slice object, whose second word is its length.
    unsafe { obj.as_ptr().add(WORD).cast::<usize>().read() }
}

mod sealed {
    /// Only tenured-gc decides which types can be managed objects.
    pub trait Sealed {}
    impl<T: crate::Trace> Sealed for T {}
    impl<T: crate::Trace> Sealed for [T] {}
    impl Sealed for str {}
}

/// A type that can be the target of a `Gc`: any sized `Trace` type, slices of them and `str`.
///
/// Implemented by tenured-gc alone (the trait is sealed); write it as a bound,
/// `fn len<T: ?Sized + Object>(gc: Gc<'_, T>)`, where a generic function takes any `Gc`.
///
/// ```
/// use tenured_gc::{Gc, Heap, Object};
///
/// /// Works for every `Gc`: of a sized value, a slice or a string.
/// fn size_of_value<T: ?Sized + Object>(gc: Gc<'_, T>) -> usize {
///     core::mem::size_of_val(&*gc)
/// }
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     assert_eq!(size_of_value(Gc::new(m, 1_u64)), 8);
///     assert_eq!(size_of_value(Gc::from_slice(m, &[1_u16, 2, 3])), 6);
///     assert_eq!(size_of_value(Gc::new_str(m, "four")), 4);
/// });
/// ```
///
/// # Safety
/// `TYPE_INFO` must describe the type truthfully, and `value` must find the value where the
/// allocator put it.
pub unsafe trait Object: sealed::Sealed {
    /// The type's descriptor.
    #[doc(hidden)]
    const TYPE_INFO: &'static TypeInfo;

    /// The value inside the object that starts at `obj`.
    #[doc(hidden)]
    ///
    /// # Safety
    /// - `obj` must be the start of a live object of this type, not freed or moved while the
    ///   returned reference lives.
    unsafe fn value<'a>(obj: NonNull<u8>) -> &'a Self;
}

/// Drops the sized value of the object at `obj` in place.
unsafe fn drop_value<T>(obj: NonNull<u8>) {
    // SAFETY: the collector calls drop glue once, on a dead object of type `T`.
    unsafe { obj.as_ptr().add(WORD).cast::<T>().drop_in_place() }
}

unsafe fn trace_value<T: Trace>(obj: NonNull<u8>, tracer: &mut Tracer<'_>) {
    // SAFETY: the collector traces live objects of type `T`, and nothing else refers to the
    // value while it does.
    unsafe { (*obj.as_ptr().add(WORD).cast::<T>()).trace(tracer) }
}

/// The elements of the slice object at `obj`.
///
/// # Safety
/// - `obj` must be the start of a slice object of element type `T`, with no other reference
///   to its elements alive.
unsafe fn elements<'a, T>(obj: NonNull<u8>) -> &'a mut [T] {
    // SAFETY: slice objects hold `len` initialised elements after the length word.
    unsafe {
        core::slice::from_raw_parts_mut(obj.as_ptr().add(2 * WORD).cast::<T>(), slice_len(obj))
    }
}

unsafe fn drop_slice<T>(obj: NonNull<u8>) {
    // SAFETY: the collector calls drop glue once, on a dead slice object of element type `T`.
    unsafe { core::ptr::drop_in_place(elements::<T>(obj)) }
}

unsafe fn trace_slice<T: Trace>(obj: NonNull<u8>, tracer: &mut Tracer<'_>) {
    // SAFETY: the collector traces live slice objects of element type `T`.
    for item in unsafe { elements::<T>(obj) } {
        item.trace(tracer)
    }
}

unsafe fn trace_named_value<T: Trace>(obj: NonNull<u8>, tracer: &mut NamedTracer<'_>) {
    // SAFETY: named walks trace live objects of type `T` between scopes, when nothing else
    // refers to the value.
    unsafe { (*obj.as_ptr().add(WORD).cast::<T>()).trace_named(tracer) }
}

unsafe fn trace_named_slice<T: Trace>(obj: NonNull<u8>, tracer: &mut NamedTracer<'_>) {
    // SAFETY: named walks trace live slice objects of element type `T` between scopes.
    for (i, item) in unsafe { elements::<T>(obj) }.iter_mut().enumerate() {
        tracer.index(i, item)
    }
}

unsafe fn trace_slice_elements<T: Trace>(
    obj: NonNull<u8>,
    from: usize,
    to: usize,
    tracer: &mut Tracer<'_>,
) {
    // SAFETY: the collector traces live slice objects of element type `T`.
    let len = unsafe { slice_len(obj) };
    debug_assert!(
        from <= to && to <= len,
        "elements {from}..{to} of a slice of {len}"
    );
    // Only the elements in the range are borrowed: a major collection on several threads
    // traces other ranges of one big slice at the same time.
    // SAFETY: as above; `from..to` lies within the `len` initialised elements after the
    // length word.
    let items = unsafe {
        core::slice::from_raw_parts_mut(obj.as_ptr().add(2 * WORD).cast::<T>().add(from), to - from)
    };
    for item in items {
        item.trace(tracer)
    }
}

const fn sized_scan<T: Trace>() -> Scan {
    if T::IS_LEAF {
        Scan::Leaf
    } else if T::POINTER_SLOT {
        Scan::Map(&[0])
    } else if let Some(map) = T::POINTER_MAP {
        Scan::Map(map)
    } else {
        Scan::Call(trace_value::<T>)
    }
}

// SAFETY: the descriptor is built from `T`'s own layout and `Trace` facts; sized values
// follow the header.
unsafe impl<T: Trace> Object for T {
    const TYPE_INFO: &'static TypeInfo = &TypeInfo {
        magic: MAGIC,
        name: core::any::type_name::<T>,
        shape: Shape::Sized {
            size: core::mem::size_of::<T>(),
        },
        align: core::mem::align_of::<T>(),
        drop_glue: if core::mem::needs_drop::<T>() {
            Some(drop_value::<T>)
        } else {
            None
        },
        scan: sized_scan::<T>(),
        trace_elements: None,
        has_out_of_line_cells: T::HAS_OUT_OF_LINE_CELLS,
        trace_named: if T::IS_LEAF {
            None
        } else {
            Some(trace_named_value::<T>)
        },
    };

    #[inline(always)]
    unsafe fn value<'a>(obj: NonNull<u8>) -> &'a T {
        // SAFETY: sized values sit right after the header; the caller promises a live object.
        unsafe { &*obj.as_ptr().add(WORD).cast::<T>() }
    }
}

// SAFETY: the descriptor is built from the element type; elements follow the header and
// the length word.
unsafe impl<T: Trace> Object for [T] {
    const TYPE_INFO: &'static TypeInfo = &TypeInfo {
        magic: MAGIC,
        name: core::any::type_name::<[T]>,
        shape: Shape::Slice {
            elem_size: core::mem::size_of::<T>(),
        },
        align: core::mem::align_of::<T>(),
        drop_glue: if core::mem::needs_drop::<T>() {
            Some(drop_slice::<T>)
        } else {
            None
        },
        scan: if T::IS_LEAF {
            Scan::Leaf
        } else {
            Scan::Call(trace_slice::<T>)
        },
        trace_elements: if T::IS_LEAF || core::mem::size_of::<T>() == 0 {
            None
        } else {
            Some(trace_slice_elements::<T>)
        },
        has_out_of_line_cells: T::HAS_OUT_OF_LINE_CELLS,
        trace_named: if T::IS_LEAF {
            None
        } else {
            Some(trace_named_slice::<T>)
        },
    };

    #[inline(always)]
    unsafe fn value<'a>(obj: NonNull<u8>) -> &'a [T] {
        // SAFETY: the caller promises a live slice object of element type `T`.
        unsafe {
            core::slice::from_raw_parts(obj.as_ptr().add(2 * WORD).cast::<T>(), slice_len(obj))
        }
    }
}

// SAFETY: a `str` object is a byte slice object holding UTF-8.
unsafe impl Object for str {
    const TYPE_INFO: &'static TypeInfo = &TypeInfo {
        magic: MAGIC,
        name: core::any::type_name::<str>,
        shape: Shape::Slice { elem_size: 1 },
        align: 1,
        drop_glue: None,
        scan: Scan::Leaf,
        trace_elements: None,
        has_out_of_line_cells: false,
        trace_named: None,
    };

    #[inline(always)]
    unsafe fn value<'a>(obj: NonNull<u8>) -> &'a str {
        // SAFETY: `str` objects are created only from `&str`, so their bytes are UTF-8.
        unsafe { core::str::from_utf8_unchecked(<[u8] as Object>::value(obj)) }
    }
}
