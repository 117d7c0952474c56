//! Heap snapshots: the V8 `.heapsnapshot` JSON is well formed, its counts are the heap's, and
//! a breadth-first walk of it finds the retainer path the heap reports. The last test writes
//! the snapshot that `tests/snapshot-check` reads with Chrome DevTools' own parser.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::path::PathBuf;

use serde_json::{json, Value};
use tenured_gc::{
    Gc, GcCell, GcVec, GcWeak, Heap, Root, RunState, SnapshotSummary, Trace, WeakRoot,
};

use crate::retainers::{link, Link};

#[derive(Trace)]
struct Registry<'gc> {
    links: Vec<Gc<'gc, Link<'gc>>>,
    managed: GcVec<'gc, Gc<'gc, Link<'gc>>>,
    names: HashMap<u32, Gc<'gc, str>>,
    cached: GcWeak<'gc, Link<'gc>>,
    note: GcCell<'gc, Option<Gc<'gc, str>>>,
    pairs: Vec<Gc<'gc, (u32, Gc<'gc, str>)>>,
}

const TARGET: &str = "the retained string";

/// A registry of a ring of links, a managed vector, a map of strings, a weak reference and
/// pairs, the second of which holds the string `TARGET`.
fn build(heap: &mut Heap) -> (Root<Registry<'static>>, WeakRoot<str>) {
    heap.mutate(|m| {
        let links: Vec<_> = (0..5).map(|i| link(m, i)).collect();
        for (i, l) in links.iter().enumerate() {
            l.next.set(m, Some(links[(i + 1) % links.len()]));
        }
        let managed = GcVec::new();
        managed.push(m, links[1]);
        let target = Gc::new_str(m, TARGET);
        let names = (0..3)
            .map(|i| (i, Gc::new_str(m, &format!("name {i}"))))
            .collect();
        let pairs = vec![
            Gc::new(m, (0, Gc::new_str(m, "first"))),
            Gc::new(m, (1, target)),
        ];
        let registry = Gc::new(
            m,
            Registry {
                links: vec![links[0]],
                managed,
                names,
                cached: Gc::downgrade(links[2]),
                note: GcCell::new(Some(Gc::new_str(m, "a \"quoted\"\nnote"))),
                pairs,
            },
        );
        (m.root(registry), m.weak_root(target))
    })
}

/// The parts of a snapshot, parsed.
struct Parsed {
    json: Value,
    nodes: Vec<u64>,
    edges: Vec<u64>,
    strings: Vec<String>,
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

fn parse(bytes: &[u8]) -> Parsed {
    let json: Value = serde_json::from_slice(bytes).expect("the snapshot is JSON");
    let nodes = numbers(&json["nodes"]);
    let edges = numbers(&json["edges"]);
    let strings = json["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    Parsed {
        json,
        nodes,
        edges,
        strings,
    }
}

fn meta_list(json: &Value, field: &str) -> Vec<String> {
    json["snapshot"]["meta"][field]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Checks the structure of a snapshot against the summary the heap returned.
fn check_structure(p: &Parsed, summary: SnapshotSummary) {
    let node_fields = meta_list(&p.json, "node_fields");
    assert_eq!(
        node_fields,
        [
            "type",
            "name",
            "id",
            "self_size",
            "edge_count",
            "trace_node_id",
            "detachedness"
        ]
    );
    assert_eq!(
        meta_list(&p.json, "edge_fields"),
        ["type", "name_or_index", "to_node"]
    );
    let node_types = &p.json["snapshot"]["meta"]["node_types"][0];
    assert_eq!(node_types[3], "object");
    assert_eq!(node_types[9], "synthetic");
    let edge_types = &p.json["snapshot"]["meta"]["edge_types"][0];
    assert_eq!(edge_types[2], "property");
    assert_eq!(edge_types[6], "weak");
    let snapshot = &p.json["snapshot"];
    assert_eq!(
        snapshot["node_count"].as_u64().unwrap() as usize,
        summary.nodes
    );
    assert_eq!(
        snapshot["edge_count"].as_u64().unwrap() as usize,
        summary.edges
    );
    assert_eq!(p.nodes.len(), 7 * summary.nodes);
    assert_eq!(p.edges.len(), 3 * summary.edges);
    let edge_total: u64 = p.nodes.chunks(7).map(|n| n[4]).sum();
    assert_eq!(edge_total as usize, summary.edges);
    let bytes: u64 = p.nodes.chunks(7).map(|n| n[3]).sum();
    assert_eq!(bytes, summary.bytes);
    let mut ids: Vec<u64> = p.nodes.chunks(7).map(|n| n[2]).collect();
    assert!(ids.iter().all(|id| id % 2 == 1), "heap object ids are odd");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), summary.nodes, "ids are unique");
    assert_eq!(p.nodes[0], 9, "node 0 is the synthetic root");
    for node in p.nodes.chunks(7) {
        assert!((node[1] as usize) < p.strings.len());
    }
    for edge in p.edges.chunks(3) {
        assert!(
            edge[2] % 7 == 0 && (edge[2] as usize) < p.nodes.len(),
            "{edge:?}"
        );
        if edge[0] != 1 {
            assert!((edge[1] as usize) < p.strings.len(), "{edge:?}");
        }
    }
}

