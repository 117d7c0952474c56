//! The major collection: mark-compact over the whole heap.
//!
//! # Phases
//! 1. **Evacuate the nursery.** A minor collection that promotes every survivor, so the
//!    nursery is empty, and the remembered set and every card table are clean.
//! 2. **Mark** (`collect/mark.rs`). From the roots, setting MARKED in headers.
//! 3. **Plan.** Walk the old generation in address order. Each marked object gets the next
//!    free place in the compacted order (objects slide towards the first chunk, never past a
//!    chunk's end). An object whose place is where it is already (every live object before
//!    the first dead one, say) stays as it is, marked; any other has its header saved aside,
//!    in order, and replaced by its forwarding address, and its chunk counts as one whose
//!    objects move. Each unmarked object is dead: its drop glue runs now, while it is intact.
//! 4. **Update.** Rewrite every pointer (roots, step-loop state, fields of live old and large
//!    objects) to its target's forwarding address. A pointer into a chunk whose objects stay
//!    (or to a large object) needs no change, and its target is not even read: in a heap
//!    that is mostly live, the update is a walk of the objects in address order rather than
//!    a visit to every target. Weak pointers to dead objects are cleared.
//! 5. **Move.** Walk the old generation again and slide each forwarded object to its place,
//!    restoring its header, and unmark the objects that stay. Sliding preserves allocation
//!    order, so a later object's source is never overwritten before it moves. Chunks left
//!    empty are freed.
//! 6. **Sweep** the large-object space: unmarked objects are finalized and freed.
//!
//! A pinned object ([`Pinned`](crate::Pinned)) stays where it is in phase 3: the objects
//! before it slide up to it, and a dead filler object takes the gap between them. So does an
//! object that would slide only over a little dead space, while the collection's budget of
//! such dead wood lasts (a thirty-second of the old generation, once that holds 4 MiB).

use core::ptr::NonNull;
use std::collections::HashSet;

use crate::collect::finalize::{finalize_one, FirstPanic, Payload};
use crate::collect::parallel::{self, Handed};
use crate::collect::tracer::{scan, RunStateRoots};
use crate::collect::Parts;
use crate::collect::{mark, minor};
use crate::header::{self, Header, MARKED};
use crate::space::old::{OldSpace, CHUNK_SIZE};
use crate::space::walk_region;
use crate::trace::EdgeVisitor;
use crate::word_hash::WordHash;

/// Which old chunks have objects that move, by chunk number (an address divided by the
/// chunk size: chunks are aligned to their size): what the updater asks of every pointer.
struct MoveTable {
    /// The lowest chunk number of the old generation.
    base: usize,
    /// Per chunk number from `base` on: whether the chunk's objects move. Empty if the
    /// chunks are spread too far apart for such a table, with `sparse` used instead.
    dense: Vec<bool>,
    /// The chunk numbers of the chunks whose objects move, where `dense` is empty.
    sparse: HashSet<usize, WordHash>,
}

/// The most entries of a [`MoveTable`]'s dense table per chunk.
const DENSE_PER_CHUNK: usize = 64;

impl MoveTable {
    fn new(old: &OldSpace, moves: &[bool]) -> MoveTable {
        let numbers = || {
            old.chunks[..moves.len()]
                .iter()
                .map(|c| c.memory.start().as_ptr().addr() / CHUNK_SIZE)
        };
        let base = numbers().min().unwrap_or(0);
        let span = numbers().max().map_or(0, |top| top - base + 1);
        let mut table = MoveTable {
            base,
            dense: Vec::new(),
            sparse: HashSet::default(),
        };
        let moving = numbers().zip(moves).filter(|(_, &moves)| moves);
        if span <= DENSE_PER_CHUNK * moves.len() + 1024 {
            table.dense = vec![false; span];
            for (number, _) in moving {
                table.dense[number - base] = true;
            }
        } else {
            table.sparse = moving.map(|(number, _)| number).collect();
        }
        table
    }

    /// Whether `addr` is in an old chunk whose objects move.
    #[inline(always)]
    fn moves(&self, addr: usize) -> bool {
        let number = addr / CHUNK_SIZE;
        match self.dense.get(number.wrapping_sub(self.base)) {
            Some(&moves) => moves,
            None => !self.sparse.is_empty() && self.sparse.contains(&number),
        }
    }
}

