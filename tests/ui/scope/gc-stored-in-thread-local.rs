// A `Gc` stored in a thread_local: the slot is `'static`, but a `Gc` lives only as long as its mutation scope.
use std::cell::Cell;

use tenured_gc::{Gc, Heap};

thread_local! {
    static SLOT: Cell<Option<Gc<'static, i64>>> = const { Cell::new(None) };
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| SLOT.with(|slot| slot.set(Some(Gc::new(m, 1_i64)))));
}