/// The edge names of the first path a breadth-first walk of the snapshot finds from the
/// root to the node `is_target` picks, weak edges left out: what DevTools does.
fn path_in(p: &Parsed, is_target: impl Fn(&[u64]) -> bool) -> Option<Vec<String>> {
    let count = p.nodes.len() / 7;
    let mut first_edge = vec![0usize; count + 1];
    for i in 0..count {
        first_edge[i + 1] = first_edge[i] + p.nodes[7 * i + 4] as usize;
    }
    let mut parent: Vec<Option<(usize, usize)>> = vec![None; count];
    let mut seen = vec![false; count];
    seen[0] = true;
    let mut queue = VecDeque::from([0usize]);
    while let Some(node) = queue.pop_front() {
        if is_target(&p.nodes[7 * node..7 * node + 7]) {
            let mut names = Vec::new();
            let mut at = node;
            while let Some((from, edge)) = parent[at] {
                let e = &p.edges[3 * edge..3 * edge + 3];
                names.push(match e[0] {
                    1 => format!("[{}]", e[1]),
                    _ => p.strings[e[1] as usize].clone(),
                });
                at = from;
            }
            names.reverse();
            return Some(names);
        }
        for edge in first_edge[node]..first_edge[node + 1] {
            let e = &p.edges[3 * edge..3 * edge + 3];
            let to = e[2] as usize / 7;
            if e[0] != 6 && !seen[to] {
                seen[to] = true;
                parent[to] = Some((node, edge));
                queue.push_back(to);
            }
        }
    }
    None
}

fn is_string<'p>(p: &'p Parsed, text: &'static str) -> impl Fn(&[u64]) -> bool + 'p {
    move |node| node[0] == 2 && p.strings[node[1] as usize] == text
}

#[test]
fn a_snapshot_is_well_formed_and_counts_what_the_heap_holds() {
    let mut heap = Heap::new();
    let (_registry, target) = build(&mut heap);
    for collect in [false, true] {
        if collect {
            heap.collect_major();
        }
        let mut bytes = Vec::new();
        let summary = heap.write_heap_snapshot(&mut bytes).unwrap();
        let parsed = parse(&bytes);
        check_structure(&parsed, summary);
        let census = heap.census();
        assert_eq!(summary.bytes, census.total().bytes);
        // The root node, and one node per object the roots reach.
        assert_eq!(summary.nodes as u64, 1 + census.total().objects);
        let names: Vec<&str> = parsed
            .nodes
            .chunks(7)
            .map(|n| parsed.strings[n[1] as usize].as_str())
            .collect();
        assert!(
            names.contains(&"Registry") && names.contains(&"Link"),
            "{names:?}"
        );
        assert!(
            names.contains(&"a \"quoted\"\nnote"),
            "strings are named by their text"
        );
        assert!(
            parsed.strings.iter().any(|s| s == "names{1}"),
            "map keys name edges"
        );
        let weak_edges = parsed.edges.chunks(3).filter(|e| e[0] == 6).count();
        assert_eq!(
            weak_edges, 2,
            "the registry's cache and the weak root's probe"
        );
        let path = heap.retainer_path(&target).unwrap();
        let found = path_in(&parsed, is_string(&parsed, TARGET));
        assert_eq!(found, Some(path.edge_names()), "{path}");
    }
}

#[test]
fn a_snapshot_at_a_step_has_the_run_state_node() {
    let mut heap = Heap::new();
    let out = std::rc::Rc::new(std::cell::RefCell::new(None));
    let result = std::rc::Rc::clone(&out);
    heap.run(
        |m| RunState::new((link(m, 0), Gc::new_str(m, "in the state"))),
        |m, state| {
            if out.borrow().is_some() {
                return ControlFlow::Break(());
            }
            let out = std::rc::Rc::clone(&out);
            m.inspect_after_scope(move |heap| {
                let mut bytes = Vec::new();
                let summary = heap.write_heap_snapshot(&mut bytes).unwrap();
                *out.borrow_mut() = Some((bytes, summary));
            });
            ControlFlow::Continue(state)
        },
    );
    let (bytes, summary) = result.borrow_mut().take().unwrap();
    let parsed = parse(&bytes);
    check_structure(&parsed, summary);
    assert_eq!(
        parsed.strings[parsed.nodes[7 + 1] as usize],
        "(heap.run state)"
    );
    assert_eq!((summary.nodes, summary.edges), (4, 3));
    let path = path_in(&parsed, is_string(&parsed, "in the state"));
    assert_eq!(path.unwrap(), ["heap.run state", "1"]);
}

/// Writes `snapshot.heapsnapshot` and the figures the heap reports, `expected.json`, for
/// `tests/snapshot-check/check.js`, into `$SNAPSHOT_CHECK_OUT` (CI sets it) or the tests'
/// temporary folder.
#[test]
#[cfg_attr(miri, ignore = "Miri's isolation forbids files")]
fn writes_a_snapshot_for_the_npm_check() {
    let dir = std::env::var_os("SNAPSHOT_CHECK_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snapshot-check"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut heap = Heap::new();
    let (_registry, target) = build(&mut heap);
    heap.collect_minor();
    let file = std::fs::File::create(dir.join("snapshot.heapsnapshot")).unwrap();
    let summary = heap.write_heap_snapshot(file).unwrap();
    let path = heap.retainer_path(&target).unwrap();
    let expected = json!({
        "nodes": summary.nodes,
        "edges": summary.edges,
        "bytes": summary.bytes,
        "target_string": TARGET,
        "path": path.edge_names(),
        "path_text": path.to_string(),
    });
    std::fs::write(dir.join("expected.json"), expected.to_string()).unwrap();
    let bytes = std::fs::read(dir.join("snapshot.heapsnapshot")).unwrap();
    check_structure(&parse(&bytes), summary);
}
