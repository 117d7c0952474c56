// A `&str` borrowed from a managed string put into the `'static`-branded state of `Heap::run`: the string moves between steps.
use std::ops::ControlFlow;

use tenured_gc::{Gc, Heap, RunState};

fn main() {
    let mut heap = Heap::new();
    let steps = heap.run(
        |m| RunState::new((Gc::new_str(m, "hello"), "", 0u32)),
        |_, (text, _, i)| {
            if i == 3 { ControlFlow::Break(i) } else { ControlFlow::Continue((text, Gc::as_ref(text), i + 1)) }
        },
    );
    assert_eq!(steps, 3);
}
