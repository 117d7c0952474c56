// Derive on a struct that holds itself in a `Vec`: the facts that would depend on themselves are found without a cycle, and a pointer-free tree is a leaf.
use tenured_gc::{Gc, Heap, Leaf, Trace};

#[derive(Trace)]
struct Tree {
    children: Vec<Tree>,
    v: i32,
}

#[derive(Trace)]
struct Named<'gc> {
    name: Gc<'gc, str>,
    children: Vec<Self>,
}

const TREE_IS_LEAF: bool = <Tree as Trace>::IS_LEAF;

fn is_leaf<T: Leaf>() {}

fn main() {
    assert!(TREE_IS_LEAF);
    is_leaf::<Tree>();
    assert!(!<Named<'static> as Trace>::IS_LEAF);
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let leaf = |name| Named { name: Gc::new_str(m, name), children: Vec::new() };
        let tree = Tree { children: vec![Tree { children: Vec::new(), v: 2 }], v: 1 };
        let named = Named { name: Gc::new_str(m, "root"), children: vec![leaf("a"), leaf("b")] };
        m.root(Gc::new(m, (Gc::new(m, tree), named)))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let (tree, named) = &*root.get(m);
        assert_eq!((tree.v, tree.children[0].v), (1, 2));
        let names: Vec<&str> = named.children.iter().map(|c| &*c.name).collect();
        assert_eq!((&*named.name, names), ("root", vec!["a", "b"]));
    });
}
