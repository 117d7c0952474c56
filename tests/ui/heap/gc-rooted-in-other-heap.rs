// A `Gc` of one heap rooted through another heap's mutation: the root table of the wrong heap would hold it.
use tenured_gc::{Gc, GcCell, Heap, Trace};

#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

fn main() {
    let mut heap1 = Heap::new();
    let mut heap2 = Heap::new();
    heap1.mutate(|m1| {
        let a1 = Gc::new(m1, Node { value: 1, next: GcCell::new(None) });
        let _root = heap2.mutate(|m2| m2.root(a1));
    });
}
