//! Copying on several threads: how a minor collection with many survivors finishes.
//!
//! A minor collection starts on the heap's thread, as on one thread (its roots, the
//! remembered set and the dirty cards, then Cheney's scan). Once it has copied
//! [`Threads::after`] bytes, the copies still to be scanned become the work of a team
//! (`collect/parallel.rs`): the heap's thread and `threads - 1` scoped workers scan them
//! and what they reach, each with a work list of its own copies in place of Cheney's scan
//! pointers, stealing from one another when they run out.
//!
//! # Copying an object several threads may meet
//! A thread that meets a pointer into the nursery reads the target's header atomically. If
//! it is not forwarded yet, the thread copies the object's value (never its header, which
//! other threads may be forwarding) into memory of its own, writes the copy's header, and
//! then forwards the object by a compare-and-swap on its header
//! ([`header::forward_shared`]). Of the threads that copy an object at once, one wins; the
//! others take back the memory of their copies and use the winner's. So each copy is made
//! once, and scanned once, by the thread that made it or the one that stole it; the objects
//! the copies were made from are only read.
//!
//! # Memory for copies
//! Each thread copies into blocks of its own ([`BLOCK`] bytes; bigger copies get one of
//! their size): from the *to* survivor space, through an atomic cursor, and from the old
//! generation, under a lock ([`OldSpace::take_block`]). The unused end of a block is given
//! back if nothing was taken after it, or else filled with a dead object, so that the
//! spaces can still be walked object by object. A thread sets the old generation's start
//! bit of each copy it makes there atomically, through the chunk's [`StartBits`], since the
//! `Chunk`s themselves may move when another thread adds one.
//!
//! # Afterwards
//! What the threads found is put together on the heap's thread: the slots of promoted copies
//! that still point into the nursery dirty their cards, the objects that hold young pointers
//! outside themselves join the remembered set, and the weak pointers and weak maps found are
//! handled as on one thread.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::Mutex;

use core::num::NonZeroUsize;

use super::{
    copy_object, dirty_card, in_from_space, within, Evacuator, Prefetcher, PREFETCH_BATCH,
    SCAN_BATCH,
};
use crate::collect::parallel::{together, Team, SHARE_BATCH};
use crate::collect::tracer::scan;
use crate::header::{self, Header, WORD};
use crate::remembered::list_once;
use crate::space::cards::CARD_SIZE;
use crate::space::nursery::Nursery;
use crate::space::old::{write_filler, OldCursor, OldSpace, StartBits, CHUNK_SIZE};
use crate::trace::{EdgeVisitor, EphemeronPass, Tracer};
use crate::type_info::{slice_len, Shape, TypeInfo};

/// The bytes a copying thread takes at a time for its copies (less under Miri, whose chunks
/// are small).
const BLOCK: usize = if CHUNK_SIZE >= 128 * 1024 {
    32 * 1024
} else {
    CHUNK_SIZE / 4
};
/// Copies bigger than this get a block of their own size.
const BLOCK_MAX_OBJECT: usize = BLOCK / 4;

/// How many threads a minor collection may copy on, and when they start.
#[derive(Clone, Copy)]
pub(crate) struct Threads {
    /// The collector threads, the heap's own among them.
    pub(crate) count: usize,
    /// The bytes copied on the heap's thread alone before the others join: starting and
    /// joining workers costs about as much as copying a few hundred kilobytes.
    pub(crate) after: usize,
}

/// The most elements of a slice scanned at once: the rest of a big array goes back on the
/// work list, where another thread can take it.
const SLICE_STEP: usize = 256;

/// The most elements of a large array on dirty cards scanned as one task.
const CARD_TASK_ELEMENTS: usize = 4096;

/// The bytes on dirty cards from which a minor collection scans them on its threads, from
/// the start: below it, the roots are quickly scanned on the heap's thread alone.
pub(super) const CARDS_ON_THREADS: usize = 512 * 1024;

/// Address ranges of dirty cards, in address order.
type DirtyRanges = Vec<(usize, usize)>;

/// A copy to be scanned, with the first element to scan if it is a slice, handed between
/// threads.
struct Copied(NonNull<u8>, usize);

// SAFETY: a `Copied` is a copy that its thread made (and forwarded its object to) and has not
// scanned (or the elements of it from the one named on). Whichever thread takes it scans
// that, once; while the threads copy, the heap's own thread takes part and runs nothing
// else, so no mutator touches the heap.
unsafe impl Send for Copied {}

