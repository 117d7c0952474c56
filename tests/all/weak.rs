//! Weak references: cleared when their target dies, moved with it while it lives.

use tenured_gc::{Gc, GcCell, GcWeak, Heap, Root, Trace};

use crate::common::*;

#[derive(Trace)]
struct Holder<'gc> {
    weak: GcCell<'gc, GcWeak<'gc, Node<'gc>>>,
}

fn holder(heap: &mut Heap) -> Root<Holder<'static>> {
    heap.mutate(|m| {
        m.root(Gc::new(
            m,
            Holder {
                weak: GcCell::new(GcWeak::new()),
            },
        ))
    })
}

#[test]
fn a_weak_reference_follows_its_target_through_moves() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let h = holder(&mut heap);
    let strong = heap.mutate(|m| {
        let target = Gc::new(m, Node::new(42));
        h.get(m).weak.set(m, Gc::downgrade(target));
        m.root(target)
    });
    for i in 0..30 {
        if i % 3 == 2 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.mutate(|m| {
            let target = h.get(m).weak.get().upgrade().expect("the target is rooted");
            assert!(Gc::ptr_eq(target, strong.get(m)));
            assert_eq!(target.label, "node 42");
        });
    }
}

#[test]
fn a_weak_reference_to_a_young_object_is_cleared_by_a_minor_collection() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let h = holder(&mut heap);
    heap.collect_major(); // the holder is old, the target will be young
    heap.mutate(|m| {
        let target = Gc::new(m, Node::new(1));
        h.get(m).weak.set(m, Gc::downgrade(target));
        assert!(h.get(m).weak.get().upgrade().is_some());
    });
    heap.collect_minor();
    heap.mutate(|m| assert!(h.get(m).weak.get().is_dead()));
}

#[test]
fn a_weak_reference_to_an_old_object_is_cleared_by_a_major_collection() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let h = holder(&mut heap);
    let strong = heap.mutate(|m| {
        let target = Gc::new(m, Node::tracked(1, &counter));
        h.get(m).weak.set(m, Gc::downgrade(target));
        m.root(target)
    });
    heap.collect_major();
    drop(strong);
    heap.collect_minor();
    heap.mutate(|m| {
        assert!(
            h.get(m).weak.get().upgrade().is_some(),
            "old objects die only in a major collection"
        )
    });
    heap.collect_major();
    heap.mutate(|m| assert!(h.get(m).weak.get().is_dead()));
    assert_eq!(counter.count(), 1);
}

#[test]
fn a_weak_cache_keeps_only_what_is_rooted_elsewhere() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let cache = heap.mutate(|m| {
        let weak: Vec<GcWeak<Node>> = (0..10).map(|_| GcWeak::new()).collect();
        m.root(Gc::new(m, tenured_gc::GcRefCell::new(weak)))
    });
    let kept: Vec<_> = heap.mutate(|m| {
        let cache = cache.get(m);
        let mut kept = Vec::new();
        for i in 0..10 {
            let node = Gc::new(m, Node::new(i));
            cache.borrow_mut(m)[i as usize] = Gc::downgrade(node);
            if i % 3 == 0 {
                kept.push(m.root(node));
            }
        }
        kept
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let cache = cache.get(m);
        let alive: Vec<i64> = cache
            .borrow()
            .iter()
            .filter_map(|w| w.upgrade())
            .map(|n| n.value)
            .collect();
        assert_eq!(alive, vec![0, 3, 6, 9]);
    });
    drop(kept);
}
