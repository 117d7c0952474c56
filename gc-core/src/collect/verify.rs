//! The heap verifier: checks that the heap is well formed.
//!
//! Walks every root and every object of every space and checks each pointer: it must land on
//! the start of an object in a live space (allocated eden, an overflow block, the *from*
//! survivor space, an old chunk below its top, a large object), never in the *to* survivor
//! space or on a forwarded header, and the header must be a type descriptor. An old or large
//! object that points at a young one (in the nursery or an overflow block) must be in the
//! remembered set, unless the pointer may sit in a cell outside the object after a store into
//! such a cell: the barrier cannot name that cell's owner, so the next minor collection
//! rescans every object whose type may own one. The collector runs it before and after every collection when
//! `HeapConfig::verify` is on; tests call [`Heap::verify`](crate::Heap::verify).

use core::fmt;
use core::ptr::NonNull;
use std::collections::BTreeSet;

use crate::collect::tracer::{scan, EdgeVisitor, ExtraRoots};
use crate::header::{self, Header, LOGGED, WORD};
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

/// Where a pointer comes from; formatted only when there is a problem to report.
#[derive(Clone, Copy)]
enum Source {
    Root,
    StepState,
    Object {
        obj: NonNull<u8>,
        info: &'static TypeInfo,
        age: &'static str,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Root => f.write_str("a root"),
            Source::StepState => f.write_str("the state of a step loop"),
            Source::Object { obj, info, age } => {
                write!(f, "the {age} object at {obj:p} ({})", info.name())
            }
        }
    }
}

struct Checker<'a> {
    heap: &'a HeapInner,
    young_starts: &'a BTreeSet<usize>,
    /// Where the pointers being checked come from, for messages.
    source: Source,
    source_points_young: bool,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn problem(&mut self, what: String) {
        self.problems.push(what);
    }

    fn check_target(&mut self, target: NonNull<u8>, kind: &str) {
        let addr = target.as_ptr().addr();
        let heap = self.heap;
        let source = self.source;
        if !addr.is_multiple_of(WORD) {
            let what = format!("{source} holds a misaligned {kind} pointer {target:p}");
            return self.problem(what);
        }
        let young = heap.is_young(addr);
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
                "outside every live space, or not at an object start"
            };
            let what = format!("{source} holds a {kind} pointer {target:p} {place}");
            return self.problem(what);
        }
        // SAFETY: the target is the start of an object in a live space.
        let h = unsafe { header::read(target) };
        if h.is_forwarded() {
            let what = format!("{source} holds a {kind} pointer {target:p} to a forwarded object");
            return self.problem(what);
        }
        if descriptor(h).is_none() {
            let what =
                format!("{source} points at {target:p}, whose header is not a type descriptor");
            return self.problem(what);
        }
        if young {
            self.source_points_young = true;
        }
    }
}

/// The descriptor a header points at, if it plausibly is one: not forwarded, not in the
/// first page, and carrying the descriptors' check value. (A header corrupted into a pointer
/// at unmapped memory still faults.)
fn descriptor(h: Header) -> Option<&'static TypeInfo> {
    const FIRST_PAGE: usize = 4096;
    let align = core::mem::align_of::<TypeInfo>();
    if h.is_forwarded() || h.raw_addr() & !(align - 1) < FIRST_PAGE {
        return None;
    }
    // SAFETY: a plausible descriptor address: aligned, past the first page. `is_valid` reads
    // only the check value.
    let info = unsafe { h.type_info_unchecked() };
    info.is_valid().then_some(info)
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

/// The objects of the range `[start, top)` of a space, walked by their sizes; stops (and
/// reports) at the first broken header, since the next object cannot be found past it.
fn walk(
    start: NonNull<u8>,
    top: NonNull<u8>,
    old: bool,
    problems: &mut Vec<String>,
    broken: &mut Vec<usize>,
) -> Vec<(NonNull<u8>, bool)> {
    let mut objects = Vec::new();
    let mut obj = start;
    while obj < top {
        // SAFETY: the range holds objects back to back, until a broken header says otherwise.
        let h = unsafe { header::read(obj) };
        let Some(info) = descriptor(h) else {
            let what = if h.is_forwarded() {
                "is forwarded: a collection left it behind"
            } else {
                "has a broken header"
            };
            problems.push(format!("the object at {obj:p} {what}"));
            broken.push(obj.as_ptr().addr());
            break;
        };
        objects.push((obj, old));
        // SAFETY: the header is a valid descriptor, so the size is the object's.
        obj = unsafe { obj.add(info.object_size(obj)) };
    }
    if obj > top {
        problems.push(format!(
            "the last object before {top:p} runs past the end of its space"
        ));
    }
    objects
}

