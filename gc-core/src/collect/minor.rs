//! The minor collection: copies the live objects out of the nursery.
//!
//! # Roots
//! The root table, the state of a step loop, the objects on the dirty cards of the old chunks
//! and the large objects (only the elements on them, in a large array), the remembered set
//! (old and large objects with young pointers in memory they own outside themselves), and,
//! after a store to a cell outside every space, every old or large object whose type can own
//! such cells.
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
//! # Cards and the remembered set afterwards
//! The dirty cards are cleaned before they are scanned. A slot of an old object (promoted
//! now, or scanned as a root) that still points into the nursery afterwards dirties its card
//! again, or, if it lies outside the object, puts the object in the remembered set, so the
//! next minor collection finds its young targets. The same holds for weak pointers, which are
//! fixed up last (their owners are traced again): forwarded, or cleared if their target was
//! not copied.
//!
//! # Finalization
//! Young objects that need drop are listed at allocation. Those not forwarded are dead: their
//! drop glue runs before eden is reused.

use core::mem::MaybeUninit;
use core::num::NonZeroUsize;
use core::ptr::NonNull;

use crate::alloc::bump::Bump;
use crate::collect::finalize::Payload;
use crate::collect::finalize::{finalize_all, FirstPanic};
use crate::collect::mark::prefetch;
use crate::collect::tracer::{scan, scan_part, Ephemerons, RunStateRoots};
use crate::collect::Parts;
use crate::header::{self, Header, REMEMBERED, WORD};
use crate::remembered::{list_once, RememberedSet};
use crate::space::large::LargeSpace;
use crate::space::nursery::Nursery;
use crate::space::old::{OldCursor, OldSpace};
use crate::space::Spaces;
use crate::trace::{EdgeVisitor, EphemeronPass};
use crate::type_info::TypeInfo;

struct Evacuator<'a> {
    nursery: &'a Nursery,
    /// Eden's overflow blocks, as address ranges: evacuated like eden.
    overflow: &'a [(usize, usize)],
    /// The survivor space copies go to, as addresses.
    to_bounds: (usize, usize),
    old: &'a mut OldSpace,
    large: &'a LargeSpace,
    to_space: Bump,
    tenuring_threshold: u8,
    promote_all: bool,
    /// Objects that hold a non-null weak pointer; fixed up once the trace is done.
    weak_owners: Vec<NonNull<u8>>,
    /// The step loop's state holds a non-null weak pointer.
    extra_has_weak: bool,
    /// The weak maps found, whose values wait for their keys.
    ephemerons: Ephemerons,
    /// The object being scanned, if any.
    scanning: Option<NonNull<u8>>,
    /// The memory of the object being scanned, if it is old or large.
    old_owner: Option<(usize, usize)>,
    /// The card table of that object, once a slot needed it.
    owner_cards: Option<OwnerCards>,
    /// The old object being scanned holds a young pointer outside itself.
    out_of_line_young: bool,
    /// The remembered set for the next minor collection.
    remembered: Vec<NonNull<u8>>,
    /// Some promoted object's type may own barriered cells outside itself.
    promoted_out_of_line_cells: bool,
    copied_bytes: usize,
    promoted_bytes: usize,
    /// Edges visited so far.
    edges: usize,
    /// The threads the copying may go on with.
    threads: Threads,
    /// The copying went on on more than one thread.
    on_threads: bool,
    /// Edges of objects on dirty cards that the threads scanned.
    card_edges: usize,
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

