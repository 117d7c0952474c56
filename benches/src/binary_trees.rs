//! binary-trees, from the Computer Language Benchmarks Game, single-threaded.
//!
//! A stretch tree of depth `max + 1` is built, checked and dropped; a long-lived tree of depth
//! `max` is built; then for each depth `d` = 4, 6, ..., `max`, `2^(max - d + 4)` trees of depth
//! `d` are built, checked (a node count) and dropped; last the long-lived tree is checked. The
//! check lines are the Benchmarks Game's. Source:
//! <https://benchmarksgame-team.pages.debian.net/benchmarksgame/description/binarytrees.html>.

use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "binary-trees",
    size_unit: "depth",
    quick_size: 16,
    full_size: 20,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        "Box" => boxed,
        "Rc" => rc,
        optional "bumpalo" => bumpalo,
        optional "gc" => gc,
        optional "gc-arena" => gc_arena,
        optional "dumpster" => dumpster,
        optional "rust-cc" => rust_cc,
    },
    java_class: Some("BinaryTrees"),
    hotspot: HotSpot::NURSERY_BUDGET,
    go: false,
    notes: "Each temporary tree is built and checked in its own scope: a `heap.mutate` in \
            tenured-gc and an `arena.mutate` followed by `collect_debt` in gc-arena. bumpalo \
            resets one arena after each temporary tree.",
};

const MIN_DEPTH: u32 = 4;

/// How many trees of depth `depth` are built.
fn iterations(max_depth: u32, depth: u32) -> u32 {
    1 << (max_depth - depth + MIN_DEPTH)
}

/// The depths of the temporary trees.
fn depths(max_depth: u32) -> impl Iterator<Item = u32> {
    (MIN_DEPTH..=max_depth).step_by(2)
}

fn print_stretch(depth: u32, check: u64) {
    println!("stretch tree of depth {depth}\t check: {check}");
}

fn print_depth(max_depth: u32, depth: u32, check: u64) {
    let iterations = iterations(max_depth, depth);
    println!("{iterations}\t trees of depth {depth}\t check: {check}");
}

fn print_long_lived(depth: u32, check: u64) {
    println!("long lived tree of depth {depth}\t check: {check}");
}

/// The program for peers whose trees are plain owned values: `tree` builds one, `check` counts
/// its nodes, and dropping it frees it.
fn owned<T>(max_depth: u32, tree: impl Fn(u32) -> T, check: impl Fn(&T) -> u64) {
    print_stretch(max_depth + 1, check(&tree(max_depth + 1)));
    let long_lived = tree(max_depth);
    for depth in depths(max_depth) {
        let sum = (0..iterations(max_depth, depth))
            .map(|_| check(&tree(depth)))
            .sum();
        print_depth(max_depth, depth, sum);
    }
    print_long_lived(max_depth, check(&long_lived));
}

fn tenured_gc(max_depth: u32) {
    use tenured_gc::{Gc, Heap, Mutation, Trace};

    #[derive(Trace)]
    struct Node<'gc> {
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    fn tree<'gc>(m: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let child = || (depth > 0).then(|| tree(m, depth - 1));
        Gc::new(
            m,
            Node {
                left: child(),
                right: child(),
            },
        )
    }

    fn check(node: &Node<'_>) -> u64 {
        1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
    }

    let mut heap = Heap::new();
    let stretch = max_depth + 1;
    print_stretch(stretch, heap.mutate(|m| check(&tree(m, stretch))));
    let long_lived = heap.mutate(|m| m.root(tree(m, max_depth)));
    for depth in depths(max_depth) {
        let sum = (0..iterations(max_depth, depth))
            .map(|_| heap.mutate(|m| check(&tree(m, depth))))
            .sum();
        print_depth(max_depth, depth, sum);
    }
    print_long_lived(max_depth, heap.mutate(|m| check(&long_lived.get(m))));
    crate::print_pauses(&heap.stats());
}