/// Roots on dirty cards, as tasks that reach disjoint objects (or disjoint elements of one
/// large array): made on the heap's thread before the others start.
pub(super) enum CardWork {
    /// The objects on the dirty ranges of one old chunk (objects never span chunks): for
    /// each range, the object that covers its start and the range's end (no further than
    /// the chunk's top when the collection began).
    Old(Vec<(NonNull<u8>, usize)>),
    /// Elements `from..to` of a large array.
    Elements(NonNull<u8>, usize, usize),
    /// A whole large object.
    Large(NonNull<u8>),
}

/// What the copying threads share.
struct Shared<'a> {
    nursery: &'a Nursery,
    overflow: &'a [(usize, usize)],
    to_bounds: (usize, usize),
    /// The *to* survivor space's first free byte, and its end.
    to_cursor: AtomicPtr<u8>,
    to_limit: NonNull<u8>,
    old: Mutex<&'a mut OldSpace>,
    tenuring_threshold: u8,
    promote_all: bool,
    /// The roots on dirty cards, and the next of them for a thread to take: the threads take
    /// them in order, whenever their work lists are short, so that the roots are copied in
    /// address order (as on one thread), which reads the nursery far faster than the order of
    /// a graph's edges.
    cards: Vec<CardWork>,
    next_card: AtomicUsize,
}

// SAFETY: the threads only read the nursery's bounds and the overflow ranges, which no one
// changes during a collection; the old generation is reached under the lock, and the *to*
// cursor atomically. The memory these lead to is divided as the module documentation says.
unsafe impl Sync for Shared<'_> {}

/// Memory a thread copies into: `[cursor, end)` is free.
#[derive(Clone, Copy)]
struct Block {
    cursor: NonNull<u8>,
    end: NonNull<u8>,
}

impl Block {
    /// Takes `size` bytes, if they fit.
    #[inline]
    fn take(&mut self, size: usize) -> Option<NonNull<u8>> {
        let free = self.end.as_ptr().addr() - self.cursor.as_ptr().addr();
        (size <= free).then(|| {
            let at = self.cursor;
            // SAFETY: `size <= free`, so the cursor stays within the block.
            self.cursor = unsafe { at.add(size) };
            at
        })
    }

    fn free(&self) -> usize {
        self.end.as_ptr().addr() - self.cursor.as_ptr().addr()
    }
}

/// Where a copy was made, so that it can be taken back if another thread wins.
#[derive(Clone, Copy)]
enum Place {
    YoungBlock,
    /// In the *to* space, in memory of its own size.
    YoungAlone,
    OldBlock,
    /// In the old generation, in memory of its own size, with these start bits.
    OldAlone(StartBits),
}

/// What a copying thread found, for the heap's thread to put together.
#[derive(Default)]
struct Found {
    weak_owners: Vec<NonNull<u8>>,
    ephemeron_owners: Vec<NonNull<u8>>,
    /// Promoted copies with young pointers outside themselves, for the remembered set (put
    /// there afterwards: listing one writes its header, which another thread scanning
    /// another part of it may be reading).
    out_of_line_young: Vec<NonNull<u8>>,
    /// Slots of promoted copies that still point into the nursery, one per card in a row.
    young_slots: Vec<usize>,
    promoted_out_of_line_cells: bool,
    copied_bytes: usize,
    promoted_bytes: usize,
    edges: usize,
    /// Of `edges`, those of objects on dirty cards.
    root_edges: usize,
    /// The thread's last blocks, whose unused ends are given back or filled afterwards.
    young_block: Option<Block>,
    old_block: Option<(Block, StartBits)>,
}

// SAFETY: the objects listed are copies and old objects, which the heap's thread uses once
// the threads are joined (the join orders their accesses before its own).
unsafe impl Send for Found {}

/// Copies the heap's thread made before the team started and has not scanned yet: the
/// memory they lie in, back to back, walked a batch at a time whenever that thread's work
/// list is short. (Listing them all first made a list as long as the roots' young targets,
/// a word for each of a million copies, which the allocator then kept.)
struct Pending {
    /// The ranges left, the next one last, and how far into it the walk has come.
    ranges: Vec<(NonNull<u8>, NonNull<u8>)>,
}

impl Pending {
    /// The copies in `ranges`, in order.
    fn new(mut ranges: Vec<(NonNull<u8>, NonNull<u8>)>) -> Self {
        ranges.retain(|(start, end)| start < end);
        ranges.reverse();
        Pending { ranges }
    }

    fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Moves up to `n` copies onto `stack`.
    fn feed(&mut self, stack: &mut Vec<NonNull<u8>>, n: usize) {
        for _ in 0..n {
            let Some((at, end)) = self.ranges.last_mut() else {
                return;
            };
            let obj = *at;
            stack.push(obj);
            // SAFETY: the ranges hold back-to-back copies this collection made before the
            // team started, with intact headers, which no thread writes (only the headers
            // of the objects copied from are forwarded); other threads may read them too.
            *at = unsafe { obj.add(header::read_shared(obj).object_size(obj)) };
            if *at >= *end {
                self.ranges.pop();
            }
        }
    }
}

/// One thread's part in copying.
struct Copier<'t, 's> {
    shared: &'t Shared<'s>,
    team: Team<'t, Copied>,
    /// Copies made (or taken from another thread) and not scanned yet.
    stack: Vec<NonNull<u8>>,
    /// The rest of big slices being scanned, [`SLICE_STEP`] elements at a time: the copy
    /// and the first element left. Apart from `stack`, whose entries stay one word each.
    parts: Vec<(NonNull<u8>, usize)>,
    /// Every task of [`Shared::cards`] has been taken.
    cards_taken: bool,
    /// On the heap's thread, the copies it made before the team started and has not put on
    /// its work list yet.
    pending: Pending,
    /// The object being scanned.
    scanning: Option<NonNull<u8>>,
    /// Its memory, if it was promoted.
    old_owner: Option<(usize, usize)>,
    /// The promoted copy being scanned holds a young pointer outside itself.
    out_of_line_young: bool,
    /// Where the card table of the old object being scanned starts (0 for old chunks, which
    /// are aligned to it), and the card of its last slot noted in `young_slots`.
    card_base: usize,
    last_young_card: Option<usize>,
    found: Found,
}

impl<'t, 's> Copier<'t, 's> {
    fn new(shared: &'t Shared<'s>, team: Team<'t, Copied>) -> Self {
        Copier {
            shared,
            team,
            stack: Vec::new(),
            parts: Vec::new(),
            cards_taken: false,
            pending: Pending::new(Vec::new()),
            scanning: None,
            old_owner: None,
            out_of_line_young: false,
            card_base: 0,
            last_young_card: None,
            found: Found::default(),
        }
    }

    /// Copies the nursery object at `obj`, whose header was `h`, unless another thread
    /// forwards it first; returns the copy it is forwarded to.
    fn evacuate(&mut self, obj: NonNull<u8>, h: Header) -> NonNull<u8> {
        let info = h.type_info();
        // SAFETY: `obj` is an unforwarded nursery object of this type (it was when its
        // header was read, and the objects copies are made from are only read): its length
        // word, for a slice, is intact.
        let size = unsafe { h.object_size(obj) };
        let copy_size = size + h.copy_growth();
        let age = h.age() + 1;
        let young = !self.shared.promote_all && age < self.shared.tenuring_threshold;
        let (copy, place) = match young.then(|| self.take_young(copy_size)).flatten() {
            Some(taken) => taken,
            None => self.take_old(copy_size),
        };
        // SAFETY: `copy` is fresh memory of `copy_size` bytes that only this thread reaches;
        // `obj`'s value (all of it but the header word) is only read while threads copy.
        unsafe {
            copy_object(obj.add(WORD), copy.add(WORD), size - WORD);
            header::finish_copy(copy, h.for_copy().with_age(age), obj, size);
        }
        // SAFETY: while threads copy, every header of a nursery object is reached atomically
        // and only forwarded.
        match unsafe { header::forward_shared(obj, h, copy) } {
            Ok(()) => {
                self.found.copied_bytes += copy_size;
                if !matches!(place, Place::YoungBlock | Place::YoungAlone) {
                    self.found.promoted_bytes += copy_size;
                    self.found.promoted_out_of_line_cells |= info.has_out_of_line_cells;
                    let starts = match place {
                        Place::OldAlone(starts) => starts,
                        _ => self.found.old_block.expect("an old block was taken").1,
                    };
                    // SAFETY: the copy lies in the chunk these bits belong to; no chunk is
                    // freed during a minor collection.
                    unsafe { starts.set(copy) };
                }
                self.stack.push(copy);
                copy
            }
            Err(winner) => {
                self.take_back(copy, copy_size, place);
                winner
            }
        }
    }

    /// Memory for a copy of `size` bytes in the *to* space, if there is room.
    fn take_young(&mut self, size: usize) -> Option<(NonNull<u8>, Place)> {
        if size > BLOCK_MAX_OBJECT {
            return self
                .take_to_space(size, size)
                .map(|b| (b.cursor, Place::YoungAlone));
        }
        if let Some(at) = self.found.young_block.as_mut().and_then(|b| b.take(size)) {
            return Some((at, Place::YoungBlock));
        }
        if let Some(block) = self.found.young_block.take() {
            self.retire_young(block);
        }
        let mut block = self.take_to_space(size, BLOCK)?;
        let at = block
            .take(size)
            .expect("a block holds what it was taken for");
        self.found.young_block = Some(block);
        Some((at, Place::YoungBlock))
    }