/// Which card table covers an old or large object: found once per object scanned, so that
/// each of its young slots dirties its card without a lookup.
#[derive(Clone, Copy)]
enum OwnerCards {
    /// The old chunk with this index.
    Old(usize),
    /// The large object with this index.
    Large(usize),
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
        // The common case, an object never hashed, is its type's size and copies as it is.
        let (size, copy_size) = if h.is_hashed() {
            self.hashed_sizes(obj, h)
        } else {
            // SAFETY: `obj` is an unforwarded nursery object of this type.
            let size = unsafe { info.object_size(obj) };
            (size, size)
        };
        let age = h.age() + 1;
        let young_copy = if self.promote_all || age >= self.tenuring_threshold {
            None
        } else {
            self.to_space.take(copy_size)
        };
        let copy = match young_copy {
            Some(copy) => copy,
            None => {
                self.promoted_bytes += copy_size;
                self.promoted_out_of_line_cells |= info.has_out_of_line_cells;
                self.old.alloc(copy_size)
            }
        };
        // SAFETY: `copy` is a fresh block of `copy_size` bytes in another space than `obj`.
        unsafe {
            copy_object(obj, copy, size);
            let copied = h.for_copy().with_age(age);
            if h.is_hashed() {
                header::finish_copy(copy, copied, obj, size);
            } else {
                header::write(copy, copied);
            }
            header::write(obj, Header::forwarding(copy));
        }
        self.copied_bytes += copy_size;
        copy
    }

    /// The size of a hashed object and of its copy, which keeps its hash in one more word.
    #[cold]
    fn hashed_sizes(&self, obj: NonNull<u8>, h: Header) -> (usize, usize) {
        // SAFETY: `obj` is an unforwarded nursery object with an intact header.
        let size = unsafe { h.object_size(obj) };
        (size, size + h.copy_growth())
    }

    /// Scans a copy in the *to* survivor space.
    fn scan_young_copy(&mut self, obj: NonNull<u8>, info: &'static TypeInfo) {
        self.scanning = Some(obj);
        // SAFETY: `obj` is a copy made by this collection, with an intact header and value;
        // nothing else refers to the value during the collection.
        unsafe { scan(obj, info, self) };
        self.scanning = None;
    }

    /// Scans the old or large object at `obj`, or with `part`, only the edges that may lie in
    /// that address range: the slots that still point into the nursery afterwards dirty
    /// their cards, or put the object in the next remembered set if they lie outside it.
    fn scan_old(&mut self, obj: NonNull<u8>, part: Option<(usize, usize)>) {
        self.scan_old_with(obj, part, None)
    }

    /// As [`Self::scan_old`], with the object's card table if the caller knows it.
    fn scan_old_with(
        &mut self,
        obj: NonNull<u8>,
        part: Option<(usize, usize)>,
        cards: Option<OwnerCards>,
    ) {
        // SAFETY: `obj` is an old or large object, promoted by this collection or there
        // before it, with an intact header and value.
        let h = unsafe { header::read(obj) };
        let info = h.type_info();
        let start = obj.as_ptr().addr();
        // SAFETY: as above.
        let end = start + unsafe { h.object_size(obj) };
        self.scanning = Some(obj);
        self.old_owner = Some((start, end));
        self.owner_cards = cards;
        self.out_of_line_young = false;
        // SAFETY: as above; nothing else refers to the value during the collection.
        unsafe {
            match part {
                Some(range) => scan_part(obj, info, range, self),
                None => scan(obj, info, self),
            }
        }
        self.scanning = None;
        self.old_owner = None;
        if self.out_of_line_young {
            self.remember(obj);
        }
    }

    /// Scans the objects on the dirty cards `ranges` (in address order) of old chunk `chunk`,
    /// whose objects ended at `top` when the collection began.
    fn scan_old_cards(&mut self, chunk: usize, top: usize, ranges: &[(usize, usize)]) {
        let mut scanned_to = 0;
        for &(from, to) in ranges {
            let to = to.min(top);
            if from >= to {
                continue;
            }
            let first = self.old.chunks[chunk]
                .object_at(from)
                .expect("an object covers every address below a chunk's top");
            let mut obj = first.as_ptr().addr().max(scanned_to);
            while obj < to {
                // A batch of objects: their young targets are fetched into the cache first,
                // then the objects are scanned, so the misses overlap instead of following
                // one another.
                let batch_end = to.min(obj + PREFETCH_BATCH);
                let mut prefetcher = Prefetcher {
                    nursery: self.nursery,
                    overflow: self.overflow,
                };
                let mut at = obj;
                while at < batch_end {
                    // SAFETY: as below.
                    let start = unsafe { first.with_addr(NonZeroUsize::new_unchecked(at)) };
                    // SAFETY: as below: an old object with an intact header and value.
                    let h = unsafe { header::read(start) };
                    // SAFETY: as above; the prefetcher only reads the slots.
                    unsafe { scan(start, h.type_info(), &mut prefetcher) };
                    // SAFETY: as above.
                    at += unsafe { h.object_size(start) };
                }
                while obj < batch_end {
                    // SAFETY: `obj` is an object start in the chunk (the covering object, or
                    // the end of one scanned before), below the top the chunk had when the
                    // collection began.
                    let at = unsafe { first.with_addr(NonZeroUsize::new_unchecked(obj)) };
                    self.scan_old_with(at, None, Some(OwnerCards::Old(chunk)));
                    // SAFETY: as above: an old object with an intact header.
                    obj += unsafe { header::read(at).object_size(at) };
                    scanned_to = obj;
                }
            }
        }
    }

    /// Scans the parts of large object `i` on its dirty cards `ranges`.
    fn scan_large_cards(&mut self, i: usize, ranges: &[(usize, usize)]) {
        let obj = self.large.objects[i].start;
        // SAFETY: large objects have intact headers.
        let info = unsafe { header::read(obj) }.type_info();
        let cards = Some(OwnerCards::Large(i));
        if info.trace_elements.is_none() {
            return self.scan_old_with(obj, None, cards);
        }
        for &range in ranges {
            self.scan_old_with(obj, Some(range), cards);
        }
    }

    /// An old object's slot at `slot` points into the nursery after forwarding.
    #[inline]
    fn old_points_young(&mut self, (start, end): (usize, usize), slot: usize) {
        if !(start..end).contains(&slot) {
            self.out_of_line_young = true;
            return;
        }
        let cards = match self.owner_cards {
            Some(cards) => cards,
            None => {
                let cards = match self.old.chunk_index(start) {
                    Some(chunk) => OwnerCards::Old(chunk),
                    None => OwnerCards::Large(
                        self.large
                            .index_of(start)
                            .expect("an object scanned as old is in the old or large space"),
                    ),
                };
                self.owner_cards = Some(cards);
                cards
            }
        };
        match cards {
            OwnerCards::Old(chunk) => self.old.chunks[chunk].cards.dirty(slot),
            OwnerCards::Large(i) => self.large.objects[i].cards.dirty(slot),
        }
    }

    /// Puts an old or large object in the next remembered set, once.
    fn remember(&mut self, obj: NonNull<u8>) {
        // SAFETY: `obj` is an old or large object with an intact header.
        unsafe { list_once(obj, &mut self.remembered) }
    }

    /// Scans copies until none is left: Cheney's scan pointers, one per space copies go to.
    fn drain(&mut self, mut young_scan: NonNull<u8>, mut old_scan: OldCursor) {
        // Copies are scanned in batches, their young targets fetched into the cache first
        // (as on dirty cards).
        let mut batch = Vec::with_capacity(SCAN_BATCH);
        loop {
            let mut progressed = false;
            while young_scan < self.to_space.cursor {
                if self.time_for_threads() {
                    return self.drain_together(young_scan, old_scan, Vec::new());
                }
                while young_scan < self.to_space.cursor && batch.len() < SCAN_BATCH {
                    // SAFETY: the *to* space holds back-to-back copies below its cursor.
                    let h = unsafe { header::read(young_scan) };
                    batch.push((young_scan, h.type_info()));
                    // SAFETY: as above.
                    young_scan = unsafe { young_scan.add(h.object_size(young_scan)) };
                }
                self.prefetch_targets(&batch);
                for (obj, info) in batch.drain(..) {
                    self.scan_young_copy(obj, info);
                }
                progressed = true;
            }
            loop {
                if self.time_for_threads() {
                    return self.drain_together(young_scan, old_scan, Vec::new());
                }
                while batch.len() < SCAN_BATCH {
                    let Some(obj) = self.old.next_object(&mut old_scan) else {
                        break;
                    };
                    // SAFETY: promoted copies have intact headers.
                    batch.push((obj, unsafe { header::read(obj).type_info() }));
                }
                if batch.is_empty() {
                    break;
                }
                self.prefetch_targets(&batch);
                for (obj, _) in batch.drain(..) {
                    self.scan_old(obj, None);
                }
                progressed = true;
            }
            if !progressed {
                return;
            }
        }
    }

    /// Asks for the headers of the nursery objects that the copies in `batch` point to.
    fn prefetch_targets(&self, batch: &[(NonNull<u8>, &'static TypeInfo)]) {
        let mut prefetcher = Prefetcher {
            nursery: self.nursery,
            overflow: self.overflow,
        };
        for &(obj, info) in batch {
            // SAFETY: copies made by this collection, intact; the prefetcher only reads the
            // slots.
            unsafe { scan(obj, info, &mut prefetcher) };
        }
    }

    /// Traces the values of the weak maps' entries whose keys were found live, and what they
    /// reach, in rounds until a round copies nothing: a key may become live through the
    /// value of another entry.
    fn resolve_ephemerons(&mut self, extra: &mut RunStateRoots<'_>) {
        if self.ephemerons.is_empty() {
            return;
        }
        loop {
            let copied = self.copied_bytes;
            let young_scan = self.to_space.cursor;
            let old_scan = self.old.end_cursor();
            // Owners noted during the drain below are traced in the next round.
            let owners = self.ephemerons.owners_once();
            self.ephemerons.resolving = true;
            for &owner in &owners {
                if self.in_to_space(owner.as_ptr().addr()) {
                    // SAFETY: a copy made by this collection, with an intact header.
                    let info = unsafe { header::read(owner) }.type_info();
                    self.scan_young_copy(owner, info);
                } else {
                    self.scan_old(owner, None);
                }
            }
            if self.ephemerons.in_run_state {
                extra.trace(self);
            }
            self.ephemerons.resolving = false;
            self.drain(young_scan, old_scan);
            if self.copied_bytes == copied {
                return;
            }
        }
    }

    /// Forwards or clears the weak pointers found, once everything reachable is copied. The
    /// owners are traced again, so each slot is reached through a fresh borrow of its owner
    /// (a weak slot may live in a `Vec`'s buffer, and an object may have been traced more
    /// than once); fixing a slot twice changes nothing.
    fn fix_weak_pointers(&mut self, extra: &mut RunStateRoots<'_>, panics: &mut FirstPanic) {
        let mut fixer = WeakFixer {
            panics,
            nursery: self.nursery,
            overflow: self.overflow,
            to_bounds: self.to_bounds,
            old: self.old,
            large: self.large,
            old_owner: None,
            out_of_line_young: false,
        };
        let mut remember = Vec::new();
        for owner in core::mem::take(&mut self.weak_owners) {
            // SAFETY: owners are copies or old objects, intact and not moving any more.
            let h = unsafe { header::read(owner) };
            let info = h.type_info();
            let start = owner.as_ptr().addr();
            fixer.old_owner = (!within(self.to_bounds, start))
                // SAFETY: as above.
                .then(|| (start, start + unsafe { h.object_size(owner) }));
            fixer.out_of_line_young = false;
            // SAFETY: as above.
            unsafe { scan(owner, info, &mut fixer) };
            if fixer.out_of_line_young {
                remember.push(owner);
            }
        }
        fixer.old_owner = None;
        if self.extra_has_weak {
            extra.trace(&mut fixer);
        }
        for owner in remember {
            self.remember(owner);
        }
    }
}

/// The copies scanned together, their young targets prefetched first.
pub(super) const SCAN_BATCH: usize = 16;

/// The bytes of old objects on dirty cards whose young targets are prefetched together.
pub(super) const PREFETCH_BATCH: usize = 1024;

/// Asks for the headers of the nursery objects an object points to, ahead of scanning it.
pub(super) struct Prefetcher<'a> {
    pub(super) nursery: &'a Nursery,
    pub(super) overflow: &'a [(usize, usize)],
}

