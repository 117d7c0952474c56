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
#[derive(tenured_gc::Trace)]
pub(crate) struct Node<'gc> {
    pub(crate) value: u64,
    pub(crate) next: Option<Gc<'gc, Node<'gc>>>,
}

/// An object that holds a node strongly and two weakly.
#[derive(tenured_gc::Trace)]
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
    /// The threads minor collections copy on: two from the start, unless a test says.
    pub(crate) minor_threads: Threads,
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
            minor_threads: Threads { count: 2, after: 0 },
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
        let threads = self.minor_threads;
        collect(&mut self.parts(), extra, threshold, false, threads).resume();
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
    let threads = heap.minor_threads;
    collect(
        &mut heap.parts(),
        &mut RunStateRoots(None),
        2,
        true,
        threads,
    )
    .resume();
    heap.after_collection(&mut RunStateRoots(None));
    let b2 = heap.roots.get(slot);
    assert!(heap.is_old(b2) && heap.is_old(node_at(b2).1.expect("a link")));
    assert_eq!(heap.young_bytes(), 0);
}

#[test]
fn an_old_object_on_a_dirty_card_keeps_its_young_target() {
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
    let link = unsafe {
        let node = holder.add(WORD).cast::<Node<'static>>().as_ptr();
        let link = core::ptr::addr_of_mut!((*node).next);
        link.write(Some(Gc::from_obj(young)));
        link.addr()
    };
    assert!(heap.spaces.dirty_card(link));
    heap.verify(&mut RunStateRoots(None));
    heap.minor(2);

    let young2 = node_at(holder).1.expect("the link survives");
    assert!(heap.survivors().contains(&young2.as_ptr().addr()));
    assert_eq!(node_at(young2), (7, None));
    assert!(
        heap.spaces.card_is_dirty(link),
        "it still points into the nursery"
    );
    // SAFETY: the holder is a live old object.
    let h = unsafe { header::read(holder) };
    assert!(
        !h.has(REMEMBERED),
        "a slot inside the object needs only its card"
    );
    assert!(heap.remembered.is_empty());

    heap.minor(2);
    let young3 = node_at(holder).1.expect("the link survives");
    assert!(heap.is_old(young3));
    assert!(
        !heap.spaces.card_is_dirty(link),
        "it points only to old objects now"
    );
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