    /// Takes at least `size` and at most `want` bytes from the *to* space's cursor.
    fn take_to_space(&self, size: usize, want: usize) -> Option<Block> {
        let limit = self.shared.to_limit.as_ptr().addr();
        let cursor = &self.shared.to_cursor;
        let mut at = cursor.load(Ordering::Relaxed);
        loop {
            let free = limit - at.addr();
            if free < size {
                return None;
            }
            let n = free.min(want);
            // SAFETY: `n <= free`, so the new cursor stays within the *to* space.
            let end = unsafe { at.add(n) };
            // Acquire: memory given back by another thread (see `retire_to_space`) may be
            // taken here, after that thread's writes to it.
            match cursor.compare_exchange_weak(at, end, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => {
                    // SAFETY: the cursor lies in the *to* space, never at null.
                    let (cursor, end) =
                        unsafe { (NonNull::new_unchecked(at), NonNull::new_unchecked(end)) };
                    return Some(Block { cursor, end });
                }
                Err(now) => at = now,
            }
        }
    }

    /// Gives back the free end of a block of the *to* space if nothing was taken after it,
    /// and fills it with a dead object otherwise.
    fn retire_young(&self, block: Block) {
        retire_to_space(&self.shared.to_cursor, block)
    }

    /// Memory for a copy of `size` bytes in the old generation.
    fn take_old(&mut self, size: usize) -> (NonNull<u8>, Place) {
        if size > BLOCK_MAX_OBJECT {
            let block = lock_old(self.shared).take_block(size, size);
            return (block.start, Place::OldAlone(block.starts));
        }
        if let Some(at) = self
            .found
            .old_block
            .as_mut()
            .and_then(|(b, _)| b.take(size))
        {
            return (at, Place::OldBlock);
        }
        let mut old = lock_old(self.shared);
        if let Some((block, starts)) = self.found.old_block.take() {
            retire_old(&mut old, block, starts);
        }
        let taken = old.take_block(size, BLOCK);
        drop(old);
        let mut block = Block {
            cursor: taken.start,
            end: taken.end,
        };
        let at = block
            .take(size)
            .expect("a block holds what it was taken for");
        self.found.old_block = Some((block, taken.starts));
        (at, Place::OldBlock)
    }

    /// Takes back the memory of a copy that lost to another thread's.
    fn take_back(&mut self, copy: NonNull<u8>, size: usize, place: Place) {
        match place {
            // The copy was the last thing taken from the block.
            Place::YoungBlock => {
                if let Some(block) = self.found.young_block.as_mut() {
                    block.cursor = copy;
                }
            }
            Place::OldBlock => {
                if let Some((block, _)) = self.found.old_block.as_mut() {
                    block.cursor = copy;
                }
            }
            Place::YoungAlone => {
                // SAFETY: `copy` is memory of `size` bytes of the *to* space that only this
                // thread reaches.
                let end = unsafe { copy.add(size) };
                self.retire_young(Block { cursor: copy, end });
            }
            Place::OldAlone(starts) => {
                // SAFETY: as above, in an old chunk, whose start bits these are.
                let end = unsafe { copy.add(size) };
                retire_old(
                    &mut lock_old(self.shared),
                    Block { cursor: copy, end },
                    starts,
                );
            }
        }
    }

    /// Does work until no thread has any left: the roots on dirty cards, a task at a time
    /// whenever its work list is short, and its own copies, in batches whose young targets are
    /// fetched into the cache before they are scanned (as on one thread). Copies are scanned
    /// soon after they are made, while they are in the cache; and the work list stays short
    /// (taking every task first made it as long as the roots' young targets, megabytes the
    /// allocator then kept).
    fn drain(&mut self) {
        let mut batch = Vec::with_capacity(SCAN_BATCH);
        loop {
            loop {
                if self.stack.len() < SCAN_BATCH {
                    self.pending.feed(&mut self.stack, SCAN_BATCH);
                }
                let room = self.stack.len() < CARD_TASK_ELEMENTS;
                let n = self.stack.len().min(SCAN_BATCH);
                if let Some(i) = room.then(|| self.take_cards()).flatten() {
                    self.scan_cards(i);
                } else if n > 0 {
                    batch.extend(self.stack.drain(self.stack.len() - n..).rev());
                    self.prefetch_targets(&batch);
                    for obj in batch.drain(..) {
                        // SAFETY: this thread made `obj` (or took it from the thread that
                        // did), so it is the one thread that reaches it.
                        unsafe { self.scan_copy(obj, 0) };
                    }
                } else if let Some((obj, from)) = self.parts.pop() {
                    // SAFETY: this thread took this part of `obj` from the thread that made
                    // it, or from the one that took the part before it.
                    unsafe { self.scan_copy(obj, from) };
                } else {
                    break;
                }
                if self.team.should_share() {
                    if self.team.aborted() {
                        return;
                    }
                    self.share();
                }
            }
            match self.team.find_work() {
                Some(Copied(obj, 0)) => self.stack.push(obj),
                Some(Copied(obj, from)) => self.parts.push((obj, from)),
                None if self.team.wait_for_work() => {}
                None => return,
            }
        }
    }