fn boxed(max_depth: u32) {
    struct Node {
        left: Option<Box<Node>>,
        right: Option<Box<Node>>,
    }

    fn tree(depth: u32) -> Box<Node> {
        let child = || (depth > 0).then(|| tree(depth - 1));
        Box::new(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    owned(max_depth, tree, |t| check(t));
}

fn rc(max_depth: u32) {
    use std::rc::Rc;

    struct Node {
        left: Option<Rc<Node>>,
        right: Option<Rc<Node>>,
    }

    fn tree(depth: u32) -> Rc<Node> {
        let child = || (depth > 0).then(|| tree(depth - 1));
        Rc::new(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    owned(max_depth, tree, |t| check(t));
}

#[cfg(feature = "bumpalo")]
fn bumpalo(max_depth: u32) {
    use bumpalo::Bump;

    struct Node<'a> {
        left: Option<&'a Node<'a>>,
        right: Option<&'a Node<'a>>,
    }

    fn tree(arena: &Bump, depth: u32) -> &Node<'_> {
        let child = || (depth > 0).then(|| tree(arena, depth - 1));
        arena.alloc(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node<'_>) -> u64 {
        1 + node.left.map_or(0, check) + node.right.map_or(0, check)
    }

    let stretch = max_depth + 1;
    print_stretch(stretch, check(tree(&Bump::new(), stretch)));
    let long_lived_arena = Bump::new();
    let long_lived = tree(&long_lived_arena, max_depth);
    let mut arena = Bump::new();
    for depth in depths(max_depth) {
        let mut sum = 0;
        for _ in 0..iterations(max_depth, depth) {
            sum += check(tree(&arena, depth));
            arena.reset();
        }
        print_depth(max_depth, depth, sum);
    }
    print_long_lived(max_depth, check(long_lived));
}

#[cfg(feature = "gc")]
#[allow(non_local_definitions)] // tenured_gc_derive 0.5 puts its impls in a named `const`
fn gc(max_depth: u32) {
    use gc::{Finalize, Gc, Trace};

    #[derive(Trace, Finalize)]
    struct Node {
        left: Option<Gc<Node>>,
        right: Option<Gc<Node>>,
    }

    fn tree(depth: u32) -> Gc<Node> {
        let child = || (depth > 0).then(|| tree(depth - 1));
        Gc::new(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    owned(max_depth, tree, |t| check(t));
}

#[cfg(feature = "gc-arena")]
fn gc_arena(max_depth: u32) {
    use gc_arena::{Arena, Collect, Gc, Mutation, Rootable};

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Node<'gc> {
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    fn tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let child = || (depth > 0).then(|| tree(mc, depth - 1));
        Gc::new(
            mc,
            Node {
                left: child(),
                right: child(),
            },
        )
    }

    fn check(node: &Node<'_>) -> u64 {
        1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
    }

    let mut arena = Arena::<Rootable![Option<Gc<'_, Node<'_>>>]>::new(|_| None);
    let stretch = max_depth + 1;
    print_stretch(stretch, arena.mutate(|mc, _| check(&tree(mc, stretch))));
    arena.collect_debt();
    arena.mutate_root(|mc, root| *root = Some(tree(mc, max_depth)));
    arena.collect_debt();
    for depth in depths(max_depth) {
        let mut sum = 0;
        for _ in 0..iterations(max_depth, depth) {
            sum += arena.mutate(|mc, _| check(&tree(mc, depth)));
            arena.collect_debt();
        }
        print_depth(max_depth, depth, sum);
    }
    let long_lived = arena.mutate(|_, root| root.map_or(0, |t| check(&t)));
    print_long_lived(max_depth, long_lived);
}

#[cfg(feature = "dumpster")]
fn dumpster(max_depth: u32) {
    use dumpster::unsync::Gc;
    use dumpster::Trace;

    #[derive(Trace)]
    struct Node {
        left: Option<Gc<Node>>,
        right: Option<Gc<Node>>,
    }

    fn tree(depth: u32) -> Gc<Node> {
        let child = || (depth > 0).then(|| tree(depth - 1));
        Gc::new(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    owned(max_depth, tree, |t| check(t));
}

#[cfg(feature = "rust-cc")]
fn rust_cc(max_depth: u32) {
    use rust_cc::{Cc, Finalize, Trace};

    #[derive(Trace, Finalize)]
    struct Node {
        left: Option<Cc<Node>>,
        right: Option<Cc<Node>>,
    }

    fn tree(depth: u32) -> Cc<Node> {
        let child = || (depth > 0).then(|| tree(depth - 1));
        Cc::new(Node {
            left: child(),
            right: child(),
        })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    owned(max_depth, tree, |t| check(t));
}
