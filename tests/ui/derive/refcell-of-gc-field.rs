// A `RefCell<Gc<_>>` field: `borrow_mut` would change the pointer without the write barrier; use `GcRefCell`.
use std::cell::RefCell;

use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    children: RefCell<Vec<Gc<'gc, i64>>>,
}

fn main() {}
