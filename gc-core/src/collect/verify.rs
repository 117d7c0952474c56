//! The heap verifier: checks that the heap is well formed.
//!
//! Walks every root and every object of every space and checks each pointer: it must land on
//! the start of an object in a live space (allocated eden, an overflow block, the *from*
//! survivor space, an old chunk below its top, a large object), never in the *to* survivor
//! space or on a forwarded header, and the header must be a type descriptor. An old or large
//! object that points at a young object (in the nursery or an overflow block) must be seen by
//! the next minor collection: a card of it (of the element that holds the pointer, in a large
//! array) is dirty, or it is in the remembered set, or, after a store to a cell outside every
//! space, its type may own such cells (the same test the minor collection makes,
//! `RememberedSet::covers`). The collector runs it before and after every collection when
//! `HeapConfig::verify` is on; tests call [`Heap::verify`](crate::Heap::verify).

use core::fmt;
use core::ptr::NonNull;
use std::collections::BTreeSet;

use crate::collect::tracer::{scan, scan_part, RunStateRoots};
use crate::header::{self, Header, WORD};
use crate::remembered::RememberedSet;
use crate::root_table::RootTable;
use crate::space::cards::CARD_SIZE;
use crate::space::old::is_filler;
use crate::space::{walk_region, Spaces};
use crate::trace::EdgeVisitor;
use crate::type_info::{slice_len, Shape, TypeInfo};

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
                write!(f, "the {age} object at {:p} ({})", *obj, info.name())
            }
        }
    }
}

/// What the verifier looks at: the heap's spaces, roots and remembered set.
pub(crate) struct Subject<'a> {
    pub(crate) spaces: &'a Spaces,
    /// The occupied ranges of eden, the *from* survivor space and the overflow blocks.
    pub(crate) young: Vec<(NonNull<u8>, NonNull<u8>)>,
    pub(crate) roots: &'a RootTable,
    pub(crate) remembered: &'a RememberedSet,
}

struct Checker<'a> {
    spaces: &'a Spaces,
    young_starts: &'a BTreeSet<usize>,
    /// Where the pointers being checked come from, for messages.
    source: Source,
    /// The memory of the object being checked, if it is old or large.
    old_source: Option<(usize, usize)>,
    /// A slot of the part of the old object being checked points into the nursery.
    part_points_young: bool,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn problem(&mut self, what: String) {
        self.problems.push(what);
    }

    /// Checks a pointer; returns whether it is a valid pointer into the nursery.
    fn check_target(&mut self, target: NonNull<u8>, kind: &str) -> bool {
        let addr = target.as_ptr().addr();
        let spaces = self.spaces;
        let source = self.source;
        if !addr.is_multiple_of(WORD) {
            let what = format!("{source} holds a misaligned {kind} pointer {target:p}");
            self.problem(what);
            return false;
        }
        let young = spaces.is_young(addr);
        let valid = if young {
            self.young_starts.contains(&addr)
        } else {
            spaces.old.borrow().is_object_start(addr) || spaces.large.borrow().is_object_start(addr)
        };
        if !valid {
            let place = if spaces.nursery.in_to_space(addr) {
                "into the empty survivor space"
            } else if young {
                "into the nursery but not at an object start"
            } else {
                "outside every live space, or not at an object start"
            };
            let what = format!("{source} holds a {kind} pointer {target:p} {place}");
            self.problem(what);
            return false;
        }
        // SAFETY: the target is the start of an object in a live space.
        let h = unsafe { header::read(target) };
        if h.is_forwarded() {
            let what = format!("{source} holds a {kind} pointer {target:p} to a forwarded object");
            self.problem(what);
            return false;
        }
        if descriptor(h).is_none() {
            let what =
                format!("{source} points at {target:p}, whose header is not a type descriptor");
            self.problem(what);
            return false;
        }
        young
    }

    /// A slot of the source points into the nursery.
    fn young_slot(&mut self) {
        if self.old_source.is_some() {
            self.part_points_young = true;
        }
    }
}

/// Whether a card that the address range `[from, to)` overlaps is dirty.
fn any_card_dirty(spaces: &Spaces, (from, to): (usize, usize)) -> bool {
    (from..to)
        .step_by(CARD_SIZE)
        .chain(to.checked_sub(1))
        .any(|addr| spaces.card_is_dirty(addr))
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
        if self.check_target(*slot, "strong") {
            self.young_slot();
        }
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let Some(target) = *slot {
            if self.check_target(target, "weak") {
                self.young_slot();
            }
        }
    }
}

/// The bytes an object's stored identity hash takes after its value.
fn stored_hash(h: Header) -> usize {
    if h.has(header::HASH_STORED) {
        WORD
    } else {
        0
    }
}

/// The objects of the range `[start, top)` of a space, walked by their sizes; stops (and
/// reports) at the first broken header, since the next object cannot be found past it.
fn walk(
    start: NonNull<u8>,
    top: NonNull<u8>,
    space: Space,
    problems: &mut Vec<String>,
    broken: &mut Vec<usize>,
) -> Vec<(NonNull<u8>, Space)> {
    let mut objects = Vec::new();
    let end = walk_region(start, top, |obj| {
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
            return None;
        };
        objects.push((obj, space));
        // SAFETY: the header is a valid descriptor, so the size is the object's.
        Some(unsafe { info.object_size(obj) } + stored_hash(h))
    });
    if end > top {
        problems.push(format!(
            "the last object before {top:p} runs past the end of its space"
        ));
    }
    objects
}

