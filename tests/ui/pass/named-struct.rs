// Derive on a struct with named fields: a rooted cycle survives minor and major collections.
use tenured_gc::{Gc, GcCell, Heap, Trace};

#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    label: String,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let a = Gc::new(m, Node { value: 1, label: "a".into(), next: GcCell::new(None) });
        let b = Gc::new(m, Node { value: 2, label: "b".into(), next: GcCell::new(Some(a)) });
        a.next.set(m, Some(b));
        m.root(a)
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let a = root.get(m);
        let b = a.next.get().unwrap();
        assert_eq!((a.value, a.label.as_str()), (1, "a"));
        assert_eq!((b.value, b.label.as_str()), (2, "b"));
        assert!(Gc::ptr_eq(b.next.get().unwrap(), a));
    });
    heap.verify().unwrap();
}
