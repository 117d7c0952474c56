// A `&Gc` shared with a scoped thread: `Gc` is not `Sync`, since its object may hold unsynchronised cells.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let a = Gc::new(m, 1_i64);
        let shared = &a;
        std::thread::scope(|s| {
            s.spawn(move || println!("{}", **shared));
        });
    });
}
