// Two lifetimes and neither named `'gc`: the derive cannot tell which one is the brand that `Rebrand` replaces.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Pair<'a, 'b> {
    first: Gc<'a, i64>,
    second: Gc<'b, i64>,
}

fn main() {}
