// Derive on a type with a const generic array of pointers: every element is traced.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
struct Bucket<'gc, const N: usize> {
    slots: [Option<Gc<'gc, i64>>; N],
    len: usize,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let mut slots = [None; 4];
        for (i, slot) in slots.iter_mut().enumerate().take(3) {
            *slot = Some(Gc::new(m, i as i64 * 10));
        }
        m.root(Gc::new(m, Bucket::<4> { slots, len: 3 }))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let bucket = root.get(m);
        let values: Vec<i64> = bucket.slots.iter().flatten().map(|g| **g).collect();
        assert_eq!(values, [0, 10, 20]);
        assert_eq!(bucket.len, 3);
    });
}
