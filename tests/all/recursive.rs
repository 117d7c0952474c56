//! Recursive types derive `Trace`: their layout facts are exact for direct recursion and
//! conservative for mutual or polymorphic recursion, and their values survive moving
//! collections with every pointer updated and every destructor run once.

use std::collections::BTreeSet;

use tenured_gc::{Gc, GcCell, Heap, Leaf, Mutation, Trace};

use crate::common::*;

fn addr<T: tenured_gc::Object>(gc: Gc<'_, T>) -> usize {
    Gc::as_ref(gc) as *const T as usize
}

/// A pointer-free tree: a leaf, however deep.
#[derive(Trace)]
struct Tree {
    children: Vec<Tree>,
    label: String,
}

impl Tree {
    /// A full tree of `depth` levels below this node, `fanout` children each.
    fn full(label: String, depth: u32, fanout: u32) -> Tree {
        let children = (0..if depth == 0 { 0 } else { fanout })
            .map(|i| Tree::full(format!("{label}.{i}"), depth - 1, fanout))
            .collect();
        Tree { children, label }
    }

    fn labels(&self, out: &mut Vec<String>) {
        out.push(self.label.clone());
        self.children.iter().for_each(|child| child.labels(out));
    }
}

/// Holds a tree next to a managed pointer, so the object is scanned and moved.
#[derive(Trace)]
struct Forest<'gc> {
    tree: Tree,
    name: Gc<'gc, str>,
}

#[test]
fn a_pointer_free_recursive_type_is_a_leaf() {
    const { assert!(<Tree as Trace>::IS_LEAF) };
    const { assert!(!<Tree as Trace>::HAS_CELLS) };
    const { assert!(!<Tree as Trace>::HAS_OUT_OF_LINE_CELLS) };
    const { assert!(!<Forest<'static> as Trace>::IS_LEAF) };
}

#[test]
fn trees_survive_moving_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let expected = {
        let mut labels = Vec::new();
        Tree::full("root".into(), 3, 3).labels(&mut labels);
        labels
    };
    let (root, before) = heap.mutate(|m| {
        let name = Gc::new_str(m, "oaks");
        let forest = Gc::new(
            m,
            Forest {
                tree: Tree::full("root".into(), 3, 3),
                name,
            },
        );
        (m.root(forest), addr(forest))
    });
    heap.collect_minor();
    let after_minor = heap.mutate(|m| addr(root.get(m)));
    assert_ne!(before, after_minor, "the minor collection moved the forest");
    heap.collect_major();
    heap.mutate(|m| {
        let forest = root.get(m);
        assert_eq!(&*forest.name, "oaks");
        let mut labels = Vec::new();
        forest.tree.labels(&mut labels);
        assert_eq!(labels, expected);
    });
    assert_eq!(heap.verify(), Ok(()));
}

/// An expression tree whose variables are managed strings.
#[derive(Trace)]
enum Expr<'gc> {
    Num(i64),
    Add(Box<Self>, Box<Self>),
    Neg(Box<Expr<'gc>>),
    Var(Gc<'gc, str>),
}

impl Expr<'_> {
    fn eval(&self, env: &dyn Fn(&str) -> i64) -> i64 {
        match self {
            Expr::Num(n) => *n,
            Expr::Add(a, b) => a.eval(env) + b.eval(env),
            Expr::Neg(e) => -e.eval(env),
            Expr::Var(name) => env(name),
        }
    }
}

/// `x0 + -(x1 + 1) + x2 + -(x3 + 1) + ...` over `n` variables.
fn sum<'gc>(m: &Mutation<'gc>, n: usize) -> Expr<'gc> {
    (0..n).fold(Expr::Num(0), |acc, i| {
        let var = Expr::Var(Gc::new_str(m, &format!("x{i}")));
        let term = if i % 2 == 0 {
            var
        } else {
            Expr::Neg(Box::new(Expr::Add(Box::new(var), Box::new(Expr::Num(1)))))
        };
        Expr::Add(Box::new(acc), Box::new(term))
    })
}

fn value_of(name: &str) -> i64 {
    name[1..].parse::<i64>().unwrap() * 10
}

