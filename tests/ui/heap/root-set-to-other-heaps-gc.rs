// A root of one heap re-pointed at a `Gc` of another heap: its heap would trace a pointer into foreign memory.
use tenured_gc::{Gc, GcCell, Heap, Trace};

#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

fn main() {
    let mut heap1 = Heap::new();
    let mut heap2 = Heap::new();
    let root2 = heap2.mutate(|m2| m2.root(Gc::new(m2, Node { value: 2, next: GcCell::new(None) })));
    heap1.mutate(|m1| {
        let a1 = Gc::new(m1, Node { value: 1, next: GcCell::new(None) });
        heap2.mutate(|m2| root2.set(m2, a1));
    });
}