/// Rewrites pointers to forwarding addresses.
struct Updater<'a> {
    table: &'a MoveTable,
    /// The first panic out of the drop glue of a weak map's value (whose key died).
    panics: &'a mut FirstPanic,
}

impl EdgeVisitor for Updater<'_> {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        // A large object does not move, nor does any object of a chunk whose objects stay.
        if !self.table.moves(slot.as_ptr().addr()) {
            return;
        }
        // SAFETY: every strong pointer is to a live object: an old one, whose header holds
        // its forwarding address if it moves.
        let h = unsafe { header::read(*slot) };
        if h.is_forwarded() {
            *slot = h.forwardee();
        }
    }

    fn caught(&mut self, payload: Payload) {
        self.panics.keep(payload)
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let Some(target) = *slot {
            // SAFETY: a weak pointer is to an old or large object, live or dead but intact
            // until the move phase.
            let h = unsafe { header::read(target) };
            *slot = if h.is_forwarded() {
                Some(h.forwardee())
            } else if h.has(MARKED) {
                Some(target)
            } else {
                None
            };
        }
    }
}

/// The live objects of the old generation, planned: their saved headers in address order.
struct Plan {
    /// The headers of the objects that move, in address order.
    saved: Vec<Header>,
    /// Per chunk: the index in `saved` of its first object that moves.
    saved_starts: Vec<usize>,
    /// The gaps left before pinned objects, which the move phase fills with dead objects so
    /// that every chunk stays a run of objects: chunk, start, bytes.
    fillers: Vec<(usize, NonNull<u8>, usize)>,
    /// Per chunk: whether some object in it moves.
    moves: Vec<bool>,
    /// The new end of the objects of each chunk that keeps any.
    tops: Vec<NonNull<u8>>,
    live_bytes: usize,
    has_out_of_line_cells: bool,
}

/// The share of the old generation that a major collection may leave dead (as fillers)
/// rather than slide live objects over it: a thirty-second. HotSpot's Serial collector
/// allows 5% (`MarkSweepDeadRatio`). Small gaps in a mostly live heap (a copying thread's
/// last block of a minor collection, a few dead objects) then no longer make every object
/// after them move, with a saved header each.
const DEAD_WOOD_SHARE: usize = 32;

/// From what size of the old generation a major collection leaves dead wood: below it, a
/// major collection compacts fully.
pub(crate) const DEAD_WOOD_FROM: usize = 4 << 20;

