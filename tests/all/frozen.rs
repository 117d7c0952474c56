//! Frozen graphs: built once, read from every thread, held by the objects of any heap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tenured_gc::{
    Frozen, Gc, GcCell, GcDrop, GcVec, GcWeak, Heap, HeapConfig, Mutation, RunState, SendHeap,
    Shared, Trace,
};

use crate::common::small_config;

#[derive(Trace)]
struct Node<'gc> {
    value: u64,
    name: String,
    children: Vec<Gc<'gc, Node<'gc>>>,
    parent: GcCell<'gc, Option<GcWeak<'gc, Node<'gc>>>>,
}

/// Counts its drops.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Counted {
    #[gc(ignore)]
    drops: Arc<AtomicUsize>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: `drop` touches only the counter.
unsafe impl GcDrop for Counted {}

type Tree = Gc<'static, Node<'static>>;

/// Builds a tree under `node`'s value: `depth` more levels of `fanout` children each, whose
/// parents they point to weakly.
fn build<'gc>(
    m: &Mutation<'gc, Shared>,
    value: u64,
    depth: u32,
    fanout: u64,
) -> Gc<'gc, Node<'gc>> {
    let children = if depth == 0 {
        Vec::new()
    } else {
        (0..fanout)
            .map(|i| build(m, value * fanout + i + 1, depth - 1, fanout))
            .collect()
    };
    let name = if value == 0 {
        "root".into()
    } else {
        format!("node {value}")
    };
    let node = Gc::new(
        m,
        Node {
            value,
            name,
            children,
            parent: GcCell::new(None),
        },
    );
    for child in &node.children {
        child.parent.set(m, Some(Gc::downgrade(node)));
    }
    node
}

/// A frozen tree of `depth` levels below the root, built in several scopes with collections
/// between them, and with garbage left beside it.
fn frozen_tree(depth: u32, fanout: u64) -> Frozen<Tree> {
    let mut builder = Frozen::build(|m| RunState::new(build(m, 0, 0, fanout)));
    builder.mutate(|m, root| {
        for _ in 0..100 {
            Gc::new(m, [0u64; 4]); // garbage, freed by a collection or the freeze
        }
        // A first, smaller tree, replaced below: garbage too.
        *root = build(m, 0, depth.saturating_sub(1), fanout);
    });
    builder.collect_minor();
    builder.mutate(|m, root| *root = build(m, 0, depth, fanout));
    builder.collect_minor();
    builder.freeze()
}

/// The sum of the values of the tree, checking names and parents on the way.
fn check<'gc>(node: Gc<'gc, Node<'gc>>) -> u64 {
    assert_eq!(
        node.name,
        if node.value == 0 {
            "root".into()
        } else {
            format!("node {}", node.value)
        }
    );
    node.children
        .iter()
        .map(|&child| {
            let parent = child
                .parent
                .get()
                .and_then(GcWeak::upgrade)
                .expect("the parent lives");
            assert!(Gc::ptr_eq(parent, node));
            check(child)
        })
        .sum::<u64>()
        + node.value
}

#[test]
fn every_thread_reads_the_same_frozen_graph_at_once() {
    let (depth, fanout) = if cfg!(miri) { (3, 2) } else { (6, 4) };
    let tree = frozen_tree(depth, fanout);
    let nodes: u64 = (0..=depth).map(|d| fanout.pow(d)).sum();
    let expected: u64 = (0..nodes).sum();
    let hash = tree.with(|root| Gc::identity_hash(*root));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let tree = tree.clone();
            std::thread::spawn(move || {
                tree.with(|root| {
                    let hashes: Vec<u64> = root
                        .children
                        .iter()
                        .map(|&c| Gc::identity_hash(c))
                        .collect();
                    (check(*root), Gc::identity_hash(*root), hashes)
                })
            })
        })
        .collect();
    let results: Vec<_> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    for (sum, root_hash, hashes) in &results {
        assert_eq!(*sum, expected);
        assert_eq!(
            *root_hash, hash,
            "an identity hash is the same on every thread"
        );
        assert_eq!(hashes, &results[0].2);
    }
    assert!(tree.bytes() > 0);
}

