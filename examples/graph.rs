//! A directed graph with cycles and shared vertices: build it from a list of edges, walk it
//! breadth-first, then drop the one root that holds it and see a major collection free every
//! vertex, cycles and all (reference counting would leak them).
//!
//! Run with `cargo run --example graph`.

use std::collections::{HashSet, VecDeque};

use tenured_gc::{Gc, GcRefCell, Heap, HeapConfig, Mutation, Trace};

#[derive(Trace)]
struct Vertex<'gc> {
    name: String,
    /// Edges are added after both ends exist, so they live in a cell: `borrow_mut(m)` runs the
    /// write barrier that tells the collector about the new pointers.
    edges: GcRefCell<'gc, Vec<Gc<'gc, Vertex<'gc>>>>,
}

/// Flights between cities. Paris, Berlin and Rome form cycles, Berlin is shared by Paris and
/// Rome, and Lisbon points into the graph while nothing points to Lisbon.
const EDGES: &[(&str, &str)] = &[
    ("Paris", "Berlin"),
    ("Paris", "Rome"),
    ("Berlin", "Warsaw"),
    ("Berlin", "Paris"),
    ("Rome", "Berlin"),
    ("Rome", "Athens"),
    ("Athens", "Paris"),
    ("Lisbon", "Paris"),
];

/// The vertex called `name`, made the first time it is asked for.
fn vertex<'gc>(
    m: &Mutation<'gc>,
    all: &mut Vec<Gc<'gc, Vertex<'gc>>>,
    name: &str,
) -> Gc<'gc, Vertex<'gc>> {
    if let Some(&v) = all.iter().find(|v| v.name == name) {
        return v;
    }
    let v = Gc::new(
        m,
        Vertex {
            name: name.into(),
            edges: GcRefCell::default(),
        },
    );
    all.push(v);
    v
}

/// The names of the vertices reachable from `start`, breadth-first, each with its distance.
///
/// The walk runs within one mutation scope, where no object moves, so the vertices' addresses
/// (`Gc::as_ptr`) tell them apart. A set kept across scopes could not use them: a collection
/// moves the vertices.
fn breadth_first<'gc>(start: Gc<'gc, Vertex<'gc>>) -> Vec<String> {
    let (mut seen, mut order) = (HashSet::from([Gc::as_ptr(start)]), Vec::new());
    let mut queue = VecDeque::from([(start, 0)]);
    while let Some((v, hops)) = queue.pop_front() {
        order.push(format!("{} ({hops})", v.name));
        for &next in v.edges.borrow().iter() {
            if seen.insert(Gc::as_ptr(next)) {
                queue.push_back((next, hops + 1));
            }
        }
    }
    order
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    let paris = heap.mutate(|m| {
        let mut all = Vec::new();
        for &(from, to) in EDGES {
            let (from, to) = (vertex(m, &mut all, from), vertex(m, &mut all, to));
            from.edges.borrow_mut(m).push(to);
        }
        println!(
            "Built {} cities and {} flights; only Paris is rooted.",
            all.len(),
            EDGES.len()
        );
        m.root(all[0]) // Paris, the first city named
    });

    // Everything reachable from the root survives. Lisbon points to Paris, but nothing points
    // to Lisbon: it is not reachable, so it is freed.
    heap.collect_major();
    let stats = heap.stats();
    println!(
        "After a major collection: {} bytes live in 5 vertices, {} freed (Lisbon).",
        stats.live_after_last_major, stats.objects_finalized
    );
    assert_eq!(stats.objects_finalized, 1);
    assert!(stats.live_after_last_major > 0);

    heap.mutate(|m| {
        let order = breadth_first(paris.get(m));
        println!(
            "Breadth-first from Paris (flights needed): {}",
            order.join(", ")
        );
        assert_eq!(
            order,
            [
                "Paris (0)",
                "Berlin (1)",
                "Rome (1)",
                "Warsaw (2)",
                "Athens (2)"
            ]
        );
    });

    // Drop the only root: the cycles keep each other pointed to, but nothing reaches them.
    drop(paris);
    heap.collect_major();
    let stats = heap.stats();
    println!(
        "Root dropped, after a major collection: {} bytes live, {} vertices freed in all.",
        stats.live_after_last_major, stats.objects_finalized
    );
    assert_eq!(stats.live_after_last_major, 0);
    assert_eq!(stats.objects_finalized, 6);
}
