// A `GcCell` of a frozen graph set with another heap's `Mutation`: a frozen graph never changes.
use tenured_gc::{Frozen, Gc, GcCell, Heap, RunState, Trace};

#[derive(Trace)]
struct Holder<'gc> {
    slot: GcCell<'gc, Option<Gc<'gc, u64>>>,
}

fn main() {
    let frozen = Frozen::new(|m| RunState::new(Gc::new(m, Holder { slot: GcCell::new(None) })));
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let fresh = Gc::new(m, 1u64);
        frozen.with(|h| h.slot.set(m, Some(fresh)));
    });
}
