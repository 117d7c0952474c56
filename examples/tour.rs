//! A tour of the collector: cyclic structures, roots, moving collections, weak references,
//! finalization and statistics, narrated as it runs.
//!
//! Run with `cargo run --release --example tour` (add `GC_TRACE=1` to see every collection).

use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;

use tenured_gc::{
    Gc, GcCell, GcRefCell, GcWeak, Heap, HeapConfig, Mutation, Root, RunState, Trace,
};

/// A doubly linked list node.
#[derive(Trace)]
struct ListNode<'gc> {
    value: u32,
    prev: GcCell<'gc, Option<Gc<'gc, ListNode<'gc>>>>,
    next: GcCell<'gc, Option<Gc<'gc, ListNode<'gc>>>>,
}

/// A graph vertex with any number of out-edges.
#[derive(Trace)]
struct Vertex<'gc> {
    name: String,
    edges: GcRefCell<'gc, Vec<Gc<'gc, Vertex<'gc>>>>,
}

/// A tree node that knows its parent.
#[derive(Trace)]
struct TreeNode<'gc> {
    label: String,
    parent: Option<Gc<'gc, TreeNode<'gc>>>,
    children: GcRefCell<'gc, Vec<Gc<'gc, TreeNode<'gc>>>>,
}

/// A value with a `String` and a `Vec` inside, whose drop we count.
#[derive(Trace)]
struct Document {
    title: String,
    lines: Vec<String>,
    #[gc(ignore)]
    _drops: DropCount,
}

/// Counts how often the documents holding it are dropped (its own `Drop` is allowed: it is
/// an ignored field, not a traced type).
struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn build_list<'gc>(m: &Mutation<'gc>, len: u32) -> Gc<'gc, ListNode<'gc>> {
    let head = Gc::new(
        m,
        ListNode {
            value: 0,
            prev: GcCell::new(None),
            next: GcCell::new(None),
        },
    );
    let mut tail = head;
    for value in 1..len {
        let node = Gc::new(
            m,
            ListNode {
                value,
                prev: GcCell::new(Some(tail)),
                next: GcCell::new(None),
            },
        );
        tail.next.set(m, Some(node));
        tail = node;
    }
    head
}

