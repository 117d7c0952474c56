// A `Cell` in a frozen graph: every thread reads the graph at once, and `Cell::set` needs no `Mutation`.
use std::cell::Cell;

use tenured_gc::{Frozen, Gc, RunState, Trace};

#[derive(Trace)]
struct Counter {
    hits: Cell<u32>,
}

fn main() {
    let _frozen = Frozen::new(|m| RunState::new(Gc::new(m, Counter { hits: Cell::new(0) })));
}
