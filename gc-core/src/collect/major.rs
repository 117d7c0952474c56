//! The major collection: mark-compact over the whole heap.
//!
//! # Phases
//! 1. **Evacuate the nursery.** A minor collection that promotes every survivor, so the
//!    nursery is empty and the remembered set too.
//! 2. **Mark.** From the roots, with an explicit work list (no recursion: a list of ten
//!    million nodes needs no deeper stack than one of ten), setting MARKED in headers.
//! 3. **Plan.** Walk the old generation in address order. Each marked object gets the next
//!    free place in the compacted order (objects slide towards the first chunk, never past a
//!    chunk's end); its header is saved aside, in order, and replaced by its forwarding
//!    address. Each unmarked object is dead: its drop glue runs now, while it is intact.
//! 4. **Update.** Rewrite every pointer (roots, step-loop state, fields of live old and large
//!    objects) to its target's forwarding address. Weak pointers to dead objects are cleared.
//! 5. **Move.** Walk the old generation again and slide each live object to its place,
//!    restoring its header. Sliding preserves allocation order, so a later object's source is
//!    never overwritten before it moves. Chunks left empty are freed.
//! 6. **Sweep** the large-object space: unmarked objects are finalized and freed.

use core::ptr::NonNull;

use crate::collect::finalize::{finalize_one, FirstPanic};
use crate::collect::minor;
use crate::collect::tracer::{scan, RunStateRoots};
use crate::collect::Parts;
use crate::header::{self, Header, MARKED};
use crate::space::old::OldSpace;
use crate::trace::EdgeVisitor;

/// Marks reachable objects.
struct Marker {
    stack: Vec<NonNull<u8>>,
}

impl EdgeVisitor for Marker {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        let obj = *slot;
        // SAFETY: after the nursery is evacuated every pointer is to an old or large object
        // with an intact header.
        let h = unsafe { header::read(obj) };
        if !h.has(MARKED) {
            // SAFETY: as above; only the state bits change.
            unsafe { header::write(obj, h.with(MARKED)) };
            self.stack.push(obj);
        }
    }

    fn weak_edge(&mut self, _: &mut Option<NonNull<u8>>) {}
}

/// Rewrites pointers to forwarding addresses.
struct Updater;

impl EdgeVisitor for Updater {
    #[inline]
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        // SAFETY: every strong pointer is to a live object: an old one, whose header now
        // holds its forwarding address, or a large one, which does not move.
        let h = unsafe { header::read(*slot) };
        if h.is_forwarded() {
            *slot = h.forwardee();
        }
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
    saved: Vec<Header>,
    /// The new end of the objects of each chunk that keeps any.
    tops: Vec<NonNull<u8>>,
    live_bytes: usize,
    has_out_of_line_cells: bool,
}

/// Phase 3: forwarding addresses for the marked objects, drop glue for the others.
fn plan(old: &mut OldSpace, panics: &mut FirstPanic, finalized: &mut u64) -> Plan {
    let mut plan = Plan {
        saved: Vec::new(),
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
    old.walk(|obj| {
        // SAFETY: before the move phase, every object has an intact header (live ones are
        // forwarded only once they are passed).
        let h = unsafe { header::read(obj) };
        let info = h.type_info();
        // SAFETY: as above; slice lengths are intact too.
        let size = unsafe { info.object_size(obj) };
        if h.has(MARKED) {
            if dest.as_ptr().addr() + size > chunks[dest_chunk].memory.end().as_ptr().addr() {
                plan.tops.push(dest);
                dest_chunk += 1;
                dest = chunks[dest_chunk].memory.start();
            }
            plan.saved.push(h.bare());
            plan.has_out_of_line_cells |= info.has_out_of_line_cells;
            // SAFETY: as above; the object keeps its memory until the move phase.
            unsafe { header::write(obj, Header::forwarding(dest)) };
            // SAFETY: the object fits before the end of the destination chunk.
            dest = unsafe { dest.add(size) };
            plan.live_bytes += size;
        } else {
            // SAFETY: an unmarked object is dead, intact until the move phase, and reached by
            // nothing; the walk passes it once.
            *finalized += u64::from(unsafe { finalize_one(obj, panics) });
        }
        size
    });
    plan.tops.push(dest);
    plan
}

/// Phase 4: scan every live old object with the updater.
fn update_old(old: &OldSpace, saved: &[Header]) {
    let mut live = saved.iter();
    old.walk(|obj| {
        // SAFETY: before the move phase, dead objects have intact headers and live ones
        // forwarding headers, with their types saved in order.
        let h = unsafe { header::read(obj) };
        let info = if h.is_forwarded() {
            live.next()
                .expect("a saved header per live object")
                .type_info()
        } else {
            h.type_info()
        };
        if h.is_forwarded() {
            // SAFETY: the object is live and its value intact.
            unsafe { scan(obj, info, &mut Updater) };
        }
        // SAFETY: as above.
        unsafe { info.object_size(obj) }
    });
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
                let saved = *live.next().expect("a saved header per live object");
                // SAFETY: as above; the length word of a slice is intact.
                let size = unsafe { saved.type_info().object_size(obj) };
                let dest = h.forwardee();
                while !old.chunks[dest_chunk].memory.contains(dest.as_ptr().addr()) {
                    dest_chunk += 1;
                }
                // SAFETY: `dest` lies at or before `obj` in the compacted order and the
                // regions may overlap, hence `copy`.
                unsafe {
                    core::ptr::copy(obj.as_ptr(), dest.as_ptr(), size);
                    header::write(dest, saved);
                }
                old.chunks[dest_chunk].set_start(dest);
                size
            } else {
                // SAFETY: a dead object's header and length are intact.
                unsafe { h.type_info().object_size(obj) }
            };
            // SAFETY: objects lie back to back below `top`.
            obj = unsafe { obj.add(size) };
        }
    }
    old.finish_compaction(plan.tops, plan.live_bytes);
}

