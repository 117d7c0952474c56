// `#[repr(packed)]`: pointer slots could be unaligned, and the collector rewrites them in place with aligned accesses.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
#[repr(C, packed)]
struct Node<'gc> {
    tag: u8,
    next: Option<Gc<'gc, i64>>,
}

fn main() {}
