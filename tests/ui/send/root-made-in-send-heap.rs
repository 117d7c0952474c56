// A `Root` made in a scope of a `SendHeap`: a root is a handle that could stay behind when the heap moves; the state is its root.
use tenured_gc::{Gc, RunState, SendHeap};

fn main() {
    let mut heap = SendHeap::new(|_| RunState::new(0u32));
    let _root = heap.mutate(|m, _| m.root(Gc::new(m, 1u64)));
}
