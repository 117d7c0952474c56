//! A doubly linked list in the managed heap: push at both ends, remove a node from the middle
//! by relinking its neighbours, walk it both ways, and see the removed node freed. Neighbours
//! point at each other, so the list is full of cycles, which a tracing collector frees.
//!
//! Run with `cargo run --example linked_list`.

use std::cell::RefCell;

use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Mutation, Trace};

/// A neighbour, or `None` past an end of the list.
type Link<'gc> = Option<Gc<'gc, Node<'gc>>>;

#[derive(Trace)]
struct Node<'gc> {
    #[gc(ignore)] // not traced: it holds no managed pointer, so its type may implement `Drop`
    value: Value,
    // Cells, because removing a neighbour changes them.
    prev: GcCell<'gc, Link<'gc>>,
    next: GcCell<'gc, Link<'gc>>,
}

/// The list is a managed object too, so one root keeps it and every node it reaches.
#[derive(Trace, Default)]
struct List<'gc> {
    head: GcCell<'gc, Link<'gc>>,
    tail: GcCell<'gc, Link<'gc>>,
}

thread_local! {
    /// The values of the nodes freed since it was last emptied.
    static FREED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A node's value, which logs itself in `FREED` when the node is dropped. A derived type may
/// not implement `Drop`, but the type of an ignored field may: it cannot reach a managed object.
struct Value(String);

impl Drop for Value {
    fn drop(&mut self) {
        FREED.with_borrow_mut(|freed| freed.push(std::mem::take(&mut self.0)));
    }
}

impl<'gc> List<'gc> {
    fn push_front(&self, m: &Mutation<'gc>, value: &str) {
        self.insert(m, None, value, self.head.get());
    }

    fn push_back(&self, m: &Mutation<'gc>, value: &str) {
        self.insert(m, self.tail.get(), value, None);
    }

    /// Links a new node holding `value` between `prev` and `next`.
    fn insert(&self, m: &Mutation<'gc>, prev: Link<'gc>, value: &str, next: Link<'gc>) {
        let node = Gc::new(
            m,
            Node {
                value: Value(value.into()),
                prev: GcCell::default(),
                next: GcCell::default(),
            },
        );
        self.join(m, prev, Some(node));
        self.join(m, Some(node), next);
    }

    /// Finds `value` and joins its node's neighbours to each other. The node keeps its own
    /// links, and that does not keep it alive: only what points *to* an object does.
    fn remove(&self, m: &Mutation<'gc>, value: &str) {
        let mut node = self.head.get().expect("the value is in the list");
        while node.value.0 != value {
            node = node.next.get().expect("the value is in the list");
        }
        self.join(m, node.prev.get(), node.next.get());
    }

    /// Makes `prev` and `next` neighbours; `None` stands for an end of the list.
    fn join(&self, m: &Mutation<'gc>, prev: Link<'gc>, next: Link<'gc>) {
        match prev {
            Some(p) => p.next.set(m, next),
            None => self.head.set(m, next),
        }
        match next {
            Some(n) => n.prev.set(m, prev),
            None => self.tail.set(m, prev),
        }
    }

    /// The values in order, from the head following `next` or from the tail following `prev`.
    fn walk(&self, forwards: bool) -> String {
        let mut values = Vec::new();
        let mut node = if forwards { &self.head } else { &self.tail }.get();
        while let Some(n) = node {
            values.push(n.value.0.clone());
            node = if forwards { &n.next } else { &n.prev }.get();
        }
        values.join(" ")
    }
}

/// Prints the list both ways and checks that it reads `expected` (forwards, backwards).
fn show(list: &List<'_>, expected: [&str; 2]) {
    let [forwards, backwards] = [list.walk(true), list.walk(false)];
    println!("  forwards:  {forwards}\n  backwards: {backwards}");
    assert_eq!([forwards, backwards], expected);
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    let list = heap.mutate(|m| {
        let list = Gc::new(m, List::default());
        for value in ["b", "c", "d"] {
            list.push_back(m, value);
        }
        list.push_front(m, "a");
        list.push_back(m, "e");
        println!("Pushed b, c, d at the back, a at the front, e at the back.");
        show(&list, ["a b c d e", "e d c b a"]);
        m.root(list)
    });

    // The list is rooted, so it survives; the collector moves every node to the old
    // generation and rewrites every link.
    heap.collect_major();

    heap.mutate(|m| {
        let list = list.get(m);
        list.remove(m, "c");
        println!("Removed c from the middle: b and d now point at each other.");
        show(&list, ["a b d e", "e d b a"]);
        println!("  c is garbage now, but nothing is freed until a collection runs.");
        assert!(FREED.with_borrow(Vec::is_empty));
    });

    heap.collect_major();
    let freed = FREED.take();
    println!("After a major collection, freed: {freed:?}");
    assert_eq!(freed, ["c"]);
    assert_eq!(heap.stats().objects_finalized, 1);
    println!("  and the rest of the list reads the same:");
    heap.mutate(|m| show(&list.get(m), ["a b d e", "e d b a"]));

    // Dropping the root, then the heap, frees the remaining nodes, exactly once each.
    drop((list, heap));
    let mut freed = FREED.take();
    freed.sort();
    println!("After dropping the heap, freed the rest: {freed:?}");
    assert_eq!(freed, ["a", "b", "d", "e"]);
}