#[derive(Trace)]
struct Worker<'gc> {
    prelude: Frozen<Tree>,
    scratch: GcCell<'gc, Option<Gc<'gc, Vec<u64>>>>,
}

#[test]
fn heaps_hold_a_frozen_graph_in_their_objects_through_collections() {
    let tree = frozen_tree(3, 3);
    let expected = tree.with(|root| check(*root));
    let mut heap = Heap::with_config(small_config()).unwrap();
    let worker = heap.mutate(|m| {
        m.root(Gc::new(
            m,
            Worker {
                prelude: tree.clone(),
                scratch: GcCell::new(None),
            },
        ))
    });
    let mut moving =
        SendHeap::with_config(small_config(), |_| RunState::new(Some(tree.clone()))).unwrap();
    drop(tree);
    for i in 0..if cfg!(miri) { 5 } else { 50 } {
        heap.mutate(|m| {
            let w = worker.get(m);
            let sum = w.prelude.with(|root| check(*root));
            w.scratch.set(m, Some(Gc::new(m, vec![sum; 8])));
        });
        moving.mutate(|m, prelude| {
            let sum = prelude.as_ref().unwrap().with(|root| check(*root));
            Gc::new(m, vec![sum; 8]);
        });
        if i % 2 == 0 {
            heap.collect_major();
            moving.collect_major();
        } else {
            heap.collect_minor();
            moving.collect_minor();
        }
    }
    moving = std::thread::spawn(move || {
        moving.mutate(|_, prelude| {
            assert_eq!(
                prelude.as_ref().unwrap().with(|root| check(*root)),
                expected
            );
        });
        moving
    })
    .join()
    .unwrap();
    heap.mutate(|m| assert_eq!(worker.get(m).scratch.get().unwrap()[0], expected));
    drop(moving);
}

#[test]
fn a_frozen_graph_is_dropped_once_when_its_last_handle_goes() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&drops);
    let frozen = Frozen::new(|m| {
        let v = GcVec::new();
        for _ in 0..6 {
            v.push(
                m,
                Gc::new(
                    m,
                    Counted {
                        drops: Arc::clone(&counter),
                    },
                ),
            );
        }
        // Garbage that the freeze drops.
        for _ in 0..4 {
            Gc::new(
                m,
                Counted {
                    drops: Arc::clone(&counter),
                },
            );
        }
        RunState::new(v)
    });
    assert_eq!(
        drops.load(Ordering::Relaxed),
        4,
        "the garbage is dropped by the freeze"
    );
    let other = frozen.clone();
    assert!(Frozen::ptr_eq(&frozen, &other));
    drop(frozen);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        4,
        "one handle keeps the graph"
    );
    std::thread::spawn(move || drop(other)).join().unwrap();
    assert_eq!(
        drops.load(Ordering::Relaxed),
        10,
        "the last handle drops it, once"
    );
}

#[test]
fn a_frozen_graph_built_with_a_configuration_refuses_a_hook() {
    let hooked = HeapConfig::default().on_collection(|_| {});
    let error = Frozen::build_with_config(hooked, |_| RunState::new(0u32))
        .err()
        .expect("a hook is refused");
    assert_eq!(error.field, "collection_hook");
    let mut builder =
        Frozen::build_with_config(small_config(), |_| RunState::new(GcVec::<Gc<u64>>::new()))
            .unwrap();
    let n = if cfg!(miri) { 200 } else { 5_000 };
    for i in 0..n {
        builder.mutate(|m, v| v.push(m, Gc::new(m, i)));
        if i % 100 == 99 {
            builder.collect_minor();
        }
    }
    assert!(
        builder.stats().minor.count >= n / 100,
        "the build collected as it went"
    );
    let frozen = builder.freeze();
    assert_eq!(
        frozen.with(|v| v.iter().map(|x| *x).sum::<u64>()),
        (0..n).sum::<u64>()
    );
}
