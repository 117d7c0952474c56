// A `GcDyn` returned out of its mutation scope, like a `Gc`: the object may move or die.
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
    let escaped = heap.mutate(|m| coerce!(Gc::new(m, 1.0_f64) => dyn Shape));
    println!("{}", escaped.area());
}
