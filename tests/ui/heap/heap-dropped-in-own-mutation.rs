// The heap dropped inside its own mutation scope: every `Gc` of the scope would point into freed memory.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, 1_i64);
        drop(heap);
        println!("{}", *a);
    });
}
