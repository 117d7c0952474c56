// A `HashMap` key that holds a `Gc`: the map gives no `&mut` to its keys, so the collector could not update the pointer when its object moves.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use tenured_gc::{Gc, Heap, Trace};

/// Hashes and compares by the pointed-to value, as a `Gc` has no stable address.
#[derive(Trace, Clone, Copy)]
struct Name<'gc>(Gc<'gc, str>);

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl Eq for Name<'_> {}

impl Hash for Name<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.0).hash(state)
    }
}

#[derive(Trace)]
struct Scope<'gc> {
    bindings: HashMap<Name<'gc>, Gc<'gc, i64>>,
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let mut bindings = HashMap::new();
        bindings.insert(Name(Gc::new_str(m, "x")), Gc::new(m, 1_i64));
        let scope = Gc::new(m, Scope { bindings });
        assert_eq!(scope.bindings.len(), 1);
    });
}