/// Phase 3: forwarding addresses for the marked objects that move, drop glue for the others.
/// `pinned` lists the old objects that must stay where they are, by chunk and address;
/// `dead_wood` is how many bytes of dead space may stay in place (see [`DEAD_WOOD_SHARE`]).
fn plan(
    old: &mut OldSpace,
    pinned: &[(usize, usize)],
    mut dead_wood: usize,
    panics: &mut FirstPanic,
    finalized: &mut u64,
) -> Plan {
    let mut pinned = pinned.iter().copied().peekable();
    let mut plan = Plan {
        saved: Vec::new(),
        saved_starts: Vec::with_capacity(old.chunk_count()),
        fillers: Vec::new(),
        moves: vec![false; old.chunk_count()],
        tops: Vec::new(),
        live_bytes: 0,
        has_out_of_line_cells: false,
    };
    let Some(first) = old.chunks.first() else {
        return plan;
    };
    let mut dest_chunk = 0;
    let mut dest = first.memory.start();
    let chunks = &old.chunks;
    for (ci, (chunk, moves)) in chunks[..old.chunk_count()]
        .iter()
        .zip(&mut plan.moves)
        .enumerate()
    {
        plan.saved_starts.push(plan.saved.len());
        walk_region(chunk.memory.start(), chunk.top, |obj| {
            // SAFETY: before the move phase, every object has an intact header (live ones
            // are forwarded only once they are passed).
            let h = unsafe { header::read(obj) };
            let info = h.type_info();
            // SAFETY: as above; slice lengths are intact too.
            let size = unsafe { h.object_size(obj) };
            if h.has(MARKED) && pinned.peek() == Some(&(ci, obj.as_ptr().addr())) {
                // A pinned object stays where it is; the objects before it go before it, and
                // a dead object fills the gap left. The free space of earlier chunks is left
                // as it is: the objects after it slide only up to it.
                pinned.next();
                while dest_chunk < ci {
                    plan.tops.push(dest);
                    dest_chunk += 1;
                    dest = chunks[dest_chunk].memory.start();
                }
                let gap = obj.as_ptr().addr() - dest.as_ptr().addr();
                if gap > 0 {
                    plan.fillers.push((ci, dest, gap));
                    plan.live_bytes += gap;
                }
                plan.has_out_of_line_cells |= info.has_out_of_line_cells;
                // SAFETY: the object lies in its chunk.
                dest = unsafe { obj.add(size) };
                plan.live_bytes += size;
            } else if h.has(MARKED) {
                // Dead wood: an object that would slide only over a little dead space stays
                // where it is, and a filler takes the space, while the budget lasts. The
                // space may be the end of the previous chunk and the start of this one.
                let addr = obj.as_ptr().addr();
                let left = if dest_chunk == ci {
                    addr - dest.as_ptr().addr()
                } else if dest_chunk + 1 == ci {
                    let previous_end = chunks[dest_chunk].memory.end().as_ptr().addr();
                    previous_end - dest.as_ptr().addr() + addr
                        - chunk.memory.start().as_ptr().addr()
                } else {
                    usize::MAX
                };
                if left > 0 && left <= dead_wood {
                    dead_wood -= left;
                    if dest_chunk < ci {
                        plan.tops.push(dest);
                        dest_chunk = ci;
                        dest = chunk.memory.start();
                    }
                    let gap = addr - dest.as_ptr().addr();
                    if gap > 0 {
                        plan.fillers.push((ci, dest, gap));
                        plan.live_bytes += gap;
                    }
                    dest = obj;
                }
                // A hashed object that moves grows by the word that keeps its hash.
                let moved_size = size + h.copy_growth();
                if dest_chunk < ci
                    && dest.as_ptr().addr() + moved_size
                        > chunks[dest_chunk].memory.end().as_ptr().addr()
                {
                    plan.tops.push(dest);
                    dest_chunk += 1;
                    dest = chunks[dest_chunk].memory.start();
                }
                plan.has_out_of_line_cells |= info.has_out_of_line_cells;
                // In its own chunk, an object's place is at or before it: sliding never
                // overtakes a source. One that moves by a word or more may grow by one
                // (its copy then ends at or before its old end), and one that does not move
                // keeps its size.
                let size = if dest != obj {
                    plan.saved.push(h.for_copy());
                    *moves = true;
                    // SAFETY: as above; the object keeps its memory until the move phase.
                    unsafe { header::write(obj, Header::forwarding(dest)) };
                    moved_size
                } else {
                    size
                };
                // SAFETY: the object fits before the end of the destination chunk.
                dest = unsafe { dest.add(size) };
                plan.live_bytes += size;
            } else {
                // SAFETY: an unmarked object is dead, intact until the move phase, and
                // reached by nothing; the walk passes it once.
                *finalized += u64::from(unsafe { finalize_one(obj, panics) });
            }
            Some(size)
        });
    }
    plan.tops.push(dest);
    plan
}

/// Phase 4 for one chunk: scans its live objects with the updater.
///
/// # Safety
/// - `start..top` must be the objects of chunk `ci` of the planned old generation, before
///   the move phase, and no other thread may reach them meanwhile.
unsafe fn update_chunk(
    (start, top): (NonNull<u8>, NonNull<u8>),
    saved: &[Header],
    updater: &mut Updater<'_>,
) {
    let mut moved = saved.iter();
    walk_region(start, top, |obj| {
        // SAFETY: before the move phase, dead objects and live ones that stay have intact
        // headers, and live ones that move forwarding headers, with their types saved in
        // order (from the chunk's first on).
        let h = unsafe { header::read(obj) };
        let (h, live) = if h.is_forwarded() {
            let saved = moved.next().expect("a saved header per moving object");
            (*saved, true)
        } else {
            (h, h.has(MARKED))
        };
        if live {
            // SAFETY: the object is live and its value intact; the caller promises that no
            // other thread reaches it.
            unsafe { scan(obj, h.type_info(), updater) };
        }
        // SAFETY: as above.
        Some(unsafe { h.object_size(obj) })
    });
}

