// Derive on a unit struct and an empty braced struct: leaves with no fields.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
struct Marker;

#[derive(Trace)]
struct Empty {}

fn main() {
    assert!(<Marker as Trace>::IS_LEAF);
    assert!(<Empty as Trace>::IS_LEAF);
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let _empty = Gc::new(m, Empty {});
        m.root(Gc::new(m, Marker))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let marker: Gc<Marker> = root.get(m);
        assert!(matches!(*marker, Marker));
    });
}
