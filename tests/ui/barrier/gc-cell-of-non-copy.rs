// `GcCell::set` on a non-`Copy` value: `GcCell` hands out copies, never references; a `Vec` of pointers belongs in a `GcRefCell`.
use tenured_gc::{Gc, GcCell, Heap};

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let list = Gc::new(m, GcCell::new(Vec::<Gc<i64>>::new()));
        list.set(m, vec![Gc::new(m, 1)]);
    });
}