/// Phase 4 for the old and large objects: scans every live one with an updater, on
/// `threads` threads, chunk by chunk and large object by large object. Returns the first
/// panic out of drop glue (of a weak map's value: only with one thread, see `collect`).
fn update_objects(
    old: &OldSpace,
    large: &[NonNull<u8>],
    plan: &Plan,
    table: &MoveTable,
    threads: usize,
) -> FirstPanic {
    // SAFETY: the threads of `split` are joined before it returns and this thread takes
    // part; each item is a chunk or a large object, whose objects' slots only that item
    // rewrites, and the saved headers and chunk bounds are only read.
    let (chunks, saved, large) = unsafe {
        (
            Handed::new(old.occupied()),
            Handed::new(&plan.saved[..]),
            Handed::new(large),
        )
    };
    let saved_starts = &plan.saved_starts;
    let items = chunks.get().len() + large.get().len();
    let states = parallel::split(threads, items, FirstPanic::default, |panics, i| {
        let mut updater = Updater { table, panics };
        if let Some(&range) = chunks.get().get(i) {
            // SAFETY: the chunk's objects are planned and not yet moved; each item is taken
            // by one thread, and no other item reaches the chunk's objects (every item
            // rewrites only the slots of its own objects and reads only targets' headers,
            // which nothing writes in this phase).
            unsafe { update_chunk(range, &saved.get()[saved_starts[i]..], &mut updater) };
        } else {
            let obj = large.get()[i - chunks.get().len()];
            // SAFETY: a live large object, with an intact header and value, taken by one
            // thread only, as above.
            unsafe { scan(obj, header::read(obj).type_info(), &mut updater) };
        }
    });
    let mut first = FirstPanic::default();
    for panics in states {
        first.absorb(panics);
    }
    first
}

/// Phase 5: slide the live objects to their places.
fn move_old(old: &mut OldSpace, plan: Plan) {
    old.clear_starts();
    let mut live = plan.saved.iter();
    let mut dest_chunk = 0;
    for ci in 0..old.chunk_count() {
        let (mut obj, top) = (old.chunks[ci].memory.start(), old.chunks[ci].top);
        while obj < top {
            // SAFETY: objects ahead of the ones moved so far are untouched (sliding never
            // writes past the source of the object being moved).
            let h = unsafe { header::read(obj) };
            let size = if h.is_forwarded() {
                let saved = *live.next().expect("a saved header per moving object");
                // SAFETY: as above; the length word of a slice is intact.
                let size = unsafe { saved.object_size(obj) };
                let dest = h.forwardee();
                while !old.chunks[dest_chunk].memory.contains(dest.as_ptr().addr()) {
                    dest_chunk += 1;
                }
                // SAFETY: `dest` lies at or before `obj` in the compacted order and the
                // regions may overlap, hence `copy`; the plan left room for the word of a
                // hash the move stores, which ends at or before the object's old end.
                unsafe {
                    core::ptr::copy(obj.as_ptr(), dest.as_ptr(), size);
                    header::finish_copy(dest, saved, obj, size);
                }
                old.chunks[dest_chunk].set_start(dest);
                size
            } else {
                if h.has(MARKED) {
                    // A live object that stays: unmarked in place.
                    // SAFETY: its header is intact; only the state bits change.
                    unsafe { header::write(obj, h.without(MARKED)) };
                    old.chunks[ci].set_start(obj);
                }
                // SAFETY: the header and length of a dead object, or one that stays, are
                // intact.
                unsafe { h.object_size(obj) }
            };
            // SAFETY: objects lie back to back below `top`.
            obj = unsafe { obj.add(size) };
        }
    }
    // Every object has moved: the gaps before pinned objects are free to fill.
    for &(chunk, at, size) in &plan.fillers {
        // SAFETY: the gap lies in the chunk, below its new top, and holds no live object.
        unsafe { crate::space::old::write_filler(at, size) };
        old.chunks[chunk].set_start(at);
    }
    old.finish_compaction(plan.tops, plan.live_bytes);
}

