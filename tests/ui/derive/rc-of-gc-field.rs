// An `Rc<Gc<_>>` field: clones of the `Rc` outside the heap would keep a pointer the collector cannot see or update.
use std::rc::Rc;

use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    shared: Rc<Gc<'gc, i64>>,
}

fn main() {}