    /// The next task of roots on dirty cards no thread has taken, if any.
    #[inline]
    fn take_cards(&mut self) -> Option<usize> {
        if self.cards_taken {
            return None;
        }
        let i = self.shared.next_card.fetch_add(1, Ordering::Relaxed);
        self.cards_taken = i >= self.shared.cards.len();
        (!self.cards_taken).then_some(i)
    }

    /// Asks for the headers of the nursery objects that the copies in `batch` point to.
    fn prefetch_targets(&self, batch: &[NonNull<u8>]) {
        let mut prefetcher = Prefetcher {
            nursery: self.shared.nursery,
            overflow: self.shared.overflow,
        };
        for &obj in batch {
            // SAFETY: copies only this thread reaches, with intact headers (read atomically:
            // another thread may be scanning part of a big slice); the prefetcher only reads
            // the slots. A big slice's elements are prefetched part by part, as scanned.
            unsafe {
                let info = header::read_shared(obj).type_info();
                if !(info.trace_elements.is_some() && slice_len_of(obj, info) > SLICE_STEP) {
                    scan(obj, info, &mut prefetcher);
                }
            }
        }
    }

    /// Gives half the work list, at most [`SHARE_BATCH`] copies, to the deque, so that idle
    /// threads can steal it; the rest of a big slice first.
    fn share(&mut self) {
        if let Some((obj, from)) = self.parts.pop() {
            self.team.share(Copied(obj, from));
        }
        // From the top: taking from the bottom of a long list would move all of it down.
        let n = (self.stack.len() / 2).min(SHARE_BATCH);
        for obj in self.stack.drain(self.stack.len() - n..) {
            self.team.share(Copied(obj, 0));
        }
        // A short work list gives little: the copies not on it yet make up the batch.
        let before = self.stack.len();
        self.pending.feed(&mut self.stack, SHARE_BATCH - n);
        for obj in self.stack.drain(before..) {
            self.team.share(Copied(obj, 0));
        }
    }

    /// Scans the copy at `obj` from element `from` on if it is a slice (all of it
    /// otherwise), at most [`SLICE_STEP`] elements of a slice, putting the rest back on the
    /// work list.
    ///
    /// # Safety
    /// - `obj` must be a copy made by this collection, of which no other thread reaches
    ///   elements `from..` (or any of it, when it is not a slice).
    unsafe fn scan_copy(&mut self, obj: NonNull<u8>, from: usize) {
        // Another thread may be scanning another part of a big slice, and reading its header
        // too; no thread writes the header of a copy.
        // SAFETY: the caller promises a copy, with an intact header.
        let info = unsafe { header::read_shared(obj) }.type_info();
        let promoted = !within(self.shared.to_bounds, obj.as_ptr().addr());
        // SAFETY: as above; a slice's length word is intact too.
        let len = unsafe { slice_len_of(obj, info) };
        let part = if info.trace_elements.is_some() && (from > 0 || len > SLICE_STEP) {
            let end = len.min(from + SLICE_STEP);
            if end < len {
                self.parts.push((obj, end));
            }
            Some((from, end))
        } else {
            None
        };
        // SAFETY: the caller's promise.
        unsafe { self.scan_object(obj, part, promoted, 0) }
    }