impl EdgeVisitor for Prefetcher<'_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        if in_from_space(self.nursery, self.overflow, slot.as_ptr().addr()) {
            prefetch(*slot);
        }
    }

    fn weak_edge(&mut self, _: &mut Option<NonNull<u8>>) {}
}

/// Dirties the card of `addr`, a slot of an old chunk or a large object.
#[inline]
fn dirty_card(old: &OldSpace, large: &LargeSpace, addr: usize) {
    let cards = old.cards_at(addr).or_else(|| large.cards_at(addr));
    debug_assert!(
        cards.is_some(),
        "a slot of an old object at {addr:#x} has no card"
    );
    if let Some(cards) = cards {
        cards.dirty(addr)
    }
}

/// Points weak slots at the copies of their targets, or clears them (and so removes the
/// entries of weak maps whose keys died).
struct WeakFixer<'a> {
    /// The first panic out of the drop glue of a weak map's value.
    panics: &'a mut FirstPanic,
    nursery: &'a Nursery,
    overflow: &'a [(usize, usize)],
    to_bounds: (usize, usize),
    old: &'a OldSpace,
    large: &'a LargeSpace,
    /// The memory of the object being fixed, if it is old or large.
    old_owner: Option<(usize, usize)>,
    /// A weak slot outside the old object being fixed points into the nursery afterwards.
    out_of_line_young: bool,
}

