//! GCBench, Hans Boehm's classic collector benchmark (after John Ellis and Pete Kovac).
//!
//! A stretch tree of depth 18 is built and dropped; a long-lived tree of depth 16 is built
//! top-down and an array of 500,000 doubles is half filled; then for each depth `d` = 4, 6,
//! ..., 16, `2 * size(18) / size(d)` trees are built top-down (`populate`: children are set
//! on a node that already exists, so they need mutable fields) and as many bottom-up
//! (`make_tree`), each dropped at once. Source: `GCBench.java` at
//! <https://hboehm.info/gc/gc_bench/>. Boehm's program prints times; this one prints the
//! node counts of the last tree of each kind per depth, and checks the long-lived data.

use std::ops::Deref;

use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "gcbench",
    size_unit: "stretch depth",
    quick_size: 18,
    full_size: 18,
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
    java_class: Some("GCBench"),
    hotspot: HotSpot::NURSERY_BUDGET,
    go: false,
    notes: "Mutable children: `GcCell` in tenured-gc, `&mut` in Box, `RefCell` in Rc, dumpster \
            and rust-cc, `Cell` in bumpalo, `GcCell` in gc, `Lock` in gc-arena. Each \
            temporary tree is built in its own scope in tenured-gc and gc-arena (followed by \
            `collect_debt`); bumpalo resets one arena after each temporary tree.",
};

const ARRAY_SIZE: usize = 500_000;
const MIN_TREE_DEPTH: u32 = 4;

/// The shape of a run, from the stretch depth (18 in Boehm's program).
struct Plan {
    stretch: u32,
    long_lived: u32,
}

impl Plan {
    fn new(stretch_depth: u32) -> Plan {
        Plan {
            stretch: stretch_depth,
            long_lived: stretch_depth - 2,
        }
    }

    /// The depths of the temporary trees, up to the long-lived tree's depth.
    fn depths(&self) -> impl Iterator<Item = u32> {
        (MIN_TREE_DEPTH..=self.long_lived).step_by(2)
    }

    /// How many trees of `depth` each construction builds.
    fn iterations(&self, depth: u32) -> u32 {
        let tree_size = |d: u32| (1u32 << (d + 1)) - 1;
        2 * tree_size(self.stretch) / tree_size(depth)
    }

    fn print_start(&self) {
        println!(
            "Stretching memory with a binary tree of depth {}",
            self.stretch
        );
    }

    fn print_long_lived(&self) {
        println!(
            "Creating a long-lived binary tree of depth {}",
            self.long_lived
        );
        println!("Creating a long-lived array of {ARRAY_SIZE} doubles");
    }

    fn print_depth(&self, depth: u32, top_down: u64, bottom_up: u64) {
        println!(
            "Creating {} trees of depth {depth}: last top-down {top_down} nodes, last bottom-up {bottom_up} nodes",
            self.iterations(depth)
        );
    }

    fn print_end(&self, long_lived: u64, array: &[f64]) {
        println!(
            "Long-lived tree: {long_lived} nodes; array[1000] = {}",
            array[1000]
        );
    }
}

/// The long-lived array: its first half holds `1 / i`.
fn array() -> Vec<f64> {
    let mut array = vec![0.0; ARRAY_SIZE];
    for (i, x) in array.iter_mut().take(ARRAY_SIZE / 2).enumerate() {
        *x = 1.0 / i as f64;
    }
    array
}

/// The program for peers whose trees are plain owned values: `new` makes a childless node,
/// `populate` gives a node children top-down, `make_tree` builds bottom-up, `count` counts.
fn owned<T, A>(
    stretch_depth: u32,
    array: impl FnOnce(Vec<f64>) -> A,
    new: impl Fn() -> T,
    populate: impl Fn(u32, &mut T),
    make_tree: impl Fn(u32) -> T,
    count: impl Fn(&T) -> u64,
) where
    A: Deref<Target: AsRef<[f64]>>,
{
    let plan = Plan::new(stretch_depth);
    plan.print_start();
    std::hint::black_box(make_tree(plan.stretch));
    plan.print_long_lived();
    let mut long_lived = new();
    populate(plan.long_lived, &mut long_lived);
    let array = array(self::array());
    for depth in plan.depths() {
        let (mut top_down, mut bottom_up) = (0, 0);
        for _ in 0..plan.iterations(depth) {
            let mut tree = new();
            populate(depth, &mut tree);
            top_down = count(&tree);
        }
        for _ in 0..plan.iterations(depth) {
            bottom_up = count(&make_tree(depth));
        }
        plan.print_depth(depth, top_down, bottom_up);
    }
    plan.print_end(count(&long_lived), (*array).as_ref());
}

