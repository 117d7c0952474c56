// The `&Mutation` handle kept past its scope: it could allocate or run barriers after the heap is back to collecting.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let mut saved = None;
    heap.mutate(|m| saved = Some(m));
    heap.collect_major();
    let _late = Gc::new(saved.unwrap(), 1_i64);
}