impl EdgeVisitor for WeakFixer<'_> {
    fn edge(&mut self, _: &mut NonNull<u8>) {}

    fn caught(&mut self, payload: Payload) {
        self.panics.keep(payload)
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        let Some(target) = *slot else { return };
        if in_from_space(self.nursery, self.overflow, target.as_ptr().addr()) {
            // SAFETY: a nursery pointer is the start of an object there, with an intact header
            // or a forwarding one.
            let h = unsafe { header::read(target) };
            *slot = h.is_forwarded().then(|| h.forwardee());
        }
        let young = slot.is_some_and(|target| within(self.to_bounds, target.as_ptr().addr()));
        if let (true, Some((start, end))) = (young, self.old_owner) {
            let at = core::ptr::from_mut(slot).addr();
            if (start..end).contains(&at) {
                dirty_card(self.old, self.large, at);
            } else {
                self.out_of_line_young = true;
            }
        }
    }
}

impl EdgeVisitor for Evacuator<'_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.edges += 1;
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
        if let Some(owner) = self.old_owner {
            if self.in_to_space(slot.as_ptr().addr()) {
                self.old_points_young(owner, core::ptr::from_mut(slot).addr());
            }
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

    fn ephemeron_pass(&mut self) -> EphemeronPass {
        self.ephemerons.pass(self.scanning)
    }

    fn key_is_live(&self, key: NonNull<u8>) -> bool {
        if !self.in_from_space(key.as_ptr().addr()) {
            return true; // old objects live through a minor collection
        }
        // SAFETY: a nursery pointer is the start of an object there, with an intact header
        // or a forwarding one.
        unsafe { header::read(key) }.is_forwarded()
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
/// the nursery ends up empty; on `threads` once enough is copied. Returns the first panic out
/// of drop glue, if any.
pub(crate) fn collect(
    parts: &mut Parts<'_>,
    extra: &mut RunStateRoots<'_>,
    tenuring_threshold: u8,
    promote_all: bool,
    threads: Threads,
) -> FirstPanic {
    let spaces = &mut *parts.spaces;
    // Before anything is freed (a major collection starts with this one).
    spaces.forget_card_windows();
    let (eden_used, young_allocated) = (parts.eden_used, parts.young_allocated);
    let young_before = young_allocated + spaces.nursery.survivor_used();
    let overflow = spaces.overflow.get_mut().ranges();
    let (remembered, out_of_line_store) = parts.remembered.take();
    let out_of_line = if out_of_line_store {
        out_of_line_owners(spaces, parts.remembered)
    } else {
        Vec::new()
    };

    // The dirty cards, cleaned: slots that still point into the nursery dirty them again.
    let old_cards: Vec<_> = spaces
        .old
        .get_mut()
        .chunks
        .iter()
        .enumerate()
        .filter_map(|(i, chunk)| {
            let ranges = chunk.cards.take_dirty();
            (!ranges.is_empty()).then(|| (i, chunk.top.as_ptr().addr(), ranges))
        })
        .collect();
    let large_cards: Vec<_> = spaces
        .large
        .get_mut()
        .objects
        .iter()
        .enumerate()
        .filter_map(|(i, object)| {
            let ranges = object.cards.take_dirty();
            (!ranges.is_empty()).then_some((i, ranges))
        })
        .collect();

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
        large: spaces.large.get_mut(),
        to_space,
        tenuring_threshold,
        promote_all,
        weak_owners: Vec::new(),
        extra_has_weak: false,
        ephemerons: Ephemerons::default(),
        scanning: None,
        old_owner: None,
        owner_cards: None,
        out_of_line_young: false,
        remembered: Vec::with_capacity(remembered.len()),
        promoted_out_of_line_cells: false,
        copied_bytes: 0,
        promoted_bytes: 0,
        edges: 0,
        threads,
        on_threads: false,
        card_edges: 0,
    };
    parts.roots.for_each_slot(|slot| ev.edge(slot));
    extra.trace(&mut ev);
    for obj in remembered {
        // SAFETY: remembered objects are old or large, with intact headers.
        unsafe { header::write(obj, header::read(obj).without(REMEMBERED)) };
        ev.scan_old(obj, None);
    }
    for obj in out_of_line {
        ev.scan_old(obj, None);
    }
    let dirty_bytes: usize = (old_cards.iter().flat_map(|(_, _, ranges)| ranges))
        .chain(large_cards.iter().flat_map(|(_, ranges)| ranges))
        .map(|(from, to)| to - from)
        .sum();
    // What the roots cost, whatever survives: the collection's fixed work.
    let root_edges;
    if ev.cards_on_threads(dirty_bytes) {
        let cards = ev.card_work(old_cards, large_cards);
        let edges = ev.edges;
        // Everything reachable is copied and scanned once the team is done.
        ev.drain_together(young_scan, old_scan, cards);
        root_edges = edges + ev.card_edges;
    } else {
        for (chunk, top, ranges) in old_cards {
            ev.scan_old_cards(chunk, top, &ranges);
        }
        for (i, ranges) in large_cards {
            ev.scan_large_cards(i, &ranges);
        }
        root_edges = ev.edges;
        ev.drain(young_scan, old_scan);
    }
    ev.resolve_ephemerons(extra);
    let mut panics = FirstPanic::default();
    ev.fix_weak_pointers(extra, &mut panics);

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
    let (to_top, copied, promoted, next_remembered, promoted_out_of_line_cells, on_threads) = (
        ev.to_space.cursor,
        ev.copied_bytes,
        ev.promoted_bytes,
        ev.remembered,
        ev.promoted_out_of_line_cells,
        ev.on_threads,
    );

    // Drop glue runs while the dead objects' memory is intact, before eden is reused.
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
    // (Copies of hashed objects are a word longer than the objects were, so more may have
    // been copied than the nursery held.)
    stats.bytes_freed += young_before.saturating_sub(copied) as u64;
    stats.bytes_copied += copied as u64;
    stats.root_edges += root_edges as u64;
    stats.objects_finalized += finalized;
    stats.collections_on_threads += u64::from(on_threads);
    panics
}

mod parallel;
pub(crate) use parallel::Threads;

/// Also the harness of the major collection's tests.
#[cfg(test)]
pub(crate) mod tests;