/// Which part of the heap an object is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Space {
    /// Eden, a survivor space or an overflow block.
    Young,
    Old,
    Large,
}

impl Space {
    fn is_old(self) -> bool {
        self != Space::Young
    }
}

/// Every object of every space with an intact header, with its space; the addresses of
/// objects with broken headers go to `broken`.
fn all_objects(
    heap: &Subject<'_>,
    problems: &mut Vec<String>,
    broken: &mut Vec<usize>,
) -> Vec<(NonNull<u8>, Space)> {
    let mut objects = Vec::new();
    for &(start, top) in &heap.young {
        objects.extend(walk(start, top, Space::Young, problems, broken));
    }
    for (start, top) in heap.spaces.old.borrow().occupied() {
        objects.extend(walk(start, top, Space::Old, problems, broken));
    }
    for large in &heap.spaces.large.borrow().objects {
        // SAFETY: every large object has a header.
        match descriptor(unsafe { header::read(large.start) }) {
            Some(_) => objects.push((large.start, Space::Large)),
            None => problems.push(format!(
                "the large object at {:p} has a broken header",
                large.start
            )),
        }
    }
    objects
}

/// Checks the heap; `extra` traces the state of a step loop, if any.
pub(crate) fn verify(
    heap: &Subject<'_>,
    extra: &mut RunStateRoots<'_>,
) -> Result<(), HeapCorruption> {
    let mut problems = Vec::new();
    let mut broken = Vec::new();
    let objects = all_objects(heap, &mut problems, &mut broken);
    // Broken objects count as starts, so pointers to them are reported for what they are.
    // Ordered sets: hashing is what makes a verifier slow under Miri.
    let young_starts: BTreeSet<usize> = objects
        .iter()
        .filter(|(_, space)| !space.is_old())
        .map(|(obj, _)| obj.as_ptr().addr())
        .chain(broken)
        .collect();
    let mut checker = Checker {
        spaces: heap.spaces,
        young_starts: &young_starts,
        source: Source::Root,
        old_source: None,
        part_points_young: false,
        problems,
    };
    heap.roots.for_each_slot(|slot| checker.edge(slot));
    checker.source = Source::StepState;
    extra.trace(&mut checker);
    for (obj, space) in objects {
        // SAFETY: `all_objects` checked the header.
        let h = unsafe { header::read(obj) };
        let info = h.type_info();
        let is_old = space.is_old();
        let age = if is_old { "old" } else { "young" };
        checker.source = Source::Object { obj, info, age };
        let start = obj.as_ptr().addr();
        // SAFETY: `all_objects` checked the header, so the size is the object's.
        let end = start + unsafe { h.object_size(obj) };
        checker.old_source = is_old.then_some((start, end));
        // The parts of the object a minor collection scans as one: a large array's elements
        // one by one, any other object whole.
        let parts = match (info.trace_elements, info.shape) {
            (Some(_), Shape::Slice { elem_size }) if space == Space::Large => {
                let first = start + info.value_offset();
                // SAFETY: a slice object's length follows its header.
                let len = unsafe { slice_len(obj) };
                (0..len)
                    .map(|i| (first + i * elem_size, first + (i + 1) * elem_size))
                    .collect()
            }
            _ => vec![(start, end)],
        };
        for part in parts {
            checker.part_points_young = false;
            // SAFETY: the object is intact and no reference to it is in use outside a scope.
            unsafe { scan_part(obj, info, part, &mut checker) };
            // The next minor collection scans this part for a dirty card on it (the barrier
            // dirties the card of the cell stored to, which may hold the slot on the next
            // card), for the object's place in the remembered set, or for a store outside
            // every space.
            if checker.part_points_young
                && !heap.remembered.covers(h, space == Space::Large)
                && !any_card_dirty(heap.spaces, part)
            {
                let what = format!(
                    "{} points into the nursery, but neither a dirty card nor the remembered \
                     set shows it",
                    checker.source
                );
                checker.problem(what);
            }
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
/// drop glue released during the collection are still in the root table until it ends.
pub(crate) fn sanity_remark(
    heap: &Subject<'_>,
    extra: &mut RunStateRoots<'_>,
    after_major: bool,
) -> Result<(), HeapCorruption> {
    let mut problems = Vec::new();
    let objects = all_objects(heap, &mut problems, &mut Vec::new());
    let mut reach = Reach {
        seen: BTreeSet::new(),
        stack: Vec::new(),
    };
    heap.roots.for_each_slot(|slot| reach.edge(slot));
    extra.trace(&mut reach);
    if !after_major {
        for &(obj, space) in &objects {
            if space.is_old() {
                reach.edge(&mut obj.clone());
            }
        }
    }
    while let Some(obj) = reach.stack.pop() {
        // SAFETY: reachable objects are live, with intact headers (the verifier ran first).
        unsafe { scan(obj, header::read(obj).type_info(), &mut reach) };
    }
    for (obj, space) in objects {
        let kept_needlessly = after_major || !space.is_old();
        if kept_needlessly && !reach.seen.contains(&obj.as_ptr().addr()) {
            // SAFETY: `all_objects` checked the header.
            let info = unsafe { header::read(obj) }.type_info();
            if is_filler(info) {
                continue; // the dead space a compaction left before a pinned object
            }
            let name = info.name();
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
