// A new object of one heap built around a `Gc` of another heap: the pointer would cross heaps untraced.
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
        heap2.mutate(|m2| {
            let _b2 = Gc::new(m2, Node { value: 2, next: GcCell::new(Some(a1)) });
        });
    });
}
