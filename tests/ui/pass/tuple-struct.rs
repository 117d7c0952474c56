// Derive on a tuple struct: both positional pointer fields are traced and updated.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
struct Pair<'gc>(Gc<'gc, i64>, Option<Gc<'gc, str>>, u8);

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| m.root(Gc::new(m, Pair(Gc::new(m, 7), Some(Gc::new_str(m, "seven")), 3))));
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let pair = root.get(m);
        assert_eq!(*pair.0, 7);
        assert_eq!(&*pair.1.unwrap(), "seven");
        assert_eq!(pair.2, 3);
    });
}