    /// Does the task of dirty cards `i`.
    fn scan_cards(&mut self, i: usize) {
        let edges = self.found.edges;
        match self.shared.cards[i] {
            CardWork::Old(ref ranges) => {
                let mut scanned_to = 0;
                for &(first, to) in ranges {
                    let mut at = first.as_ptr().addr().max(scanned_to);
                    while at < to {
                        // SAFETY: `at` is an object start in the chunk (the object covering
                        // the range's start, or the end of one scanned before), below the top
                        // the chunk had when the collection began.
                        let obj = unsafe { first.with_addr(NonZeroUsize::new_unchecked(at)) };
                        // SAFETY: an old object with an intact header, on the dirty cards of
                        // this task alone (objects never span chunks); no thread writes the
                        // header of an old object while threads copy.
                        at += unsafe { header::read(obj).object_size(obj) };
                        // SAFETY: as above.
                        unsafe { self.scan_object(obj, None, true, 0) };
                        scanned_to = at;
                    }
                }
            }
            // A large object's card table starts at the object.
            CardWork::Elements(obj, from, to) => {
                let base = obj.as_ptr().addr();
                // SAFETY: large objects have intact headers.
                let info = unsafe { header::read_shared(obj) }.type_info();
                let trace_elements = info
                    .trace_elements
                    .expect("a task of elements is of an array");
                let Shape::Slice { elem_size } = info.shape else {
                    unreachable!("a task of elements is of an array")
                };
                // A batch of elements at a time: their young targets are fetched into the
                // cache first, then the elements are scanned (as on one thread).
                let step = (PREFETCH_BATCH / elem_size).max(1);
                let mut prefetcher = Prefetcher {
                    nursery: self.shared.nursery,
                    overflow: self.shared.overflow,
                };
                for start in (from..to).step_by(step) {
                    let end = to.min(start + step);
                    // SAFETY: a large array, of whose elements only this task reaches
                    // `from..to`; the prefetcher only reads the slots.
                    unsafe {
                        trace_elements(
                            obj,
                            start,
                            end,
                            &mut Tracer {
                                visitor: &mut prefetcher,
                            },
                        );
                        self.scan_object(obj, Some((start, end)), true, base);
                    }
                }
            }
            // SAFETY: a large object that only this task reaches.
            CardWork::Large(obj) => unsafe {
                self.scan_object(obj, None, true, obj.as_ptr().addr())
            },
        }
        self.found.root_edges += self.found.edges - edges;
    }

    /// Scans the object at `obj`, or with `part`, only those elements of it (a slice with
    /// element tracing); the slots of an `old` (promoted or old) object that still point into
    /// the nursery are noted, to dirty their cards (of a table that starts at `card_base`, or
    /// is aligned to the card size) afterwards.
    ///
    /// # Safety
    /// - `obj` must be a copy made by this collection or an old or large object, with an
    ///   intact header and value, of which no other thread reaches what is scanned.
    unsafe fn scan_object(
        &mut self,
        obj: NonNull<u8>,
        part: Option<(usize, usize)>,
        old: bool,
        card_base: usize,
    ) {
        self.card_base = card_base;
        self.last_young_card = None;
        // SAFETY: the caller promises an intact header (which no thread writes while threads
        // copy: remembering an object is left for afterwards).
        let h = unsafe { header::read_shared(obj) };
        let info = h.type_info();
        let start = obj.as_ptr().addr();
        self.scanning = Some(obj);
        // SAFETY: as above.
        self.old_owner = old.then(|| (start, start + unsafe { h.object_size(obj) }));
        self.out_of_line_young = false;
        match (part, info.trace_elements) {
            (Some((from, end)), Some(trace_elements)) => {
                // SAFETY: a slice of the function's element type; `from..end` lies within
                // it, and the caller promises that only this thread reaches it.
                unsafe { trace_elements(obj, from, end, &mut Tracer { visitor: self }) };
            }
            // SAFETY: the caller's promise; nothing else refers to the value during the
            // collection.
            _ => unsafe { scan(obj, info, self) },
        }
        if self.out_of_line_young && self.found.out_of_line_young.last() != Some(&obj) {
            self.found.out_of_line_young.push(obj);
        }
        self.scanning = None;
        self.old_owner = None;
    }
}

/// The length of the object at `obj`, of type `info`, if it is a slice; 0 otherwise.
///
/// # Safety
/// - `obj` must be an object of type `info` with an intact length word.
#[inline]
unsafe fn slice_len_of(obj: NonNull<u8>, info: &TypeInfo) -> usize {
    match info.shape {
        // SAFETY: the caller's promise: a slice object, whose length follows the header.
        Shape::Slice { .. } => unsafe { slice_len(obj) },
        _ => 0,
    }
}

