// A `Gc` coerced to a trait its type does not implement.
use tenured_gc::{coerce, Gc, Heap};

trait Shape {
    fn area(&self) -> f64;
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let text = Gc::new(m, String::from("not a shape"));
        let shape = coerce!(text => dyn Shape);
        println!("{}", shape.area());
    });
}