fn tenured_gc(stretch_depth: u32) {
    use tenured_gc::{Gc, GcCell, Heap, Mutation, Trace};

    type Link<'gc> = GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Trace)]
    struct Node<'gc> {
        left: Link<'gc>,
        right: Link<'gc>,
        _i: i32,
        _j: i32,
    }

    fn make_node<'gc>(
        m: &Mutation<'gc>,
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    ) -> Gc<'gc, Node<'gc>> {
        let (left, right) = (GcCell::new(left), GcCell::new(right));
        Gc::new(
            m,
            Node {
                left,
                right,
                _i: 0,
                _j: 0,
            },
        )
    }

    fn populate<'gc>(m: &Mutation<'gc>, depth: u32, node: Gc<'gc, Node<'gc>>) {
        if depth > 0 {
            let (left, right) = (make_node(m, None, None), make_node(m, None, None));
            node.left.set(m, Some(left));
            node.right.set(m, Some(right));
            populate(m, depth - 1, left);
            populate(m, depth - 1, right);
        }
    }

    fn make_tree<'gc>(m: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let child = || (depth > 0).then(|| make_tree(m, depth - 1));
        make_node(m, child(), child())
    }

    fn count(node: &Node<'_>) -> u64 {
        let count_link = |link: &Link<'_>| link.get().map_or(0, |n| count(&n));
        1 + count_link(&node.left) + count_link(&node.right)
    }

    let plan = Plan::new(stretch_depth);
    let mut heap = Heap::new();
    plan.print_start();
    heap.mutate(|m| {
        make_tree(m, plan.stretch);
    });
    plan.print_long_lived();
    let long_lived = heap.mutate(|m| {
        let tree = make_node(m, None, None);
        populate(m, plan.long_lived, tree);
        m.root(tree)
    });
    let array = heap.mutate(|m| m.root(Gc::from_vec(m, array())));
    for depth in plan.depths() {
        let (mut top_down, mut bottom_up) = (0, 0);
        for _ in 0..plan.iterations(depth) {
            top_down = heap.mutate(|m| {
                let tree = make_node(m, None, None);
                populate(m, depth, tree);
                count(&tree)
            });
        }
        for _ in 0..plan.iterations(depth) {
            bottom_up = heap.mutate(|m| count(&make_tree(m, depth)));
        }
        plan.print_depth(depth, top_down, bottom_up);
    }
    heap.mutate(|m| plan.print_end(count(&long_lived.get(m)), &array.get(m)));
    crate::print_pauses(&heap.stats());
}

fn boxed(stretch_depth: u32) {
    #[derive(Default)]
    struct Node {
        left: Option<Box<Node>>,
        right: Option<Box<Node>>,
        _i: i32,
        _j: i32,
    }

    fn populate(depth: u32, node: &mut Node) {
        if depth > 0 {
            let left = node.left.insert(Box::default());
            populate(depth - 1, left);
            let right = node.right.insert(Box::default());
            populate(depth - 1, right);
        }
    }

    fn make_tree(depth: u32) -> Box<Node> {
        let child = || (depth > 0).then(|| make_tree(depth - 1));
        Box::new(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, count) + node.right.as_deref().map_or(0, count)
    }

    owned(
        stretch_depth,
        Vec::into_boxed_slice,
        Box::<Node>::default,
        |depth, node| populate(depth, node),
        make_tree,
        |node| count(node),
    );
}

fn rc(stretch_depth: u32) {
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Default)]
    struct Node {
        left: RefCell<Option<Rc<Node>>>,
        right: RefCell<Option<Rc<Node>>>,
        _i: i32,
        _j: i32,
    }

    fn populate(depth: u32, node: &Rc<Node>) {
        if depth > 0 {
            let (left, right) = (Rc::<Node>::default(), Rc::<Node>::default());
            *node.left.borrow_mut() = Some(left.clone());
            *node.right.borrow_mut() = Some(right.clone());
            populate(depth - 1, &left);
            populate(depth - 1, &right);
        }
    }

    fn make_tree(depth: u32) -> Rc<Node> {
        let child = || RefCell::new((depth > 0).then(|| make_tree(depth - 1)));
        Rc::new(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node) -> u64 {
        let count_link =
            |link: &RefCell<Option<Rc<Node>>>| link.borrow().as_deref().map_or(0, count);
        1 + count_link(&node.left) + count_link(&node.right)
    }

    owned(
        stretch_depth,
        Rc::<[f64]>::from,
        Rc::<Node>::default,
        |depth, node| populate(depth, node),
        make_tree,
        |node| count(node),
    );
}