/// Every object of every space with an intact header, with whether it is old (or large);
/// the addresses of objects with broken headers go to `broken`.
fn all_objects(
    heap: &HeapInner,
    problems: &mut Vec<String>,
    broken: &mut Vec<usize>,
) -> Vec<(NonNull<u8>, bool)> {
    let mut objects = Vec::new();
    let overflow = heap.overflow.borrow().occupied(heap.window.cursor());
    for (start, top) in heap
        .nursery
        .occupied(heap.eden_used())
        .into_iter()
        .chain(overflow)
    {
        objects.extend(walk(start, top, false, problems, broken));
    }
    for (start, top) in heap.old.borrow().occupied() {
        objects.extend(walk(start, top, true, problems, broken));
    }
    for large in &heap.large.borrow().objects {
        // SAFETY: every large object has a header.
        match descriptor(unsafe { header::read(large.start) }) {
            Some(_) => objects.push((large.start, true)),
            None => problems.push(format!(
                "the large object at {:p} has a broken header",
                large.start
            )),
        }
    }
    objects
}

/// Checks the heap; `extra` traces the state of a step loop, if any.
pub(crate) fn verify(heap: &HeapInner, extra: &mut ExtraRoots<'_>) -> Result<(), HeapCorruption> {
    let mut problems = Vec::new();
    let mut broken = Vec::new();
    let objects = all_objects(heap, &mut problems, &mut broken);
    // Broken objects count as starts, so pointers to them are reported for what they are.
    // Ordered sets: hashing is what makes a verifier slow under Miri.
    let young_starts: BTreeSet<usize> = objects
        .iter()
        .filter(|(_, old)| !old)
        .map(|(obj, _)| obj.as_ptr().addr())
        .chain(broken)
        .collect();
    let mut checker = Checker {
        heap,
        young_starts: &young_starts,
        source: Source::Root,
        source_points_young: false,
        problems,
    };
    heap.roots.for_each_slot(|slot| checker.edge(slot));
    checker.source = Source::StepState;
    extra.trace(&mut checker);
    for (obj, is_old) in objects {
        // SAFETY: `all_objects` checked the header.
        let h = unsafe { header::read(obj) };
        let info = h.type_info();
        let age = if is_old { "old" } else { "young" };
        checker.source = Source::Object { obj, info, age };
        checker.source_points_young = false;
        // SAFETY: the object is intact and no reference to it is in use outside a scope.
        unsafe { scan(obj, info, &mut checker) };
        let rescanned = heap.out_of_line_write.get() && info.has_out_of_line_cells;
        if is_old && checker.source_points_young && !h.has(LOGGED) && !rescanned {
            let what = format!(
                "{} points into the nursery but is not in the remembered set",
                checker.source
            );
            checker.problem(what);
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

/// Finds the objects reachable from the roots (and from `extra_sources`) by a plain
/// traversal, independent of the collectors.
struct Reach {
    seen: BTreeSet<usize>,
    stack: Vec<NonNull<u8>>,
}

impl EdgeVisitor for Reach {
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        if self.seen.insert(slot.as_ptr().addr()) {
            self.stack.push(*slot);
        }
    }

    fn weak_edge(&mut self, _: &mut Option<NonNull<u8>>) {}
}

/// After a collection, checks that a naive traversal finds exactly the objects the collector
/// kept: after a major collection, every object in the heap is reachable from the roots;
/// after a minor one, every young survivor is reachable from the roots or from an old object
/// (the minor collection's roots, which include old objects that may be dead). Roots that
/// drop glue released during the collection still count: they were roots when it traced.
pub(crate) fn sanity_remark(
    heap: &HeapInner,
    extra: &mut ExtraRoots<'_>,
    released_roots: &[NonNull<u8>],
    after_major: bool,
) -> Result<(), HeapCorruption> {
    let mut problems = Vec::new();
    let objects = all_objects(heap, &mut problems, &mut Vec::new());
    let mut reach = Reach {
        seen: BTreeSet::new(),
        stack: Vec::new(),
    };
    heap.roots.for_each_slot(|slot| reach.edge(slot));
    for &obj in released_roots {
        reach.edge(&mut obj.clone());
    }
    extra.trace(&mut reach);
    if !after_major {
        for &(obj, old) in &objects {
            if old {
                reach.edge(&mut obj.clone());
            }
        }
    }
    while let Some(obj) = reach.stack.pop() {
        // SAFETY: reachable objects are live, with intact headers (the verifier ran first).
        unsafe { scan(obj, header::read(obj).type_info(), &mut reach) };
    }
    for (obj, old) in objects {
        let kept_needlessly = if after_major { true } else { !old };
        if kept_needlessly && !reach.seen.contains(&obj.as_ptr().addr()) {
            // SAFETY: `all_objects` checked the header.
            let name = unsafe { header::read(obj) }.type_info().name();
            problems.push(format!(
                "the object at {obj:p} ({name}) survived but nothing reaches it"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(HeapCorruption { problems })
    }
}
