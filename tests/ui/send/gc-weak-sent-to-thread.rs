// A `GcWeak` moved to another thread: upgraded there, it would give a `Gc` on the wrong thread.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let weak = Gc::downgrade(Gc::new(m, 1_i64));
        std::thread::scope(|s| {
            s.spawn(move || weak.is_dead());
        });
    });
}
