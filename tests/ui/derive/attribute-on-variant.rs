// `#[gc(ignore)]` on an enum variant: no key applies there, and ignoring a whole variant's pointers would be unsound.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
enum Slot<'gc> {
    Empty,
    #[gc(ignore)]
    Full(Gc<'gc, i64>),
}

fn main() {}
