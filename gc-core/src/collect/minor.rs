//! The minor collection: copies the live objects out of the nursery.
//!
//! # Roots
//! The root table, the state of a step loop, the remembered set (old and large objects that
//! may point into the nursery), and, after a store to a cell outside every space, every old
//! or large object whose type can own such cells.
//!
//! # Evacuation
//! Each pointer into eden, its overflow blocks or the *from* survivor space is forwarded: the
//! first time an object is reached it is copied (to the *to* survivor space while it is
//! younger than the tenuring threshold and there is room; to the old generation otherwise)
//! and its old header is replaced by a forwarding address. As in Cheney's algorithm, the
//! copies themselves are the work list: two scan pointers, one in the *to* space and one from
//! where promotion began in the old generation, chase the two allocation pointers until both
//! catch up.
//!
//! # The remembered set afterwards
//! An old object (promoted now, or remembered before) that still points into the nursery
//! after scanning is logged again, so the next minor collection finds its young targets.
//! The same holds for weak pointers, which are fixed up last (their owners are traced again):
//! forwarded, or cleared if their target was not copied.
//!
//! # Finalization
//! Young objects that need drop are listed at allocation. Those not forwarded are dead: their
//! drop glue runs before eden is reused.

use core::mem::MaybeUninit;
use core::ptr::NonNull;

use crate::alloc::bump::Bump;
use crate::collect::finalize::{finalize_all, FirstPanic};
use crate::collect::tracer::{scan, RunStateRoots};
use crate::collect::Parts;
use crate::header::{self, Header, REMEMBERED, WORD};
use crate::remembered::{list_once, RememberedSet};
use crate::space::nursery::Nursery;
use crate::space::old::{OldCursor, OldSpace};
use crate::space::Spaces;
use crate::trace::EdgeVisitor;

struct Evacuator<'a> {
    nursery: &'a Nursery,
    /// Eden's overflow blocks, as address ranges: evacuated like eden.
    overflow: &'a [(usize, usize)],
    /// The survivor space copies go to, as addresses.
    to_bounds: (usize, usize),
    old: &'a mut OldSpace,
    to_space: Bump,
    tenuring_threshold: u8,
    promote_all: bool,
    /// Objects that hold a non-null weak pointer; fixed up once the trace is done.
    weak_owners: Vec<NonNull<u8>>,
    /// The step loop's state holds a non-null weak pointer.
    extra_has_weak: bool,
    /// The object being scanned, if any.
    scanning: Option<NonNull<u8>>,
    /// The object being scanned points into the nursery after forwarding.
    saw_young: bool,
    /// The remembered set for the next minor collection.
    remembered: Vec<NonNull<u8>>,
    /// Some promoted object's type may own barriered cells outside itself.
    promoted_out_of_line_cells: bool,
    copied_bytes: usize,
    promoted_bytes: usize,
}

/// Copies an object of `size` bytes (a multiple of the word) from `from` to `to`: small
/// objects, the common case, word by word rather than through a call to `memcpy`.
///
/// # Safety
/// - `from` and `to` must be valid for `size` bytes, word-aligned, and must not overlap.
#[inline(always)]
unsafe fn copy_object(from: NonNull<u8>, to: NonNull<u8>, size: usize) {
    const SMALL: usize = 8 * WORD;
    if size <= SMALL {
        // `MaybeUninit` words carry pointers' provenance along; `usize` ones would drop it.
        let from = from.cast::<MaybeUninit<usize>>().as_ptr();
        let to = to.cast::<MaybeUninit<usize>>().as_ptr();
        for i in 0..size / WORD {
            // SAFETY: the caller promises `size` valid, aligned, disjoint bytes at both ends.
            unsafe { to.add(i).write(from.add(i).read()) }
        }
    } else {
        // SAFETY: as above.
        unsafe { core::ptr::copy_nonoverlapping(from.as_ptr(), to.as_ptr(), size) }
    }
}

/// Whether `addr` lies in `[bounds.0, bounds.1)`.
#[inline(always)]
fn within(bounds: (usize, usize), addr: usize) -> bool {
    addr.wrapping_sub(bounds.0) < bounds.1 - bounds.0
}

