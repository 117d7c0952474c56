// A `GcDyn` rooted for a trait that was not declared with `dyn_trait!`.
use tenured_gc::{coerce, Gc, Heap};

trait Shape {
    fn area(&self) -> f64;
}

impl Shape for f64 {
    fn area(&self) -> f64 {
        *self
    }
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| m.root_dyn(coerce!(Gc::new(m, 1.0_f64) => dyn Shape)));
    drop(root);
}
