// A `Cell<Gc<_>>` field: `Cell::set` would change the pointer without the write barrier, so `Cell<T>` is `Trace` only for a leaf `T`.
use std::cell::Cell;

use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Cell<Option<Gc<'gc, i64>>>,
}

fn main() {}
