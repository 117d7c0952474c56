// A `HashMap` whose hasher holds a `Gc`: the hasher is never traced, so a traced map's hasher must be `'static`.
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasher;

use tenured_gc::{Gc, Trace};

#[derive(Clone, Copy)]
struct SeededHasher<'gc> {
    seed: Gc<'gc, u64>,
}

impl BuildHasher for SeededHasher<'_> {
    type Hasher = DefaultHasher;

    fn build_hasher(&self) -> DefaultHasher {
        let mut hasher = DefaultHasher::new();
        std::hash::Hasher::write_u64(&mut hasher, *self.seed);
        hasher
    }
}

#[derive(Trace)]
struct Index<'gc> {
    entries: HashMap<u64, Gc<'gc, i64>, SeededHasher<'gc>>,
}

fn main() {}
