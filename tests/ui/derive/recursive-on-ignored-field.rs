// `#[gc(ignore, recursive)]`: an ignored field is not traced, so `recursive` says nothing and one of the two is a mistake.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    #[gc(ignore, recursive)]
    cache: Vec<u64>,
}

fn main() {}
