// A `&T` borrowed from a rooted object in one scope and read in the next: the collection point between them moves the object.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| m.root(Gc::new(m, 1_i64)));
    let mut kept: Option<&i64> = None;
    heap.mutate(|m| kept = Some(Gc::as_ref(root.get(m))));
    heap.mutate(|_| println!("{}", kept.unwrap()));
}
