// The heap swapped out with `mem::replace` while one of its `Gc`s is in use: the old heap could then be collected or dropped.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, 1_i64);
        let mut old = std::mem::replace(&mut heap, Heap::new());
        old.collect_major();
        println!("{}", *a);
    });
}
