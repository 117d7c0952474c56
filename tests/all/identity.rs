//! Identity: `==` on `Gc`, `GcWeak` and `Root` compares objects, not values, and keeps its
//! answer through collections; addresses hold only within a scope.

use std::collections::HashSet;

use tenured_gc::{Gc, GcCell, GcRefCell, GcWeak, Heap, Root, Trace};

use crate::common::*;

/// A vertex that derives `PartialEq`: its edges compare by identity, so comparing two
/// vertices of a cyclic graph ends.
#[derive(Trace, PartialEq, Eq)]
struct Vertex<'gc> {
    name: String,
    next: GcCell<'gc, Option<Gc<'gc, Vertex<'gc>>>>,
    edges: GcRefCell<'gc, Vec<Gc<'gc, Vertex<'gc>>>>,
}

fn vertex<'gc>(name: &str) -> Vertex<'gc> {
    Vertex {
        name: name.into(),
        next: GcCell::new(None),
        edges: GcRefCell::default(),
    }
}

#[test]
fn equality_is_identity_and_survives_minor_and_major_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let (a, also_a, b) = heap.mutate(|m| {
        let (a, b) = (Gc::new(m, 7_i64), Gc::new(m, 7_i64));
        assert!(a == a && a != b && *a == *b);
        (m.root(a), m.root(a), m.root(b))
    });
    for round in 0..6 {
        if round % 2 == 0 {
            heap.collect_minor()
        } else {
            heap.collect_major()
        }
        heap.mutate(|m| {
            assert_eq!(a.get(m), also_a.get(m));
            assert_ne!(a.get(m), b.get(m));
            assert!(Gc::ptr_eq(a.get(m), also_a.get(m)));
            assert_eq!(*a.get(m), *b.get(m));
        });
        assert!(Root::ptr_eq(&a, &also_a));
        assert!(!Root::ptr_eq(&a, &b));
    }
}

#[test]
fn an_address_holds_within_a_scope_and_changes_when_the_object_moves() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let node = Gc::new(m, Node::new(1));
        assert_eq!(Gc::as_ptr(node), Gc::as_ref(node) as *const Node);
        assert_eq!(format!("{node:p}"), format!("{:p}", Gc::as_ptr(node)));
        m.root(node)
    });
    let address = |heap: &mut Heap| {
        heap.mutate(|m| {
            let here = Gc::as_ptr(root.get(m));
            Gc::new(m, [0_u64; 64]); // allocating moves nothing
            assert_eq!(Gc::as_ptr(root.get(m)), here, "no collection, no move");
            here as usize
        })
    };
    let young = address(&mut heap);
    heap.collect_minor();
    let survivor = address(&mut heap);
    assert_ne!(
        survivor, young,
        "a minor collection copies the object out of eden"
    );
    heap.collect_minor();
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(root.get(m).value, 1));
}

#[test]
fn addresses_tell_objects_apart_within_a_scope() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let nodes = heap.mutate(|m| {
        let nodes: Vec<_> = (0..100).map(|i| Gc::new(m, Node::new(i))).collect();
        let set: HashSet<*const Node> = nodes.iter().map(|&n| Gc::as_ptr(n)).collect();
        assert_eq!(set.len(), 100);
        m.root(Gc::from_vec(m, nodes))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let nodes = nodes.get(m);
        let set: HashSet<*const Node> = nodes.iter().map(|&n| Gc::as_ptr(n)).collect();
        assert_eq!(set.len(), 100);
        assert!(nodes.iter().enumerate().all(|(i, n)| n.value == i as i64));
    });
}

#[test]
fn weak_references_compare_their_targets_until_they_die() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let (weaks, kept) = heap.mutate(|m| {
        let (a, b) = (Gc::new(m, Node::new(1)), Gc::new(m, Node::new(2)));
        let weaks = [Gc::downgrade(a), Gc::downgrade(a), Gc::downgrade(b)];
        (m.root(Gc::new(m, weaks.map(GcCell::new))), m.root(a))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let [x, y, z] = &*weaks.get(m);
        assert!(x.get() == y.get());
        assert!(x.get() != z.get());
        assert!(x.get().upgrade() == Some(kept.get(m)));
        assert!(z.get().is_dead(), "nothing kept the second node");
        assert!(z.get() == GcWeak::new());
    });
    drop(kept);
    heap.collect_major();
    heap.mutate(|m| {
        let [x, _, z] = &*weaks.get(m);
        assert!(GcWeak::ptr_eq(x.get(), z.get()), "both targets are dead");
    });
}

#[test]
fn a_derived_equality_of_a_cyclic_graph_ends() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let pair = heap.mutate(|m| {
        let (a, b) = (Gc::new(m, vertex("a")), Gc::new(m, vertex("a")));
        a.next.set(m, Some(b));
        b.next.set(m, Some(a));
        a.edges.borrow_mut(m).push(a);
        b.edges.borrow_mut(m).push(a);
        m.root(Gc::new(m, (a, b)))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let (a, b) = *pair.get(m);
        // Same name, but `next` points to different objects.
        assert!(*a != *b);
        assert!(*a == *a);
        assert!(a.next.get() == Some(b));
        b.next.set(m, a.next.get());
        // Now `next` is `b` in both, and both edge lists are `[a]`.
        assert!(*a == *b);
    });
}
