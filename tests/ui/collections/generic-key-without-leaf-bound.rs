// A generic map key without a `Leaf` bound: the key type could hold a managed pointer, so the map's `Trace` impl does not apply, and the bound must be stated.
use std::collections::HashMap;
use std::hash::Hash;

use tenured_gc::Trace;

#[derive(Trace)]
struct Index<K: Eq + Hash, V> {
    entries: HashMap<K, V>,
}

fn main() {}
