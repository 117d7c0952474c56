// An object holding `Gc<'gc, _>`s seen as `dyn Shape + 'static`: the bound would outlive the
// brand (and a `'static` trait object could be downcast back to a `'static`-branded type).
use tenured_gc::{coerce, Gc, GcDyn, Heap, Trace};

trait Shape {
    fn area(&self) -> f64;
}

#[derive(Trace)]
struct Scaled<'gc> {
    inner: Gc<'gc, f64>,
}

impl Shape for Scaled<'_> {
    fn area(&self) -> f64 {
        *self.inner
    }
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let scaled = Gc::new(m, Scaled { inner: Gc::new(m, 2.0) });
        let shape: GcDyn<'_, dyn Shape + 'static> = coerce!(scaled => dyn Shape);
        println!("{}", shape.area());
    });
}
