// `#[gc(skip)]` is not an attribute of the derive (the key is `ignore`): a typo must not silently trace or skip a field.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    #[gc(skip)]
    hits: u64,
}

fn main() {}
