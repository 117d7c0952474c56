use tenured_gc::{Gc, Heap, Root};

use crate::common::*;

#[test]
fn a_cycle_survives_collections_while_rooted() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let head: Root<Node<'static>> = heap.mutate(|m| {
        let a = Gc::new(m, Node::new(1));
        let b = Gc::new(m, Node::new(2));
        a.next.set(m, Some(b));
        b.prev.set(m, Some(a));
        b.next.set(m, Some(a));
        m.root(a)
    });
    for i in 0..50 {
        if i % 2 == 0 {
            heap.collect_minor()
        } else {
            heap.collect_major()
        }
        heap.mutate(|m| {
            let a = head.get(m);
            let b = a.next.get().unwrap();
            assert_eq!(a.value, 1);
            assert_eq!(b.value, 2);
            assert_eq!(b.label, "node 2");
            assert!(Gc::ptr_eq(b.next.get().unwrap(), a));
            assert!(Gc::ptr_eq(b.prev.get().unwrap(), a));
        });
    }
    heap.verify().unwrap();
}

#[test]
fn unrooted_cycles_are_dropped_exactly_once() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let keep = Gc::new(m, Node::tracked(0, &counter));
        for i in 0..100 {
            let a = Gc::new(m, Node::tracked(i, &counter));
            let b = Gc::new(m, Node::tracked(i, &counter));
            a.next.set(m, Some(b));
            b.next.set(m, Some(a));
        }
        m.root(keep)
    });
    heap.collect_minor();
    assert_eq!(counter.count(), 200);
    heap.collect_major();
    assert_eq!(counter.count(), 200);
    drop(root);
    heap.collect_major();
    assert_eq!(counter.count(), 201);
    drop(heap);
    assert_eq!(counter.count(), 201);
}
