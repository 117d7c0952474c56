//! Scanning one object: the single place that turns a type descriptor into edges.
//!
//! Every collector phase is an [`EdgeVisitor`]; [`scan`] hands it the pointer slots of an
//! object, straight from the pointer map for plain structs, or through the type's trace
//! function otherwise.

use core::ptr::NonNull;

use crate::trace::{EdgeVisitor, EphemeronPass, Tracer};
use crate::type_info::{Scan, Shape, TypeInfo};

/// Hands every edge of the object at `obj`, of type `info`, to `visitor`.
///
/// # Safety
/// - `obj` must be the start of an object of type `info` whose value is intact, and no
///   reference to that value may be alive.
///
/// Generic over the visitor, so that a pointer-mapped object's slots reach it without a
/// dynamic call; a traced object's `trace` function gets it as a `&mut dyn EdgeVisitor`.
#[inline]
pub(crate) unsafe fn scan<V: EdgeVisitor>(obj: NonNull<u8>, info: &TypeInfo, visitor: &mut V) {
    match info.scan {
        Scan::Leaf => {}
        Scan::Map(offsets) => {
            // SAFETY: a pointer map belongs to a sized type, whose value follows the header.
            let value = unsafe { obj.add(info.value_offset()) };
            for &offset in offsets {
                if offset == crate::trace::NO_SLOT {
                    continue;
                }
                // SAFETY: the map lists the offsets of pointer slots of the value: words that
                // are null or hold an object start (`Trace` rule 6).
                let slot = unsafe {
                    &mut *value
                        .add(offset as usize)
                        .cast::<Option<NonNull<u8>>>()
                        .as_ptr()
                };
                if let Some(target) = slot {
                    visitor.edge(target);
                }
            }
        }
        Scan::Call(trace) => {
            let mut tracer = Tracer { visitor };
            // SAFETY: the caller promises a live object of the type `trace` belongs to.
            unsafe { trace(obj, &mut tracer) }
        }
    }
}

/// Hands `visitor` the edges of the object at `obj`, of type `info`, that may lie in the
/// address range `[from, to)`: for a slice with element tracing, the elements that overlap
/// the range; for any other object, all its edges.
///
/// # Safety
/// - As for [`scan`].
pub(crate) unsafe fn scan_part<V: EdgeVisitor>(
    obj: NonNull<u8>,
    info: &TypeInfo,
    (from, to): (usize, usize),
    visitor: &mut V,
) {
    let (Some(trace_elements), Shape::Slice { elem_size }) = (info.trace_elements, info.shape)
    else {
        // SAFETY: the caller's promise.
        return unsafe { scan(obj, info, visitor) };
    };
    // SAFETY: the caller promises a slice object, whose length follows the header.
    let len = unsafe { crate::type_info::slice_len(obj) };
    let first = obj.as_ptr().addr() + info.value_offset();
    let start = from.saturating_sub(first) / elem_size;
    let end = to.saturating_sub(first).div_ceil(elem_size).min(len);
    if start < end {
        let mut tracer = Tracer { visitor };
        // SAFETY: a live slice object of the element type the function belongs to, and the
        // range lies within its length.
        unsafe { trace_elements(obj, start, end, &mut tracer) }
    }
}

/// Roots that are not in the root table: the state of a step loop, traced by a closure.
pub(crate) struct RunStateRoots<'a>(pub(crate) Option<&'a mut dyn FnMut(&mut Tracer<'_>)>);

impl RunStateRoots<'_> {
    /// Hands the extra roots' edges to `visitor`.
    pub(crate) fn trace(&mut self, visitor: &mut dyn EdgeVisitor) {
        if let Some(trace) = self.0.as_mut() {
            trace(&mut Tracer { visitor })
        }
    }
}

/// The weak maps a collector's trace found, whose values wait until their keys are known to
/// live (see `collections/weak_map.rs`): what both collectors' visitors keep.
#[derive(Default)]
pub(crate) struct Ephemerons {
    /// Objects that hold a weak map with entries, in the order found.
    pub(crate) owners: Vec<NonNull<u8>>,
    /// The step loop's state holds a weak map with entries.
    pub(crate) in_run_state: bool,
    /// The collector is in a round over the maps found, tracing the values of live keys.
    pub(crate) resolving: bool,
}

impl Ephemerons {
    /// The pass a weak map in the object being scanned (`None`: the run state) is traced in;
    /// outside a round, notes where the map is.
    pub(crate) fn pass(&mut self, scanning: Option<NonNull<u8>>) -> EphemeronPass {
        if self.resolving {
            return EphemeronPass::Resolve;
        }
        match scanning {
            Some(owner) if self.owners.last() != Some(&owner) => self.owners.push(owner),
            Some(_) => {}
            None => self.in_run_state = true,
        }
        EphemeronPass::Defer
    }

    /// The owners noted so far, each once, for a round over them: an object scanned in parts
    /// (a big slice, card by card or in steps) may have been noted for each part.
    pub(crate) fn owners_once(&mut self) -> Vec<NonNull<u8>> {
        self.owners.sort_unstable();
        self.owners.dedup();
        self.owners.clone()
    }

    /// Whether the trace found no weak map, so no round is needed.
    pub(crate) fn is_empty(&self) -> bool {
        self.owners.is_empty() && !self.in_run_state
    }
}
