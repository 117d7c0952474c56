// A `Cell` of a type that holds a `Gc` further in: `Cell<T>` is `Trace` only for a leaf `T`, and `Link` holds a managed pointer that `Cell::set` would change without the write barrier.
use std::cell::Cell;

use tenured_gc::{Gc, Trace};

#[derive(Trace, Clone, Copy)]
struct Link<'gc> {
    target: Option<Gc<'gc, i64>>,
}

#[derive(Trace)]
struct Node<'gc> {
    link: Cell<Link<'gc>>,
}

fn main() {}
