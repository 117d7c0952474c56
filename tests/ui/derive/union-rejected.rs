// A union: which field is live is unknown, so there is nothing sound to trace.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
union Either<'gc> {
    pointer: Gc<'gc, i64>,
    bits: usize,
}

fn main() {}
