// A `&T` from `Gc::as_ref` returned out of the scope: `&'gc T` is as branded as the `Gc`, and the object moves afterwards.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let value: &i64 = heap.mutate(|m| Gc::as_ref(Gc::new(m, 1_i64)));
    println!("{value}");
}
