// A field whose type does not implement `Trace`: the collector cannot know whether it hides managed pointers.
use tenured_gc::{Gc, Trace};

struct Opaque {
    _bits: u64,
}

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    payload: Opaque,
}

fn main() {}
