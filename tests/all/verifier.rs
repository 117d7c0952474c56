//! The heap verifier notices each kind of corruption. Each test breaks a heap on purpose with
//! an unsafe hook, checks the verifier's report, and retires the broken heap (dropping it then
//! frees its memory without walking its objects).

use std::panic::{catch_unwind, AssertUnwindSafe};

use tenured_gc::test_hooks as hooks;
use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Root, Trace};

use crate::common::small_config;

/// A node without drop glue: a retired heap frees its memory without running any, and a node
/// with a `String` would leak it.
#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    prev: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

impl Node<'_> {
    fn new(value: i64) -> Self {
        Node {
            value,
            next: GcCell::new(None),
            prev: GcCell::new(None),
        }
    }
}

/// A heap that does not verify on its own, so the tests can call the verifier themselves, or
/// `None` in stress mode (`GC_STRESS`), where the collection that follows every scope would
/// run on the broken heap before the verifier could look at it.
fn unverified(verify: bool) -> Option<Heap> {
    let heap = Heap::with_config(HeapConfig {
        verify,
        ..small_config()
    })
    .unwrap();
    heap.config().stress.is_none().then_some(heap)
}

/// Runs `break_it` on a fresh heap with one rooted old node and returns the verifier's report
/// (`None` in stress mode).
fn report(
    break_it: impl for<'gc> FnOnce(&tenured_gc::Mutation<'gc>, Gc<'gc, Node<'gc>>),
) -> Option<String> {
    let mut heap = unverified(false)?;
    let old: Root<Node<'static>> = heap.mutate(|m| m.root(Gc::new(m, Node::new(1))));
    heap.collect_major();
    assert_eq!(heap.verify(), Ok(()), "the heap starts sound");
    heap.mutate(|m| break_it(m, old.get(m)));
    let report = heap
        .verify()
        .expect_err("the verifier finds the corruption")
        .to_string();
    // SAFETY: the broken heap's objects have no drop glue to skip.
    unsafe { hooks::retire(&heap) };
    drop((old, heap));
    Some(report)
}

#[test]
fn a_store_that_skipped_the_barrier_is_found() {
    let Some(report) = report(|m, old| {
        let young = Gc::new(m, Node::new(2));
        // SAFETY: breaks the remembered set on purpose; the heap is leaked.
        unsafe { hooks::set_without_barrier(&old.next, Some(young)) };
        // The store bypassed the barrier, so the scope would give `young` back when it ends;
        // a root made in it keeps its objects, so the verifier sees the edge itself.
        let _keep = m.root(young);
    }) else {
        return;
    };
    assert!(
        report.contains(
            "points into the nursery, but neither a dirty card nor the remembered set shows it"
        ),
        "{report}"
    );
}

/// Zeroes where a descriptor could be: aligned and as big as one, so that reading it as one
/// (which the verifier does to find its check value missing) stays within it.
#[repr(align(512))]
struct NotADescriptor([u8; 4096]);
static NOT_A_DESCRIPTOR: NotADescriptor = NotADescriptor([0; 4096]);
const _: () = assert!(
    core::mem::size_of::<NotADescriptor>() >= core::mem::size_of::<tenured_gc::TypeInfo>()
        && core::mem::align_of::<NotADescriptor>() >= core::mem::align_of::<tenured_gc::TypeInfo>()
);

#[test]
fn a_corrupt_header_is_found() {
    let Some(report) = report(|m, old| {
        let young = Gc::new(m, Node::new(2));
        old.next.set(m, Some(young));
        // SAFETY: corrupts the heap on purpose; the heap is leaked.
        unsafe { hooks::overwrite_header(young, NOT_A_DESCRIPTOR.0.as_ptr()) };
    }) else {
        return;
    };
    assert!(report.contains("has a broken header"), "{report}");
    assert!(
        report.contains("whose header is not a type descriptor"),
        "{report}"
    );
}

