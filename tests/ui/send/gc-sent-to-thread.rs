// A `Gc` moved to another thread: a heap belongs to one thread, and the other could read an object while it moves.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, 1_i64);
        std::thread::spawn(move || println!("{}", *a)).join().unwrap();
    });
}
