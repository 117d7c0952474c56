// Derive on a type whose parameters are bounded in a where clause and inline: the bounds are restated for the rebranded type.
use std::fmt::Debug;

use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
struct Labelled<'gc, T: Clone, L>
where
    L: Debug + 'static,
{
    value: T,
    label: L,
    next: Option<Gc<'gc, i64>>,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        m.root(Gc::new(m, Labelled { value: vec![1_u8, 2], label: "first", next: Some(Gc::new(m, 9)) }))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let l = root.get(m);
        assert_eq!(l.value.clone(), [1, 2]);
        assert_eq!(format!("{:?}", l.label), "\"first\"");
        assert_eq!(*l.next.unwrap(), 9);
    });
}
