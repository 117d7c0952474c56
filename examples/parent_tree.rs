//! A tree whose nodes point down to their children and up to their parent, like the
//! directories of a file system. Each leaf finds its path by climbing the parent pointers.
//! Rooting a single leaf keeps the whole tree alive (up through the parents, then down
//! through every child list), and dropping that one root frees it all.
//!
//! Run with `cargo run --example parent_tree`.

use tenured_gc::{Gc, GcRefCell, Heap, HeapConfig, Mutation, Trace};

#[derive(Trace)]
struct Node<'gc> {
    name: String,
    /// Set when the node is made and never changed, so it needs no cell.
    parent: Option<Gc<'gc, Node<'gc>>>,
    /// Grows as children are added, so it is a cell (`borrow_mut(m)` runs the write barrier).
    children: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
}

const FILES: [&str; 5] = [
    "home/ada/notes.txt",
    "home/ada/thesis.tex",
    "home/bob",
    "usr/bin/ls",
    "usr/bin/cat",
];

fn new_node<'gc>(
    m: &Mutation<'gc>,
    parent: Option<Gc<'gc, Node<'gc>>>,
    name: &str,
) -> Gc<'gc, Node<'gc>> {
    Gc::new(
        m,
        Node {
            name: name.into(),
            parent,
            children: GcRefCell::default(),
        },
    )
}

/// The child of `dir` called `name`, made if it does not exist yet.
fn child<'gc>(m: &Mutation<'gc>, dir: Gc<'gc, Node<'gc>>, name: &str) -> Gc<'gc, Node<'gc>> {
    let found = dir
        .children
        .borrow()
        .iter()
        .find(|c| c.name == name)
        .copied();
    found.unwrap_or_else(|| {
        let node = new_node(m, Some(dir), name);
        dir.children.borrow_mut(m).push(node);
        node
    })
}

/// The nodes from `node` up to the top of the tree, following the parent pointers.
fn ancestry<'gc>(node: Gc<'gc, Node<'gc>>) -> Vec<Gc<'gc, Node<'gc>>> {
    let mut up = vec![node];
    while let Some(parent) = up.last().unwrap().parent {
        up.push(parent);
    }
    up
}

/// The path of `node` from the top, as a file system writes it.
fn path<'gc>(node: Gc<'gc, Node<'gc>>) -> String {
    let names: Vec<_> = ancestry(node)
        .iter()
        .rev()
        .map(|n| n.name.clone())
        .collect();
    names.join("/")
}

/// The number of nodes in the subtree under `node`, itself included.
fn size<'gc>(node: Gc<'gc, Node<'gc>>) -> usize {
    1 + node
        .children
        .borrow()
        .iter()
        .map(|&c| size(c))
        .sum::<usize>()
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    let leaf = heap.mutate(|m| {
        let top = new_node(m, None, "");
        let mut leaves = Vec::new();
        for file in FILES {
            leaves.push(file.split('/').fold(top, |dir, name| child(m, dir, name)));
        }
        println!(
            "Built a tree of {} nodes. Each leaf's path, found by climbing its parents:",
            size(top)
        );
        let paths: Vec<_> = leaves.iter().map(|&leaf| path(leaf)).collect();
        for path in &paths {
            println!("  {path}");
        }
        assert_eq!(paths, FILES.map(|f| format!("/{f}")));
        m.root(leaves[0]) // notes.txt
    });

    let built = heap.stats().heap_used;
    heap.collect_major();
    let stats = heap.stats();
    println!("Only the leaf notes.txt is rooted; nothing roots the top of the tree.");
    println!(
        "After a major collection: {} of {built} bytes still live, {} nodes freed.",
        stats.live_after_last_major, stats.objects_finalized
    );
    assert_eq!(
        (stats.live_after_last_major, stats.objects_finalized),
        (built, 0)
    );

    heap.mutate(|m| {
        let up = ancestry(leaf.get(m));
        let names: Vec<_> = up
            .iter()
            .map(|n| if n.name.is_empty() { "/" } else { &n.name })
            .collect();
        let top = *up.last().unwrap();
        println!(
            "  {} (up the parents), and / still reaches all {} nodes.",
            names.join(" -> "),
            size(top)
        );
        assert_eq!(size(top), 10);
    });

    drop(leaf);
    heap.collect_major();
    let stats = heap.stats();
    println!(
        "Root dropped. After a major collection: {} bytes live, {} nodes freed.",
        stats.live_after_last_major, stats.objects_finalized
    );
    assert_eq!(
        (stats.live_after_last_major, stats.objects_finalized),
        (0, 10)
    );
}
