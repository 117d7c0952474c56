// The keys users put in traced maps and sets are leaves: strings, numbers, tuples, boxes, derived pointer-free types (recursive ones too), and a generic key with a `Leaf` bound.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::Hash;

use tenured_gc::{Gc, Heap, Leaf, Trace};

#[derive(Trace, PartialEq, Eq, Hash, PartialOrd, Ord, Clone)]
struct Id {
    name: String,
    version: (u32, Option<u16>),
}

#[derive(Trace, PartialEq, Eq, PartialOrd, Ord)]
struct Path {
    head: &'static str,
    rest: Option<Box<Path>>,
}

#[derive(Trace)]
struct Index<K: Leaf + Eq + Hash, V> {
    entries: HashMap<K, V>,
}

#[derive(Trace)]
struct Tables<'gc> {
    by_name: HashMap<String, Gc<'gc, str>>,
    by_number: BTreeMap<u64, Gc<'gc, i64>>,
    by_pair: HashMap<(i32, char), Gc<'gc, i64>>,
    by_id: BTreeMap<Id, Gc<'gc, str>>,
    by_boxed: HashMap<Box<str>, u8>,
    paths: BTreeSet<Path>,
    seen: HashSet<&'static str>,
    index: Index<Id, Gc<'gc, str>>,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let id = Id { name: "core".into(), version: (1, None) };
        let s = Gc::new_str(m, "gc");
        let tables = Tables {
            by_name: HashMap::from([("a".to_string(), s)]),
            by_number: BTreeMap::from([(1, Gc::new(m, -1_i64))]),
            by_pair: HashMap::from([((1, 'x'), Gc::new(m, 2_i64))]),
            by_id: BTreeMap::from([(id.clone(), s)]),
            by_boxed: HashMap::from([("b".into(), 3)]),
            paths: BTreeSet::from([Path { head: "usr", rest: Some(Box::new(Path { head: "lib", rest: None })) }]),
            seen: HashSet::from(["x"]),
            index: Index { entries: HashMap::from([(id, s)]) },
        };
        m.root(Gc::new(m, tables))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let tables = root.get(m);
        assert_eq!(&*tables.by_name["a"], "gc");
        assert_eq!(*tables.by_number[&1], -1);
        assert_eq!(tables.index.entries.values().map(|s| &**s).collect::<Vec<_>>(), ["gc"]);
        assert_eq!(tables.paths.first().unwrap().rest.as_ref().unwrap().head, "lib");
    });
}