/// Runs a major collection. Returns the first panic out of drop glue, if any, and the bytes
/// of old and large objects left live. Dead wood is left once the old generation holds
/// `dead_wood_from` bytes ([`DEAD_WOOD_FROM`] but in tests).
pub(crate) fn collect(
    parts: &mut Parts<'_>,
    extra: &mut RunStateRoots<'_>,
    threads: usize,
    minor_threads: minor::Threads,
    dead_wood_from: usize,
) -> (FirstPanic, usize) {
    let on_threads_before = parts.stats.collections_on_threads;
    let mut panics = minor::collect(parts, extra, 1, true, minor_threads);
    // Marking uses the threads: one collection on threads, whether or not its minor part was.
    if threads > 1 && parts.stats.collections_on_threads == on_threads_before {
        parts.stats.collections_on_threads += 1;
    }
    debug_assert!(
        parts.remembered.is_empty(),
        "remembered set not empty after evacuating the nursery"
    );
    debug_assert!(
        !parts.spaces.old.get_mut().any_card_dirty()
            && !parts.spaces.large.get_mut().any_card_dirty(),
        "a dirty card after evacuating the nursery"
    );
    let (spaces, roots) = (&mut *parts.spaces, parts.roots);

    // Phase 2: mark.
    let weak_maps = mark::mark(roots, extra, threads);

    // Phase 3: plan.
    let mut finalized = 0;
    let old = spaces.old.get_mut();
    let old_before = old.used();
    let mut pinned: Vec<_> = roots
        .pinned_objects()
        .into_iter()
        .filter_map(|obj| {
            let addr = obj.as_ptr().addr();
            Some((old.chunk_index(addr)?, addr))
        })
        .collect();
    pinned.sort_unstable();
    pinned.dedup();
    let dead_wood = if old_before >= dead_wood_from {
        old_before / DEAD_WOOD_SHARE
    } else {
        0
    };
    let plan = plan(old, &pinned, dead_wood, &mut panics, &mut finalized);
    let old_after = plan.live_bytes;

    // Phase 4: update. The threads scan old and large objects; the roots are this thread's.
    // A weak map whose key died drops the entry's value, user code that may not be `Send`:
    // with weak maps about, this thread updates everything.
    let table = MoveTable::new(old, &plan.moves);
    let mut updater = Updater {
        table: &table,
        panics: &mut panics,
    };
    roots.for_each_slot(|slot| updater.edge(slot));
    extra.trace(&mut updater);
    let large: Vec<NonNull<u8>> = spaces
        .large
        .get_mut()
        .objects
        .iter()
        .map(|object| object.start)
        // SAFETY: large objects never move and have intact headers.
        .filter(|&obj| unsafe { header::read(obj) }.has(MARKED))
        .collect();
    let threads = if weak_maps { 1 } else { threads };
    panics.absorb(update_objects(old, &large, &plan, &table, threads));

    // Phase 5: move.
    parts
        .remembered
        .old_may_own_out_of_line_cells
        .set(plan.has_out_of_line_cells);
    move_old(old, plan);

    // Phase 6: sweep the large objects.
    let mut large_has_out_of_line_cells = false;
    let large_freed = spaces.large.get_mut().sweep(|object| {
        // SAFETY: every large object has an intact header.
        let h = unsafe { header::read(object.start) };
        if h.has(MARKED) {
            // SAFETY: as above; only the state bits change.
            unsafe { header::write(object.start, h.without(MARKED)) };
            large_has_out_of_line_cells |= h.type_info().has_out_of_line_cells;
            true
        } else {
            // SAFETY: an unmarked large object is dead, intact, and reached by nothing; the
            // sweep passes it once, and frees it after.
            finalized += u64::from(unsafe { finalize_one(object.start, &mut panics) });
            false
        }
    });
    parts
        .remembered
        .large_may_own_out_of_line_cells
        .set(large_has_out_of_line_cells);
    // Chunks and large objects were freed: the barrier's cached card table may be gone.
    spaces.forget_card_windows();
    let live = old_after + spaces.large.get_mut().used();
    parts.stats.bytes_freed += (old_before - old_after + large_freed) as u64;
    parts.stats.objects_finalized += finalized;
    (panics, live)
}

#[cfg(test)]
mod tests;