#[test]
fn a_pointer_to_a_forwarded_object_is_found() {
    let Some(report) = report(|m, old| {
        let young = Gc::new(m, Node::new(2));
        old.next.set(m, Some(young));
        // SAFETY: the address is used in this scope, for the hook below.
        let elsewhere = unsafe { hooks::object_start(Gc::new(m, Node::new(3))) };
        // SAFETY: a forwarding header (tag bit 0) to another object; the heap is leaked.
        unsafe { hooks::overwrite_header(young, elsewhere.wrapping_add(1)) };
    }) else {
        return;
    };
    assert!(report.contains("to a forwarded object"), "{report}");
}

#[test]
fn pointers_outside_the_heap_misaligned_or_into_empty_space_are_found() {
    let outside = Box::new([0u64; 8]);
    let outside_addr = outside.as_ptr() as *mut u8;
    let Some(report) = report(|m, old| {
        let young = Gc::new(m, Node::new(2));
        // SAFETY: the address is used in this scope, to forge pointers below.
        let start = unsafe { hooks::object_start(young) };
        let holder = Gc::new(
            m,
            [
                GcCell::new(None::<Gc<Node>>),
                GcCell::new(None),
                GcCell::new(None),
                GcCell::new(None),
            ],
        );
        old.next.set(m, Some(young));
        young.next.set(m, Some(Gc::new(m, Node::new(3))));
        // SAFETY: forged pointers, stored only for the verifier; the heap is leaked.
        unsafe {
            holder[0].set(m, Some(hooks::forge(outside_addr)));
            holder[1].set(m, Some(hooks::forge(start.wrapping_add(4))));
            holder[2].set(m, Some(hooks::forge(start.wrapping_add(8))));
            holder[3].set(m, Some(hooks::forge(hooks::empty_survivor_space(m))));
        }
        // The holder is garbage, but the verifier checks every object, reachable or not.
        let _ = holder;
    }) else {
        return;
    };
    assert!(report.contains("outside every live space"), "{report}");
    assert!(report.contains("misaligned"), "{report}");
    assert!(
        report.contains("into the nursery but not at an object start"),
        "{report}"
    );
    assert!(report.contains("into the empty survivor space"), "{report}");
    drop(outside);
}

#[test]
fn a_collection_on_a_corrupt_heap_stops_before_it_starts_and_poisons_the_heap() {
    let Some(mut heap) = unverified(true) else {
        return;
    };
    let old: Root<Node<'static>> = heap.mutate(|m| m.root(Gc::new(m, Node::new(1))));
    heap.collect_major();
    heap.mutate(|m| {
        let young = Gc::new(m, Node::new(2));
        // SAFETY: breaks the remembered set on purpose; the heap is leaked.
        unsafe { hooks::set_without_barrier(&old.get(m).next, Some(young)) };
    });
    let panic = catch_unwind(AssertUnwindSafe(|| heap.collect_minor())).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("before a minor collection: heap verification failed"),
        "{message}"
    );
    let refused = catch_unwind(AssertUnwindSafe(|| heap.mutate(|_| ()))).unwrap_err();
    let message = refused
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| refused.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(message.contains("this heap is unusable"), "{message}");
    drop((old, heap)); // poisoned by the failed collection: freed without drop glue
}

/// An object whose only barriered cells live outside it, in its vector's buffer.
#[derive(Trace)]
struct Table<'gc> {
    slots: Vec<GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>>,
    boxed: Box<GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>>,
}

#[test]
fn an_old_object_whose_cells_live_outside_it_may_point_into_the_nursery() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let table = heap.mutate(|m| {
        let slots = (0..4).map(|_| GcCell::new(None)).collect();
        let boxed = Box::new(GcCell::new(None));
        m.root(Gc::new(m, Table { slots, boxed }))
    });
    heap.collect_major();
    heap.mutate(|m| {
        let table = table.get(m);
        table.slots[2].set(m, Some(Gc::new(m, Node::new(2))));
        table.boxed.set(m, Some(Gc::new(m, Node::new(5))));
    });
    assert_eq!(heap.verify(), Ok(()), "the young objects are found");
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let table = table.get(m);
        assert_eq!(table.slots[2].get().unwrap().value, 2);
        assert_eq!(table.boxed.get().unwrap().value, 5);
    });
}
