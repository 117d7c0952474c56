// A `&Mutation` sent to a scoped thread: two threads would allocate and run barriers on one unsynchronised heap.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        std::thread::scope(|s| {
            s.spawn(move || {
                let _a = Gc::new(m, 1_i64);
            });
        });
    });
}
