// A `&T` saved by one step of `Heap::run` for the next: a collection may move the object between steps.
use std::ops::ControlFlow;

use tenured_gc::{Gc, Heap, RunState};

fn main() {
    let mut heap = Heap::new();
    let mut previous: Option<&i64> = None;
    let total = heap.run(
        |m| RunState::new(Gc::new(m, 0i64)),
        |m, count| {
            if let Some(last) = previous {
                println!("last step saw {last}");
            }
            previous = Some(Gc::as_ref(count));
            if *count == 10 { ControlFlow::Break(*count) } else { ControlFlow::Continue(Gc::new(m, *count + 1)) }
        },
    );
    assert_eq!(total, 10);
}
