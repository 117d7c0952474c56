// A `Gc` of a `SendHeap` moved to another thread on its own: only the whole heap moves.
use tenured_gc::{Gc, RunState, SendHeap};

fn main() {
    let mut heap = SendHeap::new(|_| RunState::new(0u32));
    heap.mutate(|m, _| {
        let a = Gc::new(m, 1_i64);
        std::thread::scope(|s| {
            s.spawn(move || println!("{}", *a));
        });
    });
}
