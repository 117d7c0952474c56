// `#[gc(recursive)]` on the type: it says that one field's type leads back to this one through another type, so it belongs on that field.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
#[gc(recursive)]
struct Dir<'gc> {
    name: Gc<'gc, str>,
    entries: Vec<Dir<'gc>>,
}

fn main() {}
