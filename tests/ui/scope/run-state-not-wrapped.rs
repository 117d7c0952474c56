// The first state of `heap.run` is wrapped in `RunState::new`, which names its type.
use std::ops::ControlFlow;

use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let total = heap.run(
        |m| (Gc::new(m, 0u64), 0u32),
        |m, (sum, i)| {
            if i == 10 { ControlFlow::Break(*sum) } else { ControlFlow::Continue((Gc::new(m, *sum + 1), i + 1)) }
        },
    );
    assert_eq!(total, 10);
}