#[cfg(feature = "bumpalo")]
fn bumpalo(stretch_depth: u32) {
    use bumpalo::Bump;
    use std::cell::Cell;

    #[derive(Default)]
    struct Node<'a> {
        left: Cell<Option<&'a Node<'a>>>,
        right: Cell<Option<&'a Node<'a>>>,
        _i: i32,
        _j: i32,
    }

    fn populate<'a>(arena: &'a Bump, depth: u32, node: &Node<'a>) {
        if depth > 0 {
            let left = &*arena.alloc(Node::default());
            let right = &*arena.alloc(Node::default());
            node.left.set(Some(left));
            node.right.set(Some(right));
            populate(arena, depth - 1, left);
            populate(arena, depth - 1, right);
        }
    }

    fn make_tree(arena: &Bump, depth: u32) -> &Node<'_> {
        let child = || Cell::new((depth > 0).then(|| make_tree(arena, depth - 1)));
        arena.alloc(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node<'_>) -> u64 {
        1 + node.left.get().map_or(0, count) + node.right.get().map_or(0, count)
    }

    let plan = Plan::new(stretch_depth);
    plan.print_start();
    std::hint::black_box(make_tree(&Bump::new(), plan.stretch));
    plan.print_long_lived();
    let long_lived_arena = Bump::new();
    let long_lived = long_lived_arena.alloc(Node::default());
    populate(&long_lived_arena, plan.long_lived, long_lived);
    let array = long_lived_arena.alloc_slice_copy(&array());
    let mut arena = Bump::new();
    for depth in plan.depths() {
        let (mut top_down, mut bottom_up) = (0, 0);
        for _ in 0..plan.iterations(depth) {
            let tree = arena.alloc(Node::default());
            populate(&arena, depth, tree);
            top_down = count(tree);
            arena.reset();
        }
        for _ in 0..plan.iterations(depth) {
            bottom_up = count(make_tree(&arena, depth));
            arena.reset();
        }
        plan.print_depth(depth, top_down, bottom_up);
    }
    plan.print_end(count(long_lived), array);
}

#[cfg(feature = "gc")]
#[allow(non_local_definitions)] // tenured_gc_derive 0.5 puts its impls in a named `const`
fn gc(stretch_depth: u32) {
    use gc::{Finalize, Gc, GcCell, Trace};

    #[derive(Trace, Finalize, Default)]
    struct Node {
        left: GcCell<Option<Gc<Node>>>,
        right: GcCell<Option<Gc<Node>>>,
        _i: i32,
        _j: i32,
    }

    fn populate(depth: u32, node: &Gc<Node>) {
        if depth > 0 {
            let (left, right) = (Gc::new(Node::default()), Gc::new(Node::default()));
            *node.left.borrow_mut() = Some(left.clone());
            *node.right.borrow_mut() = Some(right.clone());
            populate(depth - 1, &left);
            populate(depth - 1, &right);
        }
    }

    fn make_tree(depth: u32) -> Gc<Node> {
        let child = || GcCell::new((depth > 0).then(|| make_tree(depth - 1)));
        Gc::new(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node) -> u64 {
        let count_link =
            |link: &GcCell<Option<Gc<Node>>>| link.borrow().as_deref().map_or(0, count);
        1 + count_link(&node.left) + count_link(&node.right)
    }

    owned(
        stretch_depth,
        |array| Gc::new(array.into_boxed_slice()),
        || Gc::new(Node::default()),
        |depth, node| populate(depth, node),
        make_tree,
        |node| count(node),
    );
}

#[cfg(feature = "gc-arena")]
fn gc_arena(stretch_depth: u32) {
    use gc_arena::barrier::unlock;
    use gc_arena::{Arena, Collect, Gc, Lock, Mutation, Rootable};

    type Link<'gc> = Lock<Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Node<'gc> {
        left: Link<'gc>,
        right: Link<'gc>,
        _i: i32,
        _j: i32,
    }

    #[derive(Collect)]
    #[collect(no_drop)]
    struct Roots<'gc> {
        long_lived: Option<Gc<'gc, Node<'gc>>>,
        array: Option<Gc<'gc, Box<[f64]>>>,
    }

    fn make_node<'gc>(
        mc: &Mutation<'gc>,
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    ) -> Gc<'gc, Node<'gc>> {
        let (left, right) = (Lock::new(left), Lock::new(right));
        Gc::new(
            mc,
            Node {
                left,
                right,
                _i: 0,
                _j: 0,
            },
        )
    }

    fn populate<'gc>(mc: &Mutation<'gc>, depth: u32, node: Gc<'gc, Node<'gc>>) {
        if depth > 0 {
            let (left, right) = (make_node(mc, None, None), make_node(mc, None, None));
            let node = Gc::write(mc, node);
            unlock!(node, Node, left).set(Some(left));
            unlock!(node, Node, right).set(Some(right));
            populate(mc, depth - 1, left);
            populate(mc, depth - 1, right);
        }
    }

    fn make_tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let child = || (depth > 0).then(|| make_tree(mc, depth - 1));
        make_node(mc, child(), child())
    }

    fn count(node: &Node<'_>) -> u64 {
        let count_link = |link: &Link<'_>| link.get().map_or(0, |n| count(&n));
        1 + count_link(&node.left) + count_link(&node.right)
    }

    let plan = Plan::new(stretch_depth);
    let mut arena = Arena::<Rootable![Roots<'_>]>::new(|_| Roots {
        long_lived: None,
        array: None,
    });
    plan.print_start();
    arena.mutate(|mc, _| {
        make_tree(mc, plan.stretch);
    });
    arena.collect_debt();
    plan.print_long_lived();
    arena.mutate_root(|mc, roots| {
        let tree = make_node(mc, None, None);
        populate(mc, plan.long_lived, tree);
        roots.long_lived = Some(tree);
        roots.array = Some(Gc::new(mc, array().into_boxed_slice()));
    });
    arena.collect_debt();
    for depth in plan.depths() {
        let (mut top_down, mut bottom_up) = (0, 0);
        for _ in 0..plan.iterations(depth) {
            top_down = arena.mutate(|mc, _| {
                let tree = make_node(mc, None, None);
                populate(mc, depth, tree);
                count(&tree)
            });
            arena.collect_debt();
        }
        for _ in 0..plan.iterations(depth) {
            bottom_up = arena.mutate(|mc, _| count(&make_tree(mc, depth)));
            arena.collect_debt();
        }
        plan.print_depth(depth, top_down, bottom_up);
    }
    arena.mutate(|_, roots| {
        let (tree, array) = (roots.long_lived.unwrap(), roots.array.unwrap());
        plan.print_end(count(&tree), &array);
    });
}

