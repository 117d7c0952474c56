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
        self.major_on(2)
    }

    /// As [`major`](Self::major), on `threads` threads, compacting fully.
    fn major_on(&mut self, threads: usize) -> usize {
        self.major_leaving_dead_wood_from(threads, usize::MAX)
    }

    /// As [`major`](Self::major), leaving dead wood once the old generation holds
    /// `dead_wood_from` bytes.
    fn major_leaving_dead_wood_from(&mut self, threads: usize, dead_wood_from: usize) -> usize {
        let minor_threads = self.minor_threads;
        let (panics, live) = collect(
            &mut self.parts(),
            &mut RunStateRoots(None),
            threads,
            minor_threads,
            dead_wood_from,
        );
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

#[test]
fn objects_before_the_first_dead_one_stay_where_they_are() {
    let mut heap = TestHeap::new();
    let x = heap.node(10, None);
    let y = heap.node(20, None);
    let z = heap.node(30, Some(x));
    let slots = [x, y, z].map(|obj| heap.roots.add(obj));
    heap.minor(1);
    let start = heap.old_start();
    let before = slots.map(|slot| heap.roots.get(slot));
    assert_eq!(before.map(|obj| offset(start, obj)), [0, NODE, 2 * NODE]);

    heap.roots.remove(slots[1]);
    heap.major();
    let x2 = heap.roots.get(slots[0]);
    let z2 = heap.roots.get(slots[2]);
    assert_eq!(x2, before[0], "x precedes the dead object: it stays");
    assert_eq!(offset(start, z2), NODE, "z slides into y's place");
    assert!(!is_marked(x2) && !is_marked(z2), "both unmarked afterwards");
    assert_eq!(node_at(x2), (10, None));
    assert_eq!(
        node_at(z2),
        (30, Some(x2)),
        "a pointer to an object that stayed"
    );

    // Everything is live now: nothing moves, and a second major collection changes nothing.
    heap.major();
    assert_eq!(heap.roots.get(slots[0]), x2);
    assert_eq!(heap.roots.get(slots[2]), z2);
    assert_eq!(node_at(z2), (30, Some(x2)));
    assert!(!is_marked(x2) && !is_marked(z2));
}

#[test]
fn a_little_dead_space_stays_as_dead_wood_and_more_is_compacted() {
    let mut heap = TestHeap::new();
    // One copying thread, so that the promoted nodes lie back to back in root order.
    heap.minor_threads = minor::Threads { count: 1, after: 0 };
    let slots: Vec<_> = (0..64)
        .map(|i| {
            let obj = heap.node(i, None);
            heap.roots.add(obj)
        })
        .collect();
    heap.minor(1);
    let start = heap.old_start();
    let before: Vec<_> = slots.iter().map(|&slot| heap.roots.get(slot)).collect();
    for (i, &obj) in before.iter().enumerate() {
        assert_eq!(offset(start, obj), i * NODE, "promoted in root order");
    }
    // The budget is a thirty-second of 64 nodes: two nodes' room. Node 1 dies (dead wood),
    // then nodes 10 and 11 (more than the budget left).
    for i in [1, 10, 11] {
        heap.roots.remove(slots[i]);
    }
    let freed_before = heap.stats.bytes_freed;
    let live = heap.major_leaving_dead_wood_from(2, 0);
    assert_eq!(live, 62 * NODE, "the filler counts as used");
    assert_eq!(heap.stats.bytes_freed - freed_before, 2 * NODE as u64);
    for i in (0..64).filter(|i| ![1, 10, 11].contains(i)) {
        let obj = heap.roots.get(slots[i]);
        let place = if i < 10 { i } else { i - 2 };
        assert_eq!(offset(start, obj), place * NODE, "node {i}");
        assert_eq!(node_at(obj), (i as u64, None));
        assert!(!is_marked(obj));
    }
    let filler = heap
        .spaces
        .old
        .borrow()
        .object_at(before[1].as_ptr().addr());
    assert_eq!(
        filler,
        Some(before[1]),
        "a filler object takes node 1's place"
    );

    // The same heap compacted fully: nothing of the dead wood is left.
    heap.major();
    assert_eq!(heap.spaces.old.borrow().used(), 61 * NODE);
    assert_eq!(offset(start, heap.roots.get(slots[2])), NODE);
}

#[test]
fn dead_wood_may_span_the_free_end_of_the_chunk_before() {
    let mut heap = TestHeap::new();
    // One copying thread, so that the promoted nodes lie back to back in root order.
    heap.minor_threads = minor::Threads { count: 1, after: 0 };
    let n = CHUNK_SIZE / NODE + 64;
    let mut slots = Vec::with_capacity(n);
    while slots.len() < n {
        // A batch that fits in the test heap's small eden.
        for _ in 0..(n - slots.len()).min(500) {
            let obj = heap.node(slots.len() as u64, None);
            slots.push(heap.roots.add(obj));
        }
        heap.minor(1);
    }
    let before: Vec<_> = slots.iter().map(|&slot| heap.roots.get(slot)).collect();
    let (start, second) = {
        let old = heap.spaces.old.borrow();
        (old.chunks[0].memory.start(), old.chunks[1].memory.start())
    };
    // The first node that did not fit at the end of the first chunk starts the second.
    let k = before
        .iter()
        .position(|&obj| obj == second)
        .expect("a node starts the second chunk");
    for (i, &obj) in before[..k].iter().enumerate() {
        assert_eq!(offset(start, obj), i * NODE, "node {i} in the first chunk");
    }
    assert!(
        CHUNK_SIZE - k * NODE < NODE,
        "the first chunk's free end is too small for a node"
    );
    // The second chunk's first node dies: the gap before the node after it is the first
    // chunk's free end and that node, well within the budget.
    heap.roots.remove(slots[k]);
    let live = heap.major_leaving_dead_wood_from(2, 0);
    assert_eq!(live, n * NODE, "the filler counts as used");
    for i in (0..n).filter(|&i| i != k) {
        let obj = heap.roots.get(slots[i]);
        assert_eq!(obj, before[i], "node {i} stays where it was");
        assert_eq!(node_at(obj), (i as u64, None));
    }
    assert_eq!(
        heap.spaces.old.borrow().object_at(second.as_ptr().addr()),
        Some(second),
        "a filler takes the dead node's place"
    );

    // Compacted fully, the node after it takes its place: a node does not fit in the free
    // end of the first chunk.
    heap.major();
    assert_eq!(heap.roots.get(slots[k + 1]), second);
    assert_eq!(node_at(second), (k as u64 + 1, None));
}
