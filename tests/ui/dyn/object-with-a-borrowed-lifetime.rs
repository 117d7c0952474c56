// An object that borrows non-managed data (`&'a str`) seen through a trait: a `GcDyn` hides
// every lifetime but the brand, so rooting it could outlive the borrow.
use tenured_gc::{coerce, Gc, Heap, Rebrand, Trace, Tracer};

trait Named {
    fn name(&self) -> &str;
}

struct Borrowing<'a> {
    name: &'a str,
}

impl Named for Borrowing<'_> {
    fn name(&self) -> &str {
        self.name
    }
}

// SAFETY: it holds no managed pointer.
unsafe impl Trace for Borrowing<'_> {
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: it has no brand.
unsafe impl<'gc, 'a: 'gc> Rebrand<'gc> for Borrowing<'a> {
    type Branded = Borrowing<'a>;
}

fn main() {
    let name = String::from("short-lived");
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let object = Gc::new(m, Borrowing { name: &name });
        let named = coerce!(object => dyn Named);
        println!("{}", named.name());
    });
}
