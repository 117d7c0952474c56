// A plain store into a managed object's field: it would skip the write barrier, so an old object could point into the nursery unseen.
use tenured_gc::{Gc, GcCell, Heap, Trace};

#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, Node { value: 1, next: GcCell::new(None) });
        a.value = 5;
    });
}