/// Whether `addr` is in the part a minor collection evacuates: eden, the *from* survivor
/// space, or an overflow block.
#[inline(always)]
fn in_from_space(nursery: &Nursery, overflow: &[(usize, usize)], addr: usize) -> bool {
    nursery.in_from_space(addr) || overflow.iter().any(|&range| within(range, addr))
}

impl Evacuator<'_> {
    #[inline(always)]
    fn in_to_space(&self, addr: usize) -> bool {
        within(self.to_bounds, addr)
    }

    #[inline(always)]
    fn in_from_space(&self, addr: usize) -> bool {
        in_from_space(self.nursery, self.overflow, addr)
    }

    /// Copies the object at `obj` out of the nursery and returns the copy.
    fn evacuate(&mut self, obj: NonNull<u8>, h: Header) -> NonNull<u8> {
        let info = h.type_info();
        // SAFETY: `obj` is an unforwarded nursery object with an intact header.
        let size = unsafe { info.object_size(obj) };
        let age = h.age() + 1;
        let young_copy = if self.promote_all || age >= self.tenuring_threshold {
            None
        } else {
            self.to_space.take(size)
        };
        let copy = match young_copy {
            Some(copy) => copy,
            None => {
                self.promoted_bytes += size;
                self.promoted_out_of_line_cells |= info.has_out_of_line_cells;
                self.old.alloc(size)
            }
        };
        // SAFETY: `copy` is a fresh block of `size` bytes in another space than `obj`.
        unsafe {
            copy_object(obj, copy, size);
            header::write(copy, h.bare().with_age(age));
            header::write(obj, Header::forwarding(copy));
        }
        self.copied_bytes += size;
        copy
    }

    /// Scans an object outside the *from* space and reports whether it still points into
    /// the nursery afterwards.
    fn scan_object(&mut self, obj: NonNull<u8>) -> bool {
        // SAFETY: `obj` is a copy made by this collection, or an old or large object, with
        // an intact header and value.
        let info = unsafe { header::read(obj) }.type_info();
        self.scanning = Some(obj);
        self.saw_young = false;
        // SAFETY: as above; nothing else refers to the value during the collection.
        unsafe { scan(obj, info, self) };
        self.scanning = None;
        self.saw_young
    }

    /// Puts an old or large object in the next remembered set, once.
    fn remember(&mut self, obj: NonNull<u8>) {
        // SAFETY: `obj` is an old or large object with an intact header.
        unsafe { list_once(obj, &mut self.remembered) }
    }

    /// Scans copies until none is left: Cheney's scan pointers, one per space copies go to.
    fn drain(&mut self, mut young_scan: NonNull<u8>, mut old_scan: OldCursor) {
        loop {
            let mut progressed = false;
            while young_scan < self.to_space.cursor {
                // SAFETY: the *to* space holds back-to-back copies below its cursor.
                let size = unsafe { header::read(young_scan).type_info().object_size(young_scan) };
                self.scan_object(young_scan);
                // SAFETY: as above.
                young_scan = unsafe { young_scan.add(size) };
                progressed = true;
            }
            while let Some(obj) = self.old.next_object(&mut old_scan) {
                if self.scan_object(obj) {
                    self.remember(obj);
                }
                progressed = true;
            }
            if !progressed {
                return;
            }
        }
    }

    /// Forwards or clears the weak pointers found, once everything reachable is copied. The
    /// owners are traced again, so each slot is reached through a fresh borrow of its owner
    /// (a weak slot may live in a `Vec`'s buffer, and an object may have been traced more
    /// than once); fixing a slot twice changes nothing.
    fn fix_weak_pointers(&mut self, extra: &mut RunStateRoots<'_>) {
        let mut fixer = WeakFixer {
            nursery: self.nursery,
            overflow: self.overflow,
            to_bounds: self.to_bounds,
            saw_young: false,
        };
        for owner in core::mem::take(&mut self.weak_owners) {
            fixer.saw_young = false;
            // SAFETY: owners are copies or old objects, intact and not moving any more.
            unsafe { scan(owner, header::read(owner).type_info(), &mut fixer) };
            if fixer.saw_young && !self.in_to_space(owner.as_ptr().addr()) {
                self.remember(owner);
            }
        }
        if self.extra_has_weak {
            extra.trace(&mut fixer);
        }
    }
}

