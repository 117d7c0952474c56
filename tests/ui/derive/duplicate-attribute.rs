// `#[gc(ignore, ignore)]`: a repeated key is a mistake (likely a copy-paste), so it is rejected.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    #[gc(ignore, ignore)]
    hits: u64,
}

fn main() {}
