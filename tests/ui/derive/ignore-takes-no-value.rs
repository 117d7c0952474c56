// `#[gc(ignore = true)]`: `ignore` is a flag, and a value (maybe `false`) would suggest a meaning it does not have.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, i64>>,
    #[gc(ignore = true)]
    hits: u64,
}

fn main() {}