/// Points weak slots at the copies of their targets, or clears them.
struct WeakFixer<'a> {
    nursery: &'a Nursery,
    overflow: &'a [(usize, usize)],
    to_bounds: (usize, usize),
    /// A weak slot of the object being fixed points into the nursery afterwards.
    saw_young: bool,
}

impl EdgeVisitor for WeakFixer<'_> {
    fn edge(&mut self, _: &mut NonNull<u8>) {}

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        let Some(target) = *slot else { return };
        if in_from_space(self.nursery, self.overflow, target.as_ptr().addr()) {
            // SAFETY: a nursery pointer is the start of an object there, with an intact header
            // or a forwarding one.
            let h = unsafe { header::read(target) };
            *slot = h.is_forwarded().then(|| h.forwardee());
        }
        if slot.is_some_and(|target| within(self.to_bounds, target.as_ptr().addr())) {
            self.saw_young = true;
        }
    }
}

impl EdgeVisitor for Evacuator<'_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        let target = *slot;
        if self.in_from_space(target.as_ptr().addr()) {
            // SAFETY: a nursery pointer is the start of an object there, or its forwarded copy.
            let h = unsafe { header::read(target) };
            *slot = if h.is_forwarded() {
                h.forwardee()
            } else {
                self.evacuate(target, h)
            };
        }
        if self.in_to_space(slot.as_ptr().addr()) {
            self.saw_young = true;
        }
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if slot.is_some() {
            match self.scanning {
                Some(owner) if self.weak_owners.last() != Some(&owner) => {
                    self.weak_owners.push(owner)
                }
                Some(_) => {}
                None => self.extra_has_weak = true,
            }
        }
    }
}

/// Old and large objects whose type may own barriered cells outside itself.
fn out_of_line_owners(spaces: &mut Spaces, remembered: &RememberedSet) -> Vec<NonNull<u8>> {
    let mut owners = Vec::new();
    let has = |obj: NonNull<u8>| {
        // SAFETY: outside a collection every old and large object has an intact header.
        unsafe { header::read(obj) }
            .type_info()
            .has_out_of_line_cells
    };
    if remembered.old_may_own_out_of_line_cells.get() {
        // SAFETY: as above.
        unsafe {
            spaces.old.get_mut().for_each_object(|obj| {
                if has(obj) {
                    owners.push(obj)
                }
            })
        };
    }
    if remembered.large_may_own_out_of_line_cells.get() {
        owners.extend(
            spaces
                .large
                .get_mut()
                .objects
                .iter()
                .map(|o| o.start)
                .filter(|&obj| has(obj)),
        );
    }
    owners
}

