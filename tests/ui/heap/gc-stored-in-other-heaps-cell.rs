// A `Gc` of one heap stored into a cell of another heap's object: that heap would neither trace nor update it.
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
            let b2 = Gc::new(m2, Node { value: 2, next: GcCell::new(None) });
            b2.next.set(m2, Some(a1));
        });
    });
}
