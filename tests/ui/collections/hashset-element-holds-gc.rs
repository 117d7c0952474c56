// A `HashSet` element that holds a `Gc`, inside a struct whose other fields the collector scans from its pointer map: the set's elements cannot be rewritten in place, so a set of them is not `Trace`, wherever it appears and whether or not it is allocated.
use std::collections::HashSet;
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
struct Names<'gc> {
    first: Gc<'gc, str>,
    all: HashSet<Name<'gc>>,
}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let first = Gc::new_str(m, "x");
        let names = Gc::new(m, Names { first, all: HashSet::from([Name(first)]) });
        assert_eq!(names.all.len(), 1);
    });
}