/// Runs a minor collection; with `promote_all`, every survivor goes to the old generation and
/// the nursery ends up empty. Returns the first panic out of drop glue, if any.
pub(crate) fn collect(
    parts: &mut Parts<'_>,
    extra: &mut RunStateRoots<'_>,
    tenuring_threshold: u8,
    promote_all: bool,
) -> FirstPanic {
    let spaces = &mut *parts.spaces;
    let (eden_used, young_allocated) = (parts.eden_used, parts.young_allocated);
    let young_before = young_allocated + spaces.nursery.survivor_used();
    let overflow = spaces.overflow.get_mut().ranges();
    let (remembered, out_of_line_store) = parts.remembered.take();
    let out_of_line = if out_of_line_store {
        out_of_line_owners(spaces, parts.remembered)
    } else {
        Vec::new()
    };

    let young_scan = spaces.nursery.to_space().cursor;
    let old_scan = spaces.old.get_mut().end_cursor();
    let to_space = spaces.nursery.to_space();
    let mut ev = Evacuator {
        nursery: &spaces.nursery,
        overflow: &overflow,
        to_bounds: (
            to_space.cursor.as_ptr().addr(),
            to_space.limit.as_ptr().addr(),
        ),
        old: spaces.old.get_mut(),
        to_space,
        tenuring_threshold,
        promote_all,
        weak_owners: Vec::new(),
        extra_has_weak: false,
        scanning: None,
        saw_young: false,
        remembered: Vec::with_capacity(remembered.len()),
        promoted_out_of_line_cells: false,
        copied_bytes: 0,
        promoted_bytes: 0,
    };
    parts.roots.for_each_slot(|slot| ev.edge(slot));
    extra.trace(&mut ev);
    for obj in remembered {
        // SAFETY: remembered objects are old or large, with intact headers.
        unsafe { header::write(obj, header::read(obj).without(REMEMBERED)) };
        if ev.scan_object(obj) {
            ev.remember(obj);
        }
    }
    for obj in out_of_line {
        if ev.scan_object(obj) {
            ev.remember(obj);
        }
    }
    ev.drain(young_scan, old_scan);
    ev.fix_weak_pointers(extra);

    // Young objects that need drop: the forwarded ones moved, the others are dead.
    let mut dead = Vec::new();
    parts.young_finalizable.retain_mut(|obj| {
        if !ev.in_from_space(obj.as_ptr().addr()) {
            return false;
        }
        // SAFETY: listed nursery objects are forwarded or have intact headers.
        let h = unsafe { header::read(*obj) };
        if h.is_forwarded() {
            *obj = h.forwardee();
            ev.in_to_space(obj.as_ptr().addr())
        } else {
            dead.push(*obj);
            false
        }
    });
    let (to_top, copied, promoted, next_remembered, promoted_out_of_line_cells) = (
        ev.to_space.cursor,
        ev.copied_bytes,
        ev.promoted_bytes,
        ev.remembered,
        ev.promoted_out_of_line_cells,
    );

    // Drop glue runs while the dead objects' memory is intact, before eden is reused.
    let mut panics = FirstPanic::default();
    // SAFETY: the dead objects were not forwarded, so their headers and values are intact,
    // and nothing reaches them; each was listed once, at allocation.
    let finalized = unsafe { finalize_all(dead, &mut panics) };
    spaces.nursery.flip(to_top, eden_used);
    spaces.overflow.get_mut().release();
    parts.remembered.replace(next_remembered);
    if promoted_out_of_line_cells {
        parts.remembered.old_may_own_out_of_line_cells.set(true);
    }
    let stats = &mut *parts.stats;
    stats.bytes_allocated += young_allocated as u64;
    stats.bytes_promoted += promoted as u64;
    stats.bytes_freed += (young_before - copied) as u64;
    stats.objects_finalized += finalized;
    panics
}

