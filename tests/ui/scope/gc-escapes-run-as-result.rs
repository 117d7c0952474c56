// A `Gc` returned as the result of `Heap::run`: the result outlives the last step's scope, so it cannot hold a branded pointer.
use std::ops::ControlFlow;

use tenured_gc::{Gc, Heap, RunState};

fn main() {
    let mut heap = Heap::new();
    let last = heap.run(
        |m| RunState::new(Gc::new(m, 0i64)),
        |m, count| if *count == 10 { ControlFlow::Break(count) } else { ControlFlow::Continue(Gc::new(m, *count + 1)) },
    );
    println!("{}", *last);
}
