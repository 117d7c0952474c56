// A `Gc` of a frozen graph stored in an object of a heap: that heap would trace and move an object it does not own; hold the `Frozen` handle instead.
use tenured_gc::{Frozen, Gc, GcCell, Heap, RunState, Trace};

#[derive(Trace)]
struct Holder<'gc> {
    slot: GcCell<'gc, Option<Gc<'gc, u64>>>,
}

fn main() {
    let frozen = Frozen::new(|m| RunState::new(Gc::new(m, 7u64)));
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let holder = Gc::new(m, Holder { slot: GcCell::new(None) });
        frozen.with(|n| holder.slot.set(m, Some(*n)));
    });
}
