// A `Gc` returned out of its mutation scope: the object may move or die at the collection point after the scope.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let escaped = heap.mutate(|m| Gc::new(m, 1_i64));
    println!("{}", *escaped);
}
