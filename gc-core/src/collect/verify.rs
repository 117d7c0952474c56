//! The heap verifier: checks that the heap is well formed.
//!
//! Walks every root and every object of every space and checks each pointer: it must land on
//! the start of an object in a live space (allocated eden, the *from* survivor space, an old
//! chunk below its top, a large object), never in the *to* survivor space or on a forwarded
//! header, and the header must be a type descriptor. An old or large object that points into
//! the nursery must be in the remembered set (or have been placed there by an eden overflow,
//! which the next minor collection scans whole). The collector runs it before and after every
//! collection when `HeapConfig::verify` is on; tests call [`Heap::verify`](crate::Heap::verify).

use core::fmt;
use core::ptr::NonNull;
use std::collections::HashSet;

use crate::collect::tracer::{scan, EdgeVisitor, ExtraRoots};
use crate::header::{self, LOGGED, WORD};
use crate::heap::HeapInner;
use crate::type_info::TypeInfo;

/// What the verifier found wrong, one line per problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapCorruption {
    /// The problems, each described in a sentence.
    pub problems: Vec<String>,
}

impl fmt::Display for HeapCorruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "heap verification failed with {} problem(s):",
            self.problems.len()
        )?;
        for p in self.problems.iter().take(20) {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HeapCorruption {}

struct Checker<'a> {
    heap: &'a HeapInner,
    young_starts: &'a HashSet<usize>,
    /// Where the pointers being checked come from, for messages.
    source: String,
    /// The source is an old or large object.
    source_is_old: bool,
    source_points_young: bool,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn check_target(&mut self, target: NonNull<u8>, kind: &str) {
        let addr = target.as_ptr().addr();
        let heap = self.heap;
        let young = heap.nursery.contains(addr);
        let valid = if young {
            self.young_starts.contains(&addr)
        } else {
            heap.old.borrow().is_object_start(addr) || heap.large.borrow().is_object_start(addr)
        };
        if !valid {
            let place = if heap.nursery.in_to_space(addr) {
                "into the empty survivor space"
            } else if young {
                "into the nursery but not at an object start"
            } else {
                "outside every live space or not at an object start"
            };
            self.problems.push(format!(
                "{} holds a {kind} pointer {target:p} {place}",
                self.source
            ));
            return;
        }
        // SAFETY: the target is the start of an object in a live space.
        let h = unsafe { header::read(target) };
        if h.is_forwarded() {
            self.problems.push(format!(
                "{} holds a {kind} pointer {target:p} to a forwarded object",
                self.source
            ));
            return;
        }
        if !valid_type(h.raw_addr()) {
            self.problems.push(format!(
                "{} points at {target:p}, whose header is not a type descriptor",
                self.source
            ));
            return;
        }
        if young {
            self.source_points_young = true;
        }
    }
}

/// Whether a header word (state bits aside) can be a descriptor: aligned and carrying the
/// descriptor's check value.
fn valid_type(word: usize) -> bool {
    let align = core::mem::align_of::<TypeInfo>();
    word & !(align - 1) != 0 && word & (WORD - 1) & crate::header::FORWARDED == 0
}

impl EdgeVisitor for Checker<'_> {
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.check_target(*slot, "strong")
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let Some(target) = *slot {
            self.check_target(target, "weak")
        }
    }
}

/// Checks the heap; `extra` traces the state of a step loop, if any.
pub(crate) fn verify(heap: &HeapInner, extra: &mut ExtraRoots<'_>) -> Result<(), HeapCorruption> {
    heap.close_overflow_window();
    let eden_used = heap.eden_used();
    let mut young_starts = HashSet::new();
    // SAFETY: outside a collection every nursery object has an intact header.
    unsafe {
        heap.nursery.for_each_object(eden_used, |obj| {
            young_starts.insert(obj.as_ptr().addr());
        })
    };
    // Objects placed in the old generation after eden overflowed are scanned whole by the
    // next minor collection: they need not be remembered.
    let mut overflow_objects = HashSet::new();
    if let Some(overflow) = heap.overflow.get() {
        let mut cursor = overflow.from;
        while let Some(obj) = heap.old.borrow().next_object(&mut cursor) {
            overflow_objects.insert(obj.as_ptr().addr());
        }
    }
    let mut checker = Checker {
        heap,
        young_starts: &young_starts,
        source: "a root".into(),
        source_is_old: false,
        source_points_young: false,
        problems: Vec::new(),
    };
    heap.roots.for_each_slot(|slot| checker.edge(slot));
    checker.source = "the state of a step loop".into();
    extra.trace(&mut checker);
    let mut objects = Vec::new();
    // SAFETY: as above, for every space.
    unsafe {
        heap.nursery
            .for_each_object(eden_used, |obj| objects.push((obj, false)));
        heap.old
            .borrow()
            .for_each_object(|obj| objects.push((obj, true)));
    }
    objects.extend(heap.large.borrow().objects.iter().map(|o| (o.start, true)));
    for (obj, is_old) in objects {
        // SAFETY: as above.
        let h = unsafe { header::read(obj) };
        if h.is_forwarded() || !valid_type(h.raw_addr()) || !h.type_info().is_valid() {
            checker
                .problems
                .push(format!("the object at {obj:p} has a broken header"));
            continue;
        }
        let info = h.type_info();
        checker.source = format!(
            "the {} object at {obj:p} ({})",
            if is_old { "old" } else { "young" },
            info.name()
        );
        checker.source_is_old = is_old;
        checker.source_points_young = false;
        // SAFETY: the object is intact and no reference to it is in use outside a scope.
        unsafe { scan(obj, info, &mut checker) };
        let remembered = h.has(LOGGED) || overflow_objects.contains(&obj.as_ptr().addr());
        if checker.source_is_old && checker.source_points_young && !remembered {
            let msg = format!(
                "{} points into the nursery but is not in the remembered set",
                checker.source
            );
            checker.problems.push(msg);
        }
    }
    if checker.problems.is_empty() {
        Ok(())
    } else {
        Err(HeapCorruption {
            problems: checker.problems,
        })
    }
}
