//! Cycles of every shape are collected, and each value is dropped exactly once.

use tenured_gc::{Gc, GcCell, GcRefCell, Heap, Mutation, Trace};

use crate::common::*;

/// Builds a ring of `n` doubly linked nodes and returns one of them.
fn ring<'gc>(m: &Mutation<'gc>, n: i64, counter: &DropCounter) -> Gc<'gc, Node<'gc>> {
    let first = Gc::new(m, Node::tracked(0, counter));
    let mut last = first;
    for i in 1..n {
        let node = Gc::new(m, Node::tracked(i, counter));
        last.next.set(m, Some(node));
        node.prev.set(m, Some(last));
        last = node;
    }
    last.next.set(m, Some(first));
    first.prev.set(m, Some(last));
    first
}

#[test]
fn young_cycles_die_in_a_minor_collection() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    heap.mutate(|m| {
        let a = Gc::new(m, Node::tracked(1, &counter));
        a.next.set(m, Some(a)); // a self-loop
        ring(m, 2, &counter);
        ring(m, 100, &counter);
    });
    heap.collect_minor();
    assert_eq!(counter.count(), 103);
    heap.collect_major();
    assert_eq!(counter.count(), 103, "nothing is dropped twice");
}

const RING: usize = scaled(500);

#[test]
fn old_cycles_die_in_a_major_collection_once_unrooted() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| m.root(ring(m, RING as i64, &counter)));
    heap.collect_major(); // promotes and compacts the ring
    heap.collect_minor();
    assert_eq!(counter.count(), 0);
    heap.mutate(|m| {
        // Walk the whole ring both ways.
        let first = root.get(m);
        let (mut node, mut steps) = (first.next.get().unwrap(), 1);
        while !Gc::ptr_eq(node, first) {
            assert_eq!(node.value, steps);
            assert_eq!(node.prev.get().unwrap().next.get().unwrap().value, steps);
            node = node.next.get().unwrap();
            steps += 1;
        }
        assert_eq!(steps, RING as i64);
    });
    drop(root);
    heap.collect_minor();
    assert_eq!(
        counter.count(),
        0,
        "a minor collection does not free old objects"
    );
    heap.collect_major();
    assert_eq!(counter.count(), RING);
    assert_eq!(heap.stats().old_used, 0);
}

/// A graph node with any number of out-edges.
#[derive(Trace)]
struct Vertex<'gc> {
    id: u32,
    edges: GcRefCell<'gc, Vec<Gc<'gc, Vertex<'gc>>>>,
    tracked: Tracked,
}

#[test]
fn a_graph_with_shared_nodes_and_cycles() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let vertices: Vec<_> = (0..64)
            .map(|id| {
                Gc::new(
                    m,
                    Vertex {
                        id,
                        edges: GcRefCell::new(Vec::new()),
                        tracked: Tracked(counter.clone()),
                    },
                )
            })
            .collect();
        // Every vertex points at the next three (wrapping): many cycles and shared targets.
        for (i, v) in vertices.iter().enumerate() {
            for k in 1..=3 {
                v.edges.borrow_mut(m).push(vertices[(i + k) % 64]);
            }
        }
        m.root(vertices[0])
    });
    for round in 0..if cfg!(miri) { 5 } else { 20 } {
        if round % 5 == 4 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.mutate(|m| {
            // A traversal finds all 64 vertices, each with its three edges intact.
            let mut seen = [false; 64];
            let mut stack = vec![root.get(m)];
            while let Some(v) = stack.pop() {
                if std::mem::replace(&mut seen[v.id as usize], true) {
                    continue;
                }
                let edges = v.edges.borrow();
                assert_eq!(
                    edges.iter().map(|e| e.id).collect::<Vec<_>>(),
                    (1..=3).map(|k| (v.id + k) % 64).collect::<Vec<_>>()
                );
                stack.extend(edges.iter().copied());
            }
            assert!(seen.iter().all(|&s| s));
        });
    }
    assert_eq!(counter.count(), 0);
    drop(root);
    heap.collect_major();
    assert_eq!(counter.count(), 64);
}

const DEPTH: u32 = if cfg!(miri) { 6 } else { 10 };

/// A tree node with a parent back-pointer.
#[derive(Trace)]
struct TreeNode<'gc> {
    depth: u32,
    parent: Option<Gc<'gc, TreeNode<'gc>>>,
    children: GcRefCell<'gc, Vec<Gc<'gc, TreeNode<'gc>>>>,
    tracked: Tracked,
}

fn grow<'gc>(m: &Mutation<'gc>, parent: Gc<'gc, TreeNode<'gc>>, depth: u32, counter: &DropCounter) {
    if depth == 0 {
        return;
    }
    for _ in 0..2 {
        let child = Gc::new(
            m,
            TreeNode {
                depth: parent.depth + 1,
                parent: Some(parent),
                children: GcRefCell::new(Vec::new()),
                tracked: Tracked(counter.clone()),
            },
        );
        parent.children.borrow_mut(m).push(child);
        grow(m, child, depth - 1, counter);
    }
}

#[test]
fn a_tree_with_parent_pointers_keeps_its_shape_and_dies_whole() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let top = Gc::new(
            m,
            TreeNode {
                depth: 0,
                parent: None,
                children: GcRefCell::new(Vec::new()),
                tracked: Tracked(counter.clone()),
            },
        );
        grow(m, top, DEPTH, &counter);
        m.root(top)
    });
    let nodes = (1 << (DEPTH + 1)) - 1;
    for _ in 0..3 {
        heap.collect_minor();
    }
    heap.collect_major();
    heap.mutate(|m| {
        fn check<'gc>(node: Gc<'gc, TreeNode<'gc>>) -> usize {
            let children = node.children.borrow();
            children
                .iter()
                .map(|&c| {
                    assert!(
                        Gc::ptr_eq(c.parent.unwrap(), node),
                        "a child's parent is its parent"
                    );
                    assert_eq!(c.depth, node.depth + 1);
                    check(c)
                })
                .sum::<usize>()
                + 1
        }
        assert_eq!(check(root.get(m)), nodes);
    });
    // Keep only a leaf: its parent chain keeps the path to the top alive, and with it the
    // whole tree (the top reaches everything through children).
    let leaf = heap.mutate(|m| {
        let mut node = root.get(m);
        loop {
            let first = node.children.borrow().first().copied();
            match first {
                Some(c) => node = c,
                None => break,
            }
        }
        m.root(node)
    });
    drop(root);
    heap.collect_major();
    assert_eq!(counter.count(), 0);
    drop(leaf);
    heap.collect_major();
    assert_eq!(counter.count(), nodes);
}

#[test]
fn dropping_the_heap_drops_every_object_once() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let _old = heap.mutate(|m| m.root(ring(m, 300, &counter)));
    heap.collect_major(); // 300 old objects
    heap.mutate(|m| {
        ring(m, 50, &counter); // young garbage
        let big = Gc::new(m, [0u64; 512]); // a large object without drop glue
        let _ = big;
        let _ = Gc::new(m, GcCell::new(Some(Gc::new(m, Node::tracked(7, &counter)))));
    });
    drop(heap);
    assert_eq!(counter.count(), 351);
}
