// `#[gc(bound = "...")]` on a field: bounds belong to the type, so a misplaced key must not be silently ignored.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc, T> {
    #[gc(bound = "T: Trace")]
    value: T,
    next: Option<Gc<'gc, i64>>,
}

fn main() {}