/// The old generation, locked.
fn lock_old<'t, 's>(shared: &'t Shared<'s>) -> std::sync::MutexGuard<'t, &'s mut OldSpace> {
    // A thread that panicked while holding the lock left the space as it was: a panic can
    // only come from a `trace` function, never under the lock.
    shared
        .old
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Gives back the free end of a block of the *to* space if nothing was taken after it, and
/// fills it with a dead object otherwise.
fn retire_to_space(cursor: &AtomicPtr<u8>, block: Block) {
    if block.free() == 0 {
        return;
    }
    // Release: the memory given back may hold a copy that lost, written by this thread, and
    // the thread that takes it next writes its own copies there.
    let given = cursor.compare_exchange(
        block.end.as_ptr(),
        block.cursor.as_ptr(),
        Ordering::Release,
        Ordering::Relaxed,
    );
    if given.is_err() {
        // SAFETY: the free end of a block only this thread reaches, a multiple of the word.
        unsafe { write_filler(block.cursor, block.free()) };
    }
}

/// Gives back the free end of a block of the old generation if nothing was taken after it,
/// and fills it with a dead object (with its start bit) otherwise.
fn retire_old(old: &mut OldSpace, block: Block, starts: StartBits) {
    if block.free() == 0 || old.give_back(block.cursor, block.end) {
        return;
    }
    // SAFETY: the free end of a block only this thread reaches, a multiple of the word, in
    // the chunk the start bits belong to.
    unsafe {
        write_filler(block.cursor, block.free());
        starts.set(block.cursor);
    }
}

impl EdgeVisitor for Copier<'_, '_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.found.edges += 1;
        let target = *slot;
        if in_from_space(
            self.shared.nursery,
            self.shared.overflow,
            target.as_ptr().addr(),
        ) {
            // SAFETY: a nursery pointer is the start of an object there, or its forwarded
            // copy; while threads copy, its header is reached atomically.
            let h = unsafe { header::read_shared(target) };
            *slot = if h.is_forwarded() {
                h.forwardee()
            } else {
                self.evacuate(target, h)
            };
        }
        if let Some((start, end)) = self.old_owner {
            if within(self.shared.to_bounds, slot.as_ptr().addr()) {
                let at = core::ptr::from_mut(slot).addr();
                let card = at.wrapping_sub(self.card_base) / CARD_SIZE;
                if !(start..end).contains(&at) {
                    self.out_of_line_young = true;
                } else if self.last_young_card != Some(card) {
                    self.last_young_card = Some(card);
                    self.found.young_slots.push(at);
                }
            }
        }
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let (Some(_), Some(owner)) = (*slot, self.scanning) {
            if self.found.weak_owners.last() != Some(&owner) {
                self.found.weak_owners.push(owner);
            }
        }
    }

    fn ephemeron_pass(&mut self) -> EphemeronPass {
        if let Some(owner) = self.scanning {
            if self.found.ephemeron_owners.last() != Some(&owner) {
                self.found.ephemeron_owners.push(owner);
            }
        }
        EphemeronPass::Defer
    }

    fn key_is_live(&self, key: NonNull<u8>) -> bool {
        if !in_from_space(
            self.shared.nursery,
            self.shared.overflow,
            key.as_ptr().addr(),
        ) {
            return true; // old objects live through a minor collection
        }
        // SAFETY: a nursery pointer is the start of an object there, with an intact header
        // or a forwarding one, reached atomically while threads copy.
        unsafe { header::read_shared(key) }.is_forwarded()
    }
}