/// Also the harness of the major collection's tests.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

    use crate::alloc::allocator::Allocator;
    use crate::collect::verify::{verify, Subject};
    use crate::config::{HeapConfig, MIN_LARGE_OBJECT_THRESHOLD, MIN_NURSERY_SIZE};
    use crate::gc::Gc;
    use crate::header::align_up;
    use crate::root_table::RootTable;
    use crate::stats::Stats;
    use crate::trace::{Trace, Tracer};
    use crate::type_info::Object;
    use crate::weak::GcWeak;

    /// A list node: a value and a link.
    #[derive(gc_core::Trace)]
    pub(crate) struct Node<'gc> {
        pub(crate) value: u64,
        pub(crate) next: Option<Gc<'gc, Node<'gc>>>,
    }

    /// An object that holds a node strongly and two weakly.
    #[derive(gc_core::Trace)]
    pub(crate) struct Watch<'gc> {
        pub(crate) strong: Option<Gc<'gc, Node<'gc>>>,
        pub(crate) live: GcWeak<'gc, Node<'gc>>,
        pub(crate) dead: GcWeak<'gc, Node<'gc>>,
    }

    /// A leaf that counts its drops.
    pub(crate) struct Counted(pub(crate) &'static AtomicUsize);

    // SAFETY: `Counted` holds no managed pointer, so a leaf with nothing to trace; its `Drop`
    // touches no managed object.
    unsafe impl Trace for Counted {
        const IS_LEAF: bool = true;
        fn trace(&mut self, _: &mut Tracer<'_>) {}
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The bytes of a `Node` object.
    pub(crate) const NODE: usize = align_up(WORD + core::mem::size_of::<Node<'static>>());
    /// The bytes of a `Watch` object.
    pub(crate) const WATCH: usize = align_up(WORD + core::mem::size_of::<Watch<'static>>());

    /// The parts of a small heap, put together as `HeapState::new` does.
    pub(crate) struct TestHeap {
        pub(crate) spaces: Spaces,
        pub(crate) remembered: RememberedSet,
        pub(crate) roots: RootTable,
        pub(crate) alloc: Allocator,
        pub(crate) young_finalizable: Vec<NonNull<u8>>,
        pub(crate) stats: Stats,
    }

    impl TestHeap {
        pub(crate) fn new() -> TestHeap {
            let config = HeapConfig {
                nursery_size: MIN_NURSERY_SIZE,
                max_nursery_size: MIN_NURSERY_SIZE,
                large_object_threshold: MIN_LARGE_OBJECT_THRESHOLD,
                ..HeapConfig::default()
            };
            config.validate().expect("a valid configuration");
            let spaces = Spaces::new(&config);
            let alloc = Allocator::new(config.large_object_threshold);
            alloc.open_eden(&spaces.nursery);
            TestHeap {
                spaces,
                remembered: RememberedSet::new(),
                roots: RootTable::new(),
                alloc,
                young_finalizable: Vec::new(),
                stats: Stats::new(),
            }
        }

        /// Allocates `value` in eden, as `Mutation::alloc_value` does.
        pub(crate) fn alloc<T: Trace>(&mut self, value: T) -> NonNull<u8> {
            let info = <T as Object>::TYPE_INFO;
            let size = align_up(WORD + core::mem::size_of::<T>());
            let obj = self.alloc.try_alloc(size, info).expect("room in eden");
            // SAFETY: `obj` is a fresh block of `size` bytes, aligned for `T` after the header.
            unsafe {
                header::write(obj, Header::new(info));
                obj.add(WORD).cast::<T>().write(value);
            }
            if info.drop_glue.is_some() {
                self.young_finalizable.push(obj);
            }
            obj
        }

        /// Allocates `value` in the large-object space.
        pub(crate) fn alloc_large<T: Trace>(&mut self, value: T) -> NonNull<u8> {
            let info = <T as Object>::TYPE_INFO;
            let size = align_up(WORD + core::mem::size_of::<T>());
            let obj = self
                .spaces
                .large
                .get_mut()
                .alloc(size, info.align, info.value_offset());
            // SAFETY: as in `alloc`.
            unsafe {
                header::write(obj, Header::new(info));
                obj.add(WORD).cast::<T>().write(value);
            }
            obj
        }

        pub(crate) fn node(&mut self, value: u64, next: Option<NonNull<u8>>) -> NonNull<u8> {
            self.alloc(Node {
                value,
                next: next.map(Gc::from_obj),
            })
        }

        pub(crate) fn parts(&mut self) -> Parts<'_> {
            let overflow = self.spaces.overflow.get_mut();
            let eden_used = self.alloc.eden_used(overflow);
            let young_allocated = self.alloc.young_allocated(overflow);
            Parts {
                spaces: &mut self.spaces,
                remembered: &mut self.remembered,
                roots: &self.roots,
                young_finalizable: &mut self.young_finalizable,
                stats: &mut self.stats,
                eden_used,
                young_allocated,
            }
        }

        /// Runs a minor collection as the driver does, and checks the heap after it.
        pub(crate) fn minor_with(&mut self, extra: &mut RunStateRoots<'_>, threshold: u8) {
            collect(&mut self.parts(), extra, threshold, false).resume();
            self.after_collection(extra);
        }

        pub(crate) fn minor(&mut self, threshold: u8) {
            self.minor_with(&mut RunStateRoots(None), threshold)
        }

        /// Reopens the window over eden and verifies the heap.
        pub(crate) fn after_collection(&mut self, extra: &mut RunStateRoots<'_>) {
            self.alloc.reopen_eden(&self.spaces.nursery);
            self.verify(extra);
        }

        pub(crate) fn verify(&self, extra: &mut RunStateRoots<'_>) {
            let subject = Subject {
                spaces: &self.spaces,
                young: self.alloc.young_occupied(&self.spaces),
                roots: &self.roots,
                remembered: &self.remembered,
            };
            verify(&subject, extra).unwrap_or_else(|e| panic!("{e}"));
        }

        /// The occupied part of the survivor space that holds the survivors, as addresses.
        pub(crate) fn survivors(&self) -> core::ops::Range<usize> {
            let (start, top) = self.spaces.nursery.occupied(0)[1];
            start.as_ptr().addr()..top.as_ptr().addr()
        }

        pub(crate) fn is_old(&self, obj: NonNull<u8>) -> bool {
            self.spaces
                .old
                .borrow()
                .is_object_start(obj.as_ptr().addr())
        }

        /// The bytes young objects hold: allocated since the last minor collection, and
        /// survivors of it.
        pub(crate) fn young_bytes(&self) -> usize {
            let overflow = self.spaces.overflow.borrow();
            self.alloc.young_allocated(&overflow) + self.spaces.nursery.survivor_used()
        }
    }

    /// The value and link of the node at `obj`.
    pub(crate) fn node_at(obj: NonNull<u8>) -> (u64, Option<NonNull<u8>>) {
        // SAFETY: the tests pass live nodes, and no collection runs while this reads one.
        let node = unsafe { <Node<'static> as Object>::value(obj) };
        (node.value, node.next.map(|next| next.obj))
    }

    /// The strong and weak targets of the `Watch` at `obj`.
    pub(crate) fn watch_at(obj: NonNull<u8>) -> [Option<NonNull<u8>>; 3] {
        // SAFETY: as for `node_at`.
        let watch = unsafe { <Watch<'static> as Object>::value(obj) };
        let weak = |w: GcWeak<'static, Node<'static>>| w.upgrade().map(|gc| gc.obj);
        [
            watch.strong.map(|gc| gc.obj),
            weak(watch.live),
            weak(watch.dead),
        ]
    }

    pub(crate) fn weak(obj: NonNull<u8>) -> GcWeak<'static, Node<'static>> {
        GcWeak::from_obj(Some(obj))
    }

    pub(crate) fn age(obj: NonNull<u8>) -> u8 {
        // SAFETY: the tests pass live objects, whose headers are intact.
        unsafe { header::read(obj) }.age()
    }

    #[test]
    fn a_rooted_object_and_what_it_links_move_to_the_survivor_space() {
        let mut heap = TestHeap::new();
        let a = heap.node(1, None);
        heap.node(99, Some(a));
        let b = heap.node(2, Some(a));
        heap.alloc(5u64);
        let slot = heap.roots.add(b);
        let allocated = heap.young_bytes();
        assert_eq!(allocated, 3 * NODE + 16);
        heap.minor(2);

        let b2 = heap.roots.get(slot);
        assert_ne!(b2, b);
        let survivors = heap.survivors();
        assert_eq!(
            survivors.len(),
            2 * NODE,
            "only the two reachable nodes copied"
        );
        assert_eq!(
            b2.as_ptr().addr(),
            survivors.start,
            "the root is copied first"
        );
        let (value, next) = node_at(b2);
        let a2 = next.expect("the link survives");
        assert_eq!(value, 2);
        assert!(survivors.contains(&a2.as_ptr().addr()));
        assert_eq!(node_at(a2), (1, None));
        assert_eq!((age(b2), age(a2)), (1, 1));
        assert_eq!(heap.spaces.old.borrow().used(), 0);
        assert_eq!(heap.stats.bytes_freed, (allocated - 2 * NODE) as u64);
        assert_eq!(heap.stats.bytes_allocated, allocated as u64);
        assert_eq!(heap.stats.bytes_promoted, 0);
        assert_eq!(heap.young_bytes(), 2 * NODE, "eden is empty again");
    }

    #[test]
    fn survivors_are_promoted_at_the_tenuring_threshold() {
        let mut heap = TestHeap::new();
        let a = heap.node(1, None);
        let b = heap.node(2, Some(a));
        let slot = heap.roots.add(b);
        heap.minor(2);
        heap.node(3, None);
        heap.minor(2);

        let b3 = heap.roots.get(slot);
        assert!(heap.is_old(b3));
        let a3 = node_at(b3).1.expect("the link survives");
        assert!(heap.is_old(a3));
        assert_eq!(node_at(b3).0, 2);
        assert_eq!(node_at(a3), (1, None));
        assert_eq!(heap.spaces.nursery.survivor_used(), 0);
        assert_eq!(heap.spaces.old.borrow().used(), 2 * NODE);
        assert_eq!(heap.stats.bytes_promoted, 2 * NODE as u64);
        assert!(heap.remembered.is_empty(), "old points only to old");

        // A threshold of one promotes at the first survival.
        let c = heap.node(4, None);
        let slot = heap.roots.add(c);
        heap.minor(1);
        assert!(heap.is_old(heap.roots.get(slot)));
        assert_eq!(heap.spaces.old.borrow().used(), 3 * NODE);
    }

    #[test]
    fn promote_all_empties_the_nursery() {
        let mut heap = TestHeap::new();
        let a = heap.node(1, None);
        let slot = heap.roots.add(a);
        heap.minor(2);
        let b = heap.node(2, Some(heap.roots.get(slot)));
        let slot = heap.roots.add(b);
        collect(&mut heap.parts(), &mut RunStateRoots(None), 2, true).resume();
        heap.after_collection(&mut RunStateRoots(None));
        let b2 = heap.roots.get(slot);
        assert!(heap.is_old(b2) && heap.is_old(node_at(b2).1.expect("a link")));
        assert_eq!(heap.young_bytes(), 0);
    }

    #[test]
    fn a_remembered_old_object_keeps_its_young_target() {
        let mut heap = TestHeap::new();
        let holder = heap.node(1, None);
        let slot = heap.roots.add(holder);
        heap.minor(1);
        let holder = heap.roots.get(slot);
        assert!(heap.is_old(holder));
        heap.roots.remove(slot);

        let young = heap.node(7, None);
        // SAFETY: the holder is a live node and nothing refers to its value now; the store is
        // recorded below, as the write barrier would.
        unsafe {
            let node = holder.add(WORD).cast::<Node<'static>>().as_ptr();
            core::ptr::addr_of_mut!((*node).next).write(Some(Gc::from_obj(young)));
            heap.remembered.remember(holder);
        }
        heap.verify(&mut RunStateRoots(None));
        heap.minor(2);

        let young2 = node_at(holder).1.expect("the link survives");
        assert!(heap.survivors().contains(&young2.as_ptr().addr()));
        assert_eq!(node_at(young2), (7, None));
        // SAFETY: the holder is a live old object.
        let h = unsafe { header::read(holder) };
        assert!(h.has(REMEMBERED), "it still points into the nursery");
        assert!(!heap.remembered.is_empty());

        heap.minor(2);
        let young3 = node_at(holder).1.expect("the link survives");
        assert!(heap.is_old(young3));
        // SAFETY: as above.
        let h = unsafe { header::read(holder) };
        assert!(!h.has(REMEMBERED), "it points only to old objects now");
        assert!(heap.remembered.is_empty());
    }

    #[test]
    fn run_state_roots_are_traced_and_updated() {
        let mut heap = TestHeap::new();
        heap.node(0, None);
        let mut state = Gc::<Node<'static>>::from_obj(heap.node(8, None));
        let before = state.obj;
        let mut trace = |tracer: &mut Tracer<'_>| tracer.trace(&mut state);
        heap.minor_with(&mut RunStateRoots(Some(&mut trace)), 2);
        assert_ne!(state.obj, before);
        assert_eq!(heap.survivors().start, state.obj.as_ptr().addr());
        assert_eq!(node_at(state.obj), (8, None));
    }

    #[test]
    fn weak_pointers_follow_survivors_and_clear_for_the_dead() {
        let mut heap = TestHeap::new();
        let a = heap.node(1, None);
        let b = heap.node(2, None);
        let w = heap.alloc(Watch {
            strong: Some(Gc::from_obj(a)),
            live: weak(a),
            dead: weak(b),
        });
        let slot = heap.roots.add(w);
        heap.minor(2);
        let [strong, live, dead] = watch_at(heap.roots.get(slot));
        let a2 = strong.expect("a strong link");
        assert_ne!(a2, a);
        assert_eq!(live, Some(a2), "forwarded with its target");
        assert_eq!(dead, None, "cleared: its target was not copied");
        assert_eq!(heap.survivors().len(), NODE + WATCH);
    }

    #[test]
    fn dead_young_objects_with_drop_glue_are_finalized() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let mut heap = TestHeap::new();
        heap.alloc(Counted(&DROPS));
        let kept = heap.alloc(Counted(&DROPS));
        let slot = heap.roots.add(kept);
        assert_eq!(heap.young_finalizable.len(), 2);
        heap.minor(2);
        assert_eq!(DROPS.load(Ordering::Relaxed), 1);
        assert_eq!(heap.stats.objects_finalized, 1);
        assert_eq!(
            heap.young_finalizable,
            [heap.roots.get(slot)],
            "listed at its copy"
        );
        heap.minor(2);
        assert!(heap.is_old(heap.roots.get(slot)));
        assert!(
            heap.young_finalizable.is_empty(),
            "an old object leaves the list"
        );
        assert_eq!(DROPS.load(Ordering::Relaxed), 1);
    }
}