#[test]
fn an_expression_tree_keeps_its_variables_across_collections() {
    const { assert!(!<Expr<'static> as Trace>::IS_LEAF) };
    const { assert!(!<Expr<'static> as Trace>::HAS_CELLS) };
    const VARS: usize = scaled(300);
    let expected: i64 = (0..VARS as i64)
        .map(|i| if i % 2 == 0 { i * 10 } else { -(i * 10 + 1) })
        .sum();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| m.root(Gc::new(m, sum(m, VARS))));
    for collect in [
        Heap::collect_minor,
        Heap::collect_major,
        Heap::collect_minor,
    ] {
        collect(&mut heap);
        assert_eq!(heap.verify(), Ok(()));
        heap.mutate(|m| assert_eq!(root.get(m).eval(&value_of), expected));
    }
}

/// A generic recursive type: a leaf exactly when its values are.
#[derive(Trace)]
struct Rose<T> {
    value: T,
    kids: Vec<Rose<T>>,
}

#[test]
fn a_generic_recursive_type_is_a_leaf_when_its_parameter_is() {
    const { assert!(<Rose<u32> as Trace>::IS_LEAF) };
    const { assert!(!<Rose<Gc<'static, u32>> as Trace>::IS_LEAF) };
    const { assert!(!<Rose<u32> as Trace>::HAS_CELLS) };
    const { assert!(<Rose<GcCell<'static, u32>> as Trace>::HAS_OUT_OF_LINE_CELLS) };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let leaf = |v| Rose {
            value: Gc::new(m, v),
            kids: Vec::new(),
        };
        let tree = Rose {
            value: Gc::new(m, 0_u32),
            kids: vec![leaf(1), leaf(2)],
        };
        m.root(Gc::new(m, tree))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let tree = root.get(m);
        let values: Vec<u32> = tree.kids.iter().map(|k| *k.value).collect();
        assert_eq!((*tree.value, values), (0, vec![1, 2]));
    });
}

/// A tree whose nodes hold barriered cells, the children's out of line in a `Vec`'s buffer.
#[derive(Trace)]
struct Branch<'gc> {
    slot: GcCell<'gc, Option<Gc<'gc, i64>>>,
    kids: Vec<Branch<'gc>>,
}

impl<'gc> Branch<'gc> {
    fn full(depth: u32) -> Self {
        let kids = (0..if depth == 0 { 0 } else { 3 })
            .map(|_| Branch::full(depth - 1))
            .collect();
        Branch {
            slot: GcCell::new(None),
            kids,
        }
    }

    fn for_each(&self, f: &mut dyn FnMut(&Branch<'gc>)) {
        f(self);
        self.kids.iter().for_each(|kid| kid.for_each(f));
    }
}

/// Calls `f` with every node below the root of `tree`, numbered in the order visited.
fn each_kid<'gc>(tree: &Branch<'gc>, f: &mut dyn FnMut(&Branch<'gc>, i64)) {
    let mut next = 0;
    for kid in &tree.kids {
        kid.for_each(&mut |branch| {
            f(branch, next);
            next += 1;
        });
    }
    assert_eq!(next, 39);
}

#[test]
fn cells_in_the_children_of_an_old_tree_keep_young_objects_alive() {
    const { assert!(<Branch<'static> as Trace>::HAS_CELLS) };
    const { assert!(<Branch<'static> as Trace>::HAS_OUT_OF_LINE_CELLS) };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| m.root(Gc::new(m, Branch::full(3))));
    heap.collect_major(); // promotes the tree
                          // Only the children's cells, which live in `Vec` buffers outside the old object: the
                          // barrier cannot log their owner, so the minor collection must rescan it.
    heap.mutate(|m| {
        let tree = root.get(m);
        each_kid(&tree, &mut |branch, i| {
            branch.slot.set(m, Some(Gc::new(m, i)))
        });
    });
    let check = |heap: &mut Heap| {
        heap.mutate(|m| {
            let tree = root.get(m);
            assert!(tree.slot.get().is_none());
            each_kid(&tree, &mut |branch, i| {
                assert_eq!(branch.slot.get().map(|v| *v), Some(i))
            });
        });
        assert_eq!(heap.verify(), Ok(()));
    };
    heap.collect_minor();
    check(&mut heap);
    heap.collect_major();
    check(&mut heap);
}

/// A directory and its entries: each type comes back through the other, which the derive
/// cannot see, so one of the fields says so.
#[derive(Trace)]
struct Dir<'gc> {
    name: Gc<'gc, str>,
    #[gc(recursive)]
    entries: Vec<Entry<'gc>>,
}

#[derive(Trace)]
enum Entry<'gc> {
    File(Gc<'gc, str>),
    Dir(Box<Dir<'gc>>),
}

fn dir<'gc>(m: &Mutation<'gc>, name: &str, depth: u32) -> Dir<'gc> {
    let mut entries = vec![Entry::File(Gc::new_str(m, &format!("{name}/file")))];
    if depth > 0 {
        entries.push(Entry::Dir(Box::new(dir(
            m,
            &format!("{name}/sub"),
            depth - 1,
        ))));
    }
    Dir {
        name: Gc::new_str(m, name),
        entries,
    }
}

fn paths(dir: &Dir<'_>, out: &mut Vec<String>) {
    out.push(dir.name.to_string());
    for entry in &dir.entries {
        match entry {
            Entry::File(name) => out.push(name.to_string()),
            Entry::Dir(sub) => paths(sub, out),
        }
    }
}

#[test]
fn mutually_recursive_types_break_the_cycle_with_an_attribute() {
    // The attributed field is assumed to hold pointers and cells in and out of line.
    const { assert!(!<Dir<'static> as Trace>::IS_LEAF) };
    const { assert!(<Dir<'static> as Trace>::HAS_OUT_OF_LINE_CELLS) };
    const { assert!(<Entry<'static> as Trace>::HAS_OUT_OF_LINE_CELLS) };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| m.root(Gc::new(m, dir(m, "/", 4))));
    let expected = heap.mutate(|m| {
        let mut out = Vec::new();
        paths(&root.get(m), &mut out);
        out
    });
    assert_eq!(expected.len(), 10);
    for collect in [Heap::collect_minor, Heap::collect_major] {
        collect(&mut heap);
        assert_eq!(heap.verify(), Ok(()));
        heap.mutate(|m| {
            let mut out = Vec::new();
            paths(&root.get(m), &mut out);
            assert_eq!(out, expected);
        });
    }
}

/// Two type parameters that swap at each level: the facts are assumed.
#[derive(Trace)]
struct Swap<A, B> {
    a: A,
    b: B,
    next: Option<Box<Swap<B, A>>>,
}

#[test]
fn polymorphic_recursion_gets_conservative_facts() {
    const { assert!(!<Swap<u8, u16> as Trace>::IS_LEAF) };
    const { assert!(<Swap<u8, u16> as Trace>::HAS_OUT_OF_LINE_CELLS) };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let inner = Swap {
            a: 2_u8,
            b: Gc::new(m, 1_i64),
            next: None,
        };
        m.root(Gc::new(
            m,
            Swap {
                a: Gc::new(m, 0_i64),
                b: 1_u8,
                next: Some(Box::new(inner)),
            },
        ))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let outer = root.get(m);
        let inner = outer.next.as_ref().unwrap();
        assert_eq!((*outer.a, outer.b, inner.a, *inner.b), (0, 1, 2, 1));
    });
}

/// A recursive type with drop glue in every node.
#[derive(Trace)]
struct Counted {
    tracked: Tracked,
    kids: Vec<Counted>,
}

fn counted(counter: &DropCounter, depth: u32) -> Counted {
    let kids = (0..if depth == 0 { 0 } else { 2 })
        .map(|_| counted(counter, depth - 1))
        .collect();
    Counted {
        tracked: Tracked(counter.clone()),
        kids,
    }
}

#[test]
fn every_node_of_a_recursive_value_is_dropped_once() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    // 15 nodes in the rooted tree, 7 in the unrooted one.
    let root = heap.mutate(|m| {
        Gc::new(m, counted(&counter, 2));
        m.root(Gc::new(m, counted(&counter, 3)))
    });
    heap.collect_minor();
    assert_eq!(counter.count(), 7);
    heap.collect_major();
    assert_eq!(counter.count(), 7, "the survivors moved without a drop");
    drop(root);
    heap.collect_major();
    assert_eq!(counter.count(), 22);
    heap.collect_major();
    drop(heap);
    assert_eq!(counter.count(), 22, "nothing is dropped twice");
}

/// A menu whose submenus are kept in a set of itself: a recursive key.
#[derive(Trace, PartialEq, Eq, PartialOrd, Ord)]
struct Menu {
    title: String,
    items: BTreeSet<Menu>,
}

#[test]
fn a_pointer_free_recursive_type_can_key_a_traced_set() {
    fn leaf<T: Leaf>() {}
    leaf::<Menu>();
    leaf::<Tree>();
    const { assert!(<Menu as Trace>::IS_LEAF) };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root = heap.mutate(|m| {
        let open = Menu {
            title: "open".into(),
            items: BTreeSet::new(),
        };
        let file = Menu {
            title: "file".into(),
            items: BTreeSet::from([open]),
        };
        m.root(Gc::new(
            m,
            (Gc::new_str(m, "menu bar"), BTreeSet::from([file])),
        ))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let bar = root.get(m);
        let file = bar.1.first().unwrap();
        assert_eq!((&*bar.0, &*file.title), ("menu bar", "file"));
        assert_eq!(file.items.first().unwrap().title, "open");
    });
}
