// A `&SendHeap` shared with a scoped thread: a `SendHeap` moves between threads, but one thread at a time uses it.
use tenured_gc::{RunState, SendHeap};

fn main() {
    let heap = SendHeap::new(|_| RunState::new(0u32));
    let shared = &heap;
    std::thread::scope(|s| {
        s.spawn(move || shared.stats());
    });
}