impl Evacuator<'_> {
    /// Whether the copies still to be scanned should be handed to a team of threads.
    #[inline]
    pub(super) fn time_for_threads(&self) -> bool {
        self.threads.count > 1 && self.copied_bytes >= self.threads.after
    }

    /// Whether the roots on dirty cards, `dirty_bytes` of them, should be scanned by a team of
    /// threads.
    pub(super) fn cards_on_threads(&self, dirty_bytes: usize) -> bool {
        self.threads.count > 1 && (self.threads.after == 0 || dirty_bytes >= CARDS_ON_THREADS)
    }

    /// The roots on the dirty cards `old_cards` (chunk, top when the collection began, dirty
    /// ranges) and `large_cards` (large object, dirty ranges), as tasks for a team.
    pub(super) fn card_work(
        &self,
        old_cards: Vec<(usize, usize, DirtyRanges)>,
        large_cards: Vec<(usize, DirtyRanges)>,
    ) -> Vec<CardWork> {
        let mut work = Vec::new();
        for (chunk, top, ranges) in old_cards {
            let chunk = &self.old.chunks[chunk];
            let ranges: Vec<_> = (ranges.into_iter())
                .filter_map(|(from, to)| {
                    let to = to.min(top);
                    (from < to).then(|| {
                        let first = chunk
                            .object_at(from)
                            .expect("an object covers every address below a chunk's top");
                        (first, to)
                    })
                })
                .collect();
            if !ranges.is_empty() {
                work.push(CardWork::Old(ranges));
            }
        }
        for (i, ranges) in large_cards {
            let obj = self.large.objects[i].start;
            // SAFETY: large objects have intact headers.
            let info = unsafe { header::read(obj) }.type_info();
            let (Some(_), Shape::Slice { elem_size }) = (info.trace_elements, info.shape) else {
                work.push(CardWork::Large(obj));
                continue;
            };
            // The elements on the ranges (an element may straddle two), merged where they
            // overlap, then cut into tasks.
            // SAFETY: a slice object, whose length follows the header.
            let len = unsafe { slice_len(obj) };
            let first = obj.as_ptr().addr() + info.value_offset();
            let mut elements: Vec<(usize, usize)> = Vec::new();
            for (from, to) in ranges {
                let start = from.saturating_sub(first) / elem_size;
                let end = to.saturating_sub(first).div_ceil(elem_size).min(len);
                match elements.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ if start < end => elements.push((start, end)),
                    _ => {}
                }
            }
            for (start, end) in elements {
                for from in (start..end).step_by(CARD_TASK_ELEMENTS) {
                    work.push(CardWork::Elements(
                        obj,
                        from,
                        end.min(from + CARD_TASK_ELEMENTS),
                    ));
                }
            }
        }
        work
    }

    /// Scans the copies from `young_scan` and `old_scan` on, the roots of `cards`, and
    /// everything they reach, on a team of threads; then puts together what the threads
    /// found.
    pub(super) fn drain_together(
        &mut self,
        young_scan: NonNull<u8>,
        old_scan: OldCursor,
        cards: Vec<CardWork>,
    ) {
        // The *to* space holds back-to-back copies below its cursor, and the old generation
        // below each chunk's top.
        let mut ranges = vec![(young_scan, self.to_space.cursor)];
        ranges.extend(self.old.ranges_from(&old_scan));
        let mut pending = Pending::new(ranges);
        if pending.is_empty() && cards.is_empty() {
            return;
        }
        self.on_threads = true;
        let shared = Shared {
            nursery: self.nursery,
            overflow: self.overflow,
            to_bounds: self.to_bounds,
            to_cursor: AtomicPtr::new(self.to_space.cursor.as_ptr()),
            to_limit: self.to_space.limit,
            old: Mutex::new(&mut *self.old),
            tenuring_threshold: self.tenuring_threshold,
            promote_all: self.promote_all,
            cards,
            next_card: AtomicUsize::new(0),
        };
        let own = |team: Team<'_, Copied>| {
            // Some of the copies, where the workers can steal them at once.
            let mut first = Vec::with_capacity(SHARE_BATCH);
            pending.feed(&mut first, SHARE_BATCH);
            for obj in first {
                team.share(Copied(obj, 0));
            }
            let mut copier = Copier::new(&shared, team);
            copier.pending = pending;
            copier.drain();
            copier.found
        };
        let worker = |team: Team<'_, Copied>| {
            let mut copier = Copier::new(&shared, team);
            copier.drain();
            copier.found
        };
        let (mine, theirs) = together(self.threads.count, own, worker);
        // Ends the lock's borrow of the old generation.
        let Shared { to_cursor, .. } = shared;
        for found in core::iter::once(mine).chain(theirs) {
            self.take_found(found, &to_cursor);
        }
        // SAFETY: the cursor lies in the *to* space, never at null.
        self.to_space.cursor = unsafe { NonNull::new_unchecked(to_cursor.into_inner()) };
    }

    /// Puts together what one thread found.
    fn take_found(&mut self, found: Found, to_cursor: &AtomicPtr<u8>) {
        if let Some(block) = found.young_block {
            retire_to_space(to_cursor, block);
        }
        if let Some((block, starts)) = found.old_block {
            retire_old(self.old, block, starts);
        }
        for slot in found.young_slots {
            dirty_card(self.old, self.large, slot);
        }
        for obj in found.out_of_line_young {
            // SAFETY: an old object or a promoted copy, with an intact header, that no other
            // thread reaches any more.
            unsafe { list_once(obj, &mut self.remembered) };
        }
        self.weak_owners.extend(found.weak_owners);
        self.ephemerons.owners.extend(found.ephemeron_owners);
        self.promoted_out_of_line_cells |= found.promoted_out_of_line_cells;
        self.copied_bytes += found.copied_bytes;
        self.promoted_bytes += found.promoted_bytes;
        self.edges += found.edges;
        self.card_edges += found.root_edges;
    }
}
