// The heap moved into another variable while one of its `Gc`s is in use: the new owner could collect or drop it.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, 1_i64);
        let mut moved = heap;
        moved.collect_major();
        println!("{}", *a);
    });
}
