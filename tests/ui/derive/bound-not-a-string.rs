// `#[gc(bound(T: Trace))]` in list form: the bound must be a string of where-predicates, `bound = "T: Trace"`.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
#[gc(bound(T: Trace))]
struct Node<'gc, T> {
    value: T,
    next: Option<Gc<'gc, i64>>,
}

fn main() {}
