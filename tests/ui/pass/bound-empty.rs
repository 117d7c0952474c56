// `#[gc(bound = "")]`: the inferred `Unit: Trace` bound is dropped, so `Tagged<U>` is `Trace` for every tag `U`.
use std::marker::PhantomData;

use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
#[gc(bound = "")]
struct Tagged<'gc, Unit> {
    value: Gc<'gc, f64>,
    unit: PhantomData<fn() -> Unit>,
}

/// Compiles only because the derived impl has no bound on `U`.
fn is_leaf<U>() -> bool {
    <Tagged<'static, U> as Trace>::IS_LEAF
}

#[derive(Trace)]
struct Meters;

fn main() {
    assert!(!is_leaf::<std::cell::Cell<u8>>());
    let mut heap = Heap::new();
    let root = heap.mutate(|m| m.root(Gc::new(m, Tagged::<Meters> { value: Gc::new(m, 2.5), unit: PhantomData })));
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(*root.get(m).value, 2.5));
}
