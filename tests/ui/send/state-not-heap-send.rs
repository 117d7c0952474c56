// A `SendHeap` whose state holds an `Rc`: the state moves with the heap.
use std::rc::Rc;

use tenured_gc::{RunState, SendHeap, Trace};

#[derive(Trace)]
struct Shared {
    #[gc(ignore)]
    count: Rc<u32>,
}

fn main() {
    let count = Rc::new(0);
    let _heap = SendHeap::new(|_| RunState::new(Shared { count: Rc::clone(&count) }));
}
