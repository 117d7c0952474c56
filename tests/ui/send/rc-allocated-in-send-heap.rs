// An `Rc` allocated in a `SendHeap`: the heap may move to another thread while a clone of the `Rc` stays on this one.
use std::rc::Rc;

use tenured_gc::{Gc, RunState, SendHeap, Trace};

#[derive(Trace)]
struct Shared {
    #[gc(ignore)]
    count: Rc<u32>,
}

fn main() {
    let count = Rc::new(0);
    let mut heap = SendHeap::new(|_| RunState::new(0u32));
    heap.mutate(|m, _| {
        Gc::new(m, Shared { count: Rc::clone(&count) });
    });
}
