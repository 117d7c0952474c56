// `#[gc(ignore)]` on `'static` fields, including one of a type that is not `Trace`: they are kept but never traced.
use std::sync::atomic::{AtomicU64, Ordering};

use tenured_gc::{Gc, Heap, Trace};

struct Counter(AtomicU64);

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    #[gc(ignore)]
    hits: Counter,
    #[gc(ignore)]
    name: &'static str,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        m.root(Gc::new(m, Node { next: Some(Gc::new(m, 5)), hits: Counter(AtomicU64::new(0)), name: "n" }))
    });
    for _ in 0..3 {
        heap.collect_minor();
        heap.collect_major();
        heap.mutate(|m| {
            root.get(m).hits.0.fetch_add(1, Ordering::Relaxed);
        });
    }
    heap.mutate(|m| {
        let node = root.get(m);
        assert_eq!(*node.next.unwrap(), 5);
        assert_eq!(node.hits.0.load(Ordering::Relaxed), 3);
        assert_eq!(node.name, "n");
    });
}