fn list_values(head: Gc<'_, ListNode<'_>>) -> Vec<u32> {
    let mut values = vec![head.value];
    let mut node = head.next.get();
    while let Some(n) = node {
        values.push(n.value);
        node = n.next.get();
    }
    values
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    println!("== tenured-gc tour ==\n");
    println!("A heap with the default configuration: {} KiB of eden, tenuring after {} minor collections.\n",
        heap.config().nursery_size / 1024, heap.config().tenuring_threshold);

    // 1. A doubly linked list: every pair of neighbours is a cycle.
    let list: Root<ListNode<'static>> = heap.mutate(|m| m.root(build_list(m, 10)));
    heap.mutate(|m| {
        let head = list.get(m);
        println!("1. Built a doubly linked list: {:?}", list_values(head));
        // Remove the node holding 5 by relinking its neighbours.
        let mut node = head;
        while node.value != 5 {
            node = node.next.get().unwrap();
        }
        let (prev, next) = (node.prev.get().unwrap(), node.next.get().unwrap());
        prev.next.set(m, Some(next));
        next.prev.set(m, Some(prev));
        println!(
            "   Removed 5: {:?} (the removed node is now garbage)\n",
            list_values(head)
        );
    });

    // 2. A graph with cycles and shared nodes.
    let graph = heap.mutate(|m| {
        let names = ["a", "b", "c", "d"];
        let vs: Vec<_> = names
            .iter()
            .map(|n| {
                Gc::new(
                    m,
                    Vertex {
                        name: n.to_string(),
                        edges: GcRefCell::new(vec![]),
                    },
                )
            })
            .collect();
        for (from, to) in [(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (0, 3)] {
            vs[from].edges.borrow_mut(m).push(vs[to]);
        }
        m.root(vs[0])
    });
    heap.mutate(|m| {
        let mut order = Vec::new();
        let mut stack = vec![graph.get(m)];
        while let Some(v) = stack.pop() {
            if order.contains(&v.name) {
                continue;
            }
            order.push(v.name.clone());
            stack.extend(v.edges.borrow().iter().rev().copied());
        }
        println!("2. A graph a->b->c->a, c->d->b, a->d: depth-first from a visits {order:?}\n");
    });

    // 3. A tree whose children point back to their parents.
    let tree = heap.mutate(|m| {
        let root = Gc::new(
            m,
            TreeNode {
                label: "root".into(),
                parent: None,
                children: GcRefCell::new(vec![]),
            },
        );
        for i in 0..3 {
            let child = Gc::new(
                m,
                TreeNode {
                    label: format!("child {i}"),
                    parent: Some(root),
                    children: GcRefCell::new(vec![]),
                },
            );
            root.children.borrow_mut(m).push(child);
            let leaf = Gc::new(
                m,
                TreeNode {
                    label: format!("leaf {i}"),
                    parent: Some(child),
                    children: GcRefCell::new(vec![]),
                },
            );
            child.children.borrow_mut(m).push(leaf);
        }
        // Root only a leaf: its parent chain keeps the whole tree reachable.
        let leaf = root.children.borrow()[2].children.borrow()[0];
        m.root(leaf)
    });
    heap.mutate(|m| {
        let mut path = vec![];
        let mut node = Some(tree.get(m));
        while let Some(n) = node {
            path.push(n.label.clone());
            node = n.parent;
        }
        println!(
            "3. A tree with parent pointers; rooting one leaf keeps its path: {}\n",
            path.join(" -> ")
        );
    });

    // 4. Objects move: watch the list's head through collections.
    println!("4. Collections move objects and update every pointer to them:");
    // An address is only good within its scope (`{:p}` prints it); identity lasts.
    let first = heap.mutate(|m| format!("{:p}", list.get(m)));
    heap.collect_minor();
    let second = heap.mutate(|m| format!("{:p}", list.get(m)));
    heap.collect_minor();
    heap.collect_major();
    let third = heap.mutate(|m| format!("{:p}", list.get(m)));
    println!("   the list head lived at {first}, then {second} (survivor space), then {third} (old generation)");
    heap.mutate(|m| println!("   and still reads {:?}\n", list_values(list.get(m))));

    // 5. Weak references.
    let (weak_holder, strong) = heap.mutate(|m| {
        let target = Gc::new(
            m,
            Vertex {
                name: "target".into(),
                edges: GcRefCell::new(vec![]),
            },
        );
        let holder = Gc::new(m, GcCell::new(Gc::downgrade(target)));
        (m.root(holder), m.root(target))
    });
    heap.collect_minor();
    heap.mutate(|m| {
        let alive = weak_holder.get(m).get().upgrade().map(|v| v.name.clone());
        println!("5. A weak reference to a rooted object follows it: upgrade() = {alive:?}");
    });
    drop(strong);
    heap.collect_major();
    heap.mutate(|m| {
        let w: GcWeak<Vertex> = weak_holder.get(m).get();
        println!(
            "   after its root is dropped and a major collection runs: upgrade() = {:?}\n",
            w.upgrade().map(|v| v.name.clone())
        );
    });

    // 6. Finalization: drop glue runs exactly once, when the collector finds the value dead.
    let drops = Rc::new(Cell::new(0));
    let doc = heap.mutate(|m| {
        let doc = Document {
            title: "notes".into(),
            lines: vec!["first".into(), "second".into()],
            _drops: DropCount(drops.clone()),
        };
        m.root(Gc::new(m, doc))
    });
    heap.collect_major();
    heap.mutate(|m| {
        let d = doc.get(m);
        println!(
            "6. A document ({:?}, {} lines) survives while rooted: dropped {} times",
            d.title,
            d.lines.len(),
            drops.get()
        );
    });
    drop(doc);
    heap.collect_major();
    heap.collect_major();
    println!(
        "   unrooted, then two major collections: dropped {} time(s)\n",
        drops.get()
    );

    // 7. A long computation in steps: garbage is collected between steps, memory stays flat.
    let steps = 200_000u64;
    let sum = heap.run(
        |m| RunState::new((build_list(m, 1), 0u64)),
        |m, (current, i)| {
            if i == steps {
                return ControlFlow::Break(current.value as u64);
            }
            // Each step allocates a short list (garbage) and one node it carries on.
            let garbage = build_list(m, 8);
            let next = Gc::new(
                m,
                ListNode {
                    value: (current.value + garbage.value + 1) % 1_000_000,
                    prev: GcCell::new(None),
                    next: GcCell::new(None),
                },
            );
            ControlFlow::Continue((next, i + 1))
        },
    );
    let stats = heap.stats();
    println!("7. Ran {steps} steps allocating ~{} MiB in all; final value {sum}; the heap reserves {} KiB.\n",
        stats.bytes_allocated / (1024 * 1024), stats.heap_reserved / 1024);

    drop((list, graph, tree, weak_holder));
    heap.collect_major();

    let s = heap.stats();
    let ms = |d: std::time::Duration| format!("{:.1} µs", d.as_secs_f64() * 1e6);
    let kib = |bytes: u64| format!("{} KiB", bytes / 1024);
    let rows = [
        ("minor collections", s.minor.count.to_string()),
        ("major collections", s.major.count.to_string()),
        ("minor pause total", ms(s.minor.total)),
        ("minor pause median", ms(s.minor.p50)),
        ("minor pause p99", ms(s.minor.p99)),
        ("major pause total", ms(s.major.total)),
        ("major pause max", ms(s.major.max)),
        ("allocated", kib(s.bytes_allocated)),
        ("promoted", kib(s.bytes_promoted)),
        ("freed", kib(s.bytes_freed)),
        (
            "live after the last major",
            format!("{} B", s.live_after_last_major),
        ),
        ("heap used", format!("{} B", s.heap_used)),
        ("objects finalized", s.objects_finalized.to_string()),
        ("heap reserved", kib(s.heap_reserved as u64)),
    ];
    println!("== Heap statistics ==");
    for (name, value) in rows {
        println!("{name:<28}{value:>16}");
    }
    assert_eq!(s.bytes_allocated, s.heap_used + s.bytes_freed);
    assert_eq!(
        s.heap_used, s.live_after_last_major,
        "right after a major collection"
    );
}
