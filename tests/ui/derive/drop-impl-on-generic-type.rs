// `impl Drop` on a generic derived type: the guard must reject it for every instance, not only for concrete types.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Pair<'gc, T> {
    first: T,
    second: Option<Gc<'gc, i64>>,
}

impl<T> Drop for Pair<'_, T> {
    fn drop(&mut self) {}
}

fn main() {}