/// Runs a major collection. Returns the first panic out of drop glue, if any, and the bytes
/// of old and large objects left live.
pub(crate) fn collect(parts: &mut Parts<'_>, extra: &mut RunStateRoots<'_>) -> (FirstPanic, usize) {
    let mut panics = minor::collect(parts, extra, 1, true);
    debug_assert!(
        parts.remembered.is_empty(),
        "remembered set not empty after evacuating the nursery"
    );
    let (spaces, roots) = (&mut *parts.spaces, parts.roots);

    // Phase 2: mark.
    let mut marker = Marker { stack: Vec::new() };
    roots.for_each_slot(|slot| marker.edge(slot));
    extra.trace(&mut marker);
    while let Some(obj) = marker.stack.pop() {
        // SAFETY: marked objects are live, with intact values and MARKED headers.
        unsafe { scan(obj, header::read(obj).type_info(), &mut marker) };
    }

    // Phase 3: plan.
    let mut finalized = 0;
    let old = spaces.old.get_mut();
    let old_before = old.used();
    let plan = plan(old, &mut panics, &mut finalized);
    let old_after = plan.live_bytes;

    // Phase 4: update.
    roots.for_each_slot(|slot| Updater.edge(slot));
    extra.trace(&mut Updater);
    update_old(old, &plan.saved);
    for object in &spaces.large.get_mut().objects {
        // SAFETY: large objects never move; a marked one is live with an intact value.
        let h = unsafe { header::read(object.start) };
        if h.has(MARKED) {
            // SAFETY: as above.
            unsafe { scan(object.start, h.type_info(), &mut Updater) };
        }
    }

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
    let live = old_after + spaces.large.get_mut().used();
    parts.stats.bytes_freed += (old_before - old_after + large_freed) as u64;
    parts.stats.objects_finalized += finalized;
    (panics, live)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

    use crate::collect::minor::tests::{
        node_at, watch_at, weak, Counted, Node, TestHeap, Watch, NODE, WATCH,
    };
    use crate::gc::Gc;

    impl TestHeap {
        /// Runs a major collection as the driver does, and checks the heap after it. Returns
        /// the bytes left live.
        fn major(&mut self) -> usize {
            let (panics, live) = collect(&mut self.parts(), &mut RunStateRoots(None));
            panics.resume();
            self.after_collection(&mut RunStateRoots(None));
            live
        }

        fn old_start(&self) -> NonNull<u8> {
            self.spaces.old.borrow().chunks[0].memory.start()
        }
    }

    fn offset(from: NonNull<u8>, to: NonNull<u8>) -> usize {
        to.as_ptr().addr() - from.as_ptr().addr()
    }

    fn is_marked(obj: NonNull<u8>) -> bool {
        // SAFETY: the tests pass live objects, whose headers are intact.
        unsafe { header::read(obj) }.has(MARKED)
    }

    #[test]
    fn major_frees_the_unreachable_and_slides_the_survivors() {
        let mut heap = TestHeap::new();
        let x = heap.node(10, None);
        let y = heap.node(20, None);
        let z = heap.node(30, Some(y));
        let (x_slot, z_slot) = (heap.roots.add(x), heap.roots.add(z));
        heap.minor(1);
        // Promoted in the order they were reached: x, z, then y through z.
        let start = heap.old_start();
        assert_eq!(heap.roots.get(x_slot), start);
        assert_eq!(offset(start, heap.roots.get(z_slot)), NODE);
        assert_eq!(heap.spaces.old.borrow().used(), 3 * NODE);

        heap.roots.remove(x_slot);
        let freed_before = heap.stats.bytes_freed;
        let live = heap.major();

        assert_eq!(live, 2 * NODE);
        assert_eq!(heap.spaces.old.borrow().used(), 2 * NODE);
        assert_eq!(heap.stats.bytes_freed - freed_before, NODE as u64);
        let z2 = heap.roots.get(z_slot);
        assert_eq!(z2, start, "slid into the dead object's place");
        let (value, next) = node_at(z2);
        let y2 = next.expect("the link survives");
        assert_eq!(value, 30);
        assert_eq!(offset(start, y2), NODE);
        assert_eq!(node_at(y2), (20, None));
        assert!(!is_marked(z2) && !is_marked(y2), "marks are cleared");
        let past = start.as_ptr().addr() + 2 * NODE;
        assert_eq!(
            heap.spaces.old.borrow().object_at(past),
            None,
            "past the new top"
        );
    }

    #[test]
    fn major_evacuates_the_nursery_first() {
        let mut heap = TestHeap::new();
        let a = heap.node(1, None);
        heap.node(2, Some(a));
        let b = heap.node(3, Some(a));
        let slot = heap.roots.add(b);
        let live = heap.major();
        assert_eq!(live, 2 * NODE);
        let b2 = heap.roots.get(slot);
        assert!(heap.is_old(b2));
        assert!(heap.is_old(node_at(b2).1.expect("a link")));
        assert_eq!(heap.young_bytes(), 0);
        assert_eq!(heap.stats.bytes_promoted, 2 * NODE as u64);
        assert!(heap.remembered.is_empty());
    }

    #[test]
    fn major_sweeps_large_objects_and_updates_their_fields() {
        let mut heap = TestHeap::new();
        let garbage = heap.node(0, None);
        let target = heap.node(1, None);
        let (garbage_slot, target_slot) = (heap.roots.add(garbage), heap.roots.add(target));
        heap.minor(1);
        heap.roots.remove(garbage_slot);
        let target = heap.roots.get(target_slot);
        heap.roots.remove(target_slot);
        let holder = heap.alloc_large(Node {
            value: 5,
            next: Some(Gc::from_obj(target)),
        });
        let holder_slot = heap.roots.add(holder);
        heap.alloc_large([7u64; 40]);
        let large_before = heap.spaces.large.borrow().used();
        assert_eq!(large_before, NODE + 8 + 320);

        let live = heap.major();
        assert_eq!(
            heap.roots.get(holder_slot),
            holder,
            "large objects do not move"
        );
        assert_eq!(heap.spaces.large.borrow().used(), NODE);
        assert_eq!(heap.spaces.large.borrow().objects.len(), 1);
        assert_eq!(live, 2 * NODE);
        assert!(!is_marked(holder));
        let (value, next) = node_at(holder);
        assert_eq!(value, 5);
        assert_eq!(
            next,
            Some(heap.old_start()),
            "the target slid, and the link followed"
        );
        assert_eq!(node_at(heap.old_start()), (1, None));
    }

    #[test]
    fn major_runs_drop_glue_of_dead_old_and_large_objects() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let mut heap = TestHeap::new();
        let dead = heap.alloc(Counted(&DROPS));
        let kept = heap.alloc(Counted(&DROPS));
        let (dead_slot, kept_slot) = (heap.roots.add(dead), heap.roots.add(kept));
        heap.minor(1);
        assert!(heap.young_finalizable.is_empty());
        heap.roots.remove(dead_slot);
        heap.alloc_large(Counted(&DROPS));
        heap.major();
        assert_eq!(DROPS.load(Ordering::Relaxed), 2);
        assert_eq!(heap.stats.objects_finalized, 2);
        assert_eq!(heap.roots.get(kept_slot), heap.old_start());
        assert!(heap.spaces.large.borrow().objects.is_empty());
    }

    #[test]
    fn major_forwards_weak_pointers_and_clears_those_to_the_dead() {
        let mut heap = TestHeap::new();
        let garbage = heap.node(0, None);
        let a = heap.node(1, None);
        let b = heap.node(2, None);
        let w = heap.alloc(Watch {
            strong: Some(Gc::from_obj(a)),
            live: weak(a),
            dead: weak(b),
        });
        let slots = [garbage, b, w].map(|obj| heap.roots.add(obj));
        heap.minor(1);
        // Old: garbage, b, w, then a through w.
        heap.roots.remove(slots[0]);
        heap.roots.remove(slots[1]);
        let live = heap.major();
        assert_eq!(live, WATCH + NODE);
        let start = heap.old_start();
        let w2 = heap.roots.get(slots[2]);
        assert_eq!(w2, start);
        let [strong, live, dead] = watch_at(w2);
        let a2 = strong.expect("a strong link");
        assert_eq!(offset(start, a2), WATCH);
        assert_eq!(node_at(a2), (1, None));
        assert_eq!(live, Some(a2), "forwarded with its target");
        assert_eq!(dead, None, "cleared: its target died");
    }
}
