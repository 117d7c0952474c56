// A `GcDyn` in a `Cell`: stores into it would bypass the write barrier. Use `GcCell`.
use std::cell::Cell;
use tenured_gc::{GcDyn, Trace};

trait Shape {
    fn area(&self) -> f64;
}

#[derive(Trace)]
struct Holder<'gc> {
    slot: Cell<Option<GcDyn<'gc, dyn Shape + 'gc>>>,
}

fn main() {}
