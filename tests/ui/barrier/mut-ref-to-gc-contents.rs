// `&mut` to the contents of a `Gc`: the object is shared (the `Gc` is `Copy`), and stores through it would skip the barrier.
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
        let b = Gc::new(m, Node { value: 2, next: GcCell::new(None) });
        let contents: &mut Node = &mut *a;
        contents.next = GcCell::new(Some(b));
    });
}
