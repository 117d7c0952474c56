// A `Root` moved to another thread: it shares its heap's root table through an `Rc`, and drops into it.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| m.root(Gc::new(m, 1_i64)));
    std::thread::spawn(move || drop(root)).join().unwrap();
}
