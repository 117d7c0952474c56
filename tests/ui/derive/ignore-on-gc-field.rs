// `#[gc(ignore)]` on a `Gc` field: an untraced pointer is neither kept alive nor updated when its object moves.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    value: i64,
    #[gc(ignore)]
    next: Option<Gc<'gc, Node<'gc>>>,
}

fn main() {}