#[cfg(feature = "dumpster")]
fn dumpster(stretch_depth: u32) {
    use dumpster::unsync::Gc;
    use dumpster::Trace;
    use std::cell::RefCell;

    #[derive(Trace, Default)]
    struct Node {
        left: RefCell<Option<Gc<Node>>>,
        right: RefCell<Option<Gc<Node>>>,
        _i: i32,
        _j: i32,
    }

    fn populate(depth: u32, node: &Gc<Node>) {
        if depth > 0 {
            let (left, right) = (Gc::new(Node::default()), Gc::new(Node::default()));
            *node.left.borrow_mut() = Some(left.clone());
            *node.right.borrow_mut() = Some(right.clone());
            populate(depth - 1, &left);
            populate(depth - 1, &right);
        }
    }

    fn make_tree(depth: u32) -> Gc<Node> {
        let child = || RefCell::new((depth > 0).then(|| make_tree(depth - 1)));
        Gc::new(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node) -> u64 {
        let count_link =
            |link: &RefCell<Option<Gc<Node>>>| link.borrow().as_deref().map_or(0, count);
        1 + count_link(&node.left) + count_link(&node.right)
    }

    owned(
        stretch_depth,
        |array| Gc::new(array.into_boxed_slice()),
        || Gc::new(Node::default()),
        |depth, node| populate(depth, node),
        make_tree,
        |node| count(node),
    );
}

#[cfg(feature = "rust-cc")]
fn rust_cc(stretch_depth: u32) {
    use rust_cc::{Cc, Finalize, Trace};
    use std::cell::RefCell;

    #[derive(Trace, Finalize, Default)]
    struct Node {
        left: RefCell<Option<Cc<Node>>>,
        right: RefCell<Option<Cc<Node>>>,
        _i: i32,
        _j: i32,
    }

    fn populate(depth: u32, node: &Cc<Node>) {
        if depth > 0 {
            let (left, right) = (Cc::new(Node::default()), Cc::new(Node::default()));
            *node.left.borrow_mut() = Some(left.clone());
            *node.right.borrow_mut() = Some(right.clone());
            populate(depth - 1, &left);
            populate(depth - 1, &right);
        }
    }

    fn make_tree(depth: u32) -> Cc<Node> {
        let child = || RefCell::new((depth > 0).then(|| make_tree(depth - 1)));
        Cc::new(Node {
            left: child(),
            right: child(),
            ..Node::default()
        })
    }

    fn count(node: &Node) -> u64 {
        let count_link =
            |link: &RefCell<Option<Cc<Node>>>| link.borrow().as_deref().map_or(0, count);
        1 + count_link(&node.left) + count_link(&node.right)
    }

    owned(
        stretch_depth,
        Cc::new,
        || Cc::new(Node::default()),
        |depth, node| populate(depth, node),
        make_tree,
        |node| count(node),
    );
}
