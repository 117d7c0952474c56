//! Model-based random testing: random programs run against the heap and against a plain
//! model of the object graph, compared after every collection.
//!
//! A program is a list of operations: allocate (small, with a `String`, or with a large
//! table of extra edges in the large-object space), link, unlink, root, unroot, set a weak
//! reference, put an entry in the weak map (an ephemeron: its value is kept only while its
//! key is reachable from elsewhere), take an object's identity hash, pin and unpin an object,
//! and minor and major collections. Objects are reached from a root by a path of
//! edge choices, resolved the same way in the heap and in the model. After every collection:
//! - the heap, walked from the roots, has exactly the model's reachable subgraph, with the
//!   same ids, payloads and edges;
//! - no object is dropped twice, no reachable object is dropped, and after a major collection
//!   exactly the unreachable ones have been dropped;
//! - a weak reference is never cleared while its target is reachable, and after a major
//!   collection it is cleared exactly when its target is unreachable;
//! - reachability counts the values of the weak map's entries whose keys are reachable, and
//!   nothing else of the map: the map keeps every such entry with its value, holds no entry
//!   it was not given, and after a major collection holds exactly those;
//! - an object's identity hash is the same after any number of collections, and a pinned
//!   object (a root too) stays at its address until it is unpinned.
//!
//! `PROPTEST_CASES` sets the number of programs (CI runs thousands); a long soak by hand:
//! `PROPTEST_CASES=200000 cargo test --release --test all model`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use proptest::prelude::*;
use tenured_gc::{
    Gc, GcCell, GcDrop, GcWeak, GcWeakMap, Heap, HeapConfig, Mutation, Pinned, Root, Trace,
};

/// Records which ids were dropped, in order.
type DropLog = Rc<RefCell<Vec<u32>>>;

/// Logs its id when dropped: every node needs drop glue.
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Tracker {
    id: u32,
    #[gc(ignore)]
    log: DropLog,
}

// SAFETY: `drop` touches only the log, no managed pointer.
unsafe impl GcDrop for Tracker {}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.id);
    }
}

/// Edge slots: two inline, two in the large table (when the node has one).
const SLOTS: usize = 4;
/// Cells in a large table: enough to put it in the large-object space.
const TABLE_LEN: usize = 64;

type Edge<'gc> = GcCell<'gc, Option<Gc<'gc, PNode<'gc>>>>;

#[derive(Trace)]
struct PNode<'gc> {
    id: u32,
    payload: u64,
    text: Option<String>,
    edges: [Edge<'gc>; 2],
    table: Option<Gc<'gc, [Edge<'gc>]>>,
    weak: GcCell<'gc, GcWeak<'gc, PNode<'gc>>>,
    tracker: Tracker,
}

impl<'gc> PNode<'gc> {
    fn slot(&self, slot: usize) -> Option<&Edge<'gc>> {
        match slot {
            0 | 1 => Some(&self.edges[slot]),
            _ => self.table.map(|t| &Gc::as_ref(t)[slot - 2]),
        }
    }
}

fn payload(id: u32) -> u64 {
    u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The model of one node.
#[derive(Clone, Debug)]
struct MNode {
    text: bool,
    table: bool,
    edges: [Option<usize>; SLOTS],
    weak: Option<usize>,
}

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        text: bool,
        table: bool,
    },
    /// A chain of `len` new nodes in one scope, each pointing at the one before (through its
    /// table, every `table_every`-th node): enough to overflow eden, so the later, old nodes
    /// point at the earlier, young ones. The last node is rooted if `rooted`.
    Chain {
        len: usize,
        table_every: usize,
        rooted: bool,
    },
    Link {
        from: Sel,
        slot: usize,
        to: Sel,
    },
    Unlink {
        from: Sel,
        slot: usize,
    },
    Root(Sel),
    Unroot(usize),
    Weak {
        from: Sel,
        to: Sel,
    },
    /// Sets the weak map's entry for `key` to `value`.
    Ephemeron {
        key: Sel,
        value: Sel,
    },
    /// Removes the weak map's entry for `key`.
    Forget(Sel),
    /// Takes the object's identity hash.
    Hash(Sel),
    /// Pins the object.
    Pin(Sel),
    /// Drops a pin, by index modulo the number of pins.
    Unpin(usize),
    Minor,
    Major,
}

/// An object: a root (by index, modulo the number of roots) and a path of edge slots.
#[derive(Clone, Debug)]
struct Sel {
    root: usize,
    path: Vec<usize>,
}

fn sel() -> impl Strategy<Value = Sel> {
    (any::<usize>(), prop::collection::vec(0..SLOTS, 0..4))
        .prop_map(|(root, path)| Sel { root, path })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), prop::bool::weighted(0.15)).prop_map(|(text, table)| Op::Alloc { text, table }),
        1 => (50..if cfg!(miri) { 200usize } else { 400 }, 8..64usize, any::<bool>())
            .prop_map(|(len, table_every, rooted)| Op::Chain { len, table_every, rooted }),
        4 => (sel(), 0..SLOTS, sel()).prop_map(|(from, slot, to)| Op::Link { from, slot, to }),
        2 => (sel(), 0..SLOTS).prop_map(|(from, slot)| Op::Unlink { from, slot }),
        1 => sel().prop_map(Op::Root),
        2 => any::<usize>().prop_map(Op::Unroot),
        1 => (sel(), sel()).prop_map(|(from, to)| Op::Weak { from, to }),
        2 => (sel(), sel()).prop_map(|(key, value)| Op::Ephemeron { key, value }),
        1 => sel().prop_map(Op::Forget),
        1 => sel().prop_map(Op::Hash),
        1 => sel().prop_map(Op::Pin),
        1 => any::<usize>().prop_map(Op::Unpin),
        1 => Just(Op::Minor),
        1 => Just(Op::Major),
    ]
}

struct Model {
    nodes: Vec<MNode>,
    roots: Vec<usize>,
    /// The weak map's entries: key id to value id.
    ephemerons: HashMap<usize, usize>,
    /// The identity hashes taken, by id.
    hashes: HashMap<usize, u64>,
    /// The pinned ids, one per pin (each a root too), with the address each was pinned at.
    pins: Vec<(usize, usize)>,
}

impl Model {
    /// The id `sel` names, or `None` if there are no roots.
    fn resolve(&self, sel: &Sel) -> Option<usize> {
        let mut id = *self.roots.get(sel.root % self.roots.len().max(1))?;
        for &slot in &sel.path {
            match self.nodes[id].edges[slot] {
                Some(next) => id = next,
                None => break,
            }
        }
        Some(id)
    }

    fn has_slot(&self, id: usize, slot: usize) -> bool {
        slot < 2 || self.nodes[id].table
    }

    /// The ids reachable from the roots through edges and through the values of the weak
    /// map's entries whose keys are reachable, found in rounds until one adds nothing.
    fn reachable(&self) -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut stack = self.roots.clone();
        stack.extend(self.pins.iter().map(|&(id, _)| id));
        loop {
            while let Some(id) = stack.pop() {
                if seen.insert(id) {
                    stack.extend(self.nodes[id].edges.iter().flatten());
                }
            }
            stack.extend(
                self.ephemerons
                    .iter()
                    .filter(|(key, value)| seen.contains(key) && !seen.contains(value))
                    .map(|(_, &value)| value),
            );
            if stack.is_empty() {
                return seen;
            }
        }
    }
}

/// The same resolution as [`Model::resolve`], in the heap.
fn resolve<'gc>(
    m: &Mutation<'gc>,
    roots: &[Root<PNode<'static>>],
    sel: &Sel,
) -> Option<Gc<'gc, PNode<'gc>>> {
    let mut node = roots.get(sel.root % roots.len().max(1))?.get(m);
    for &slot in &sel.path {
        match node.slot(slot).and_then(|cell| cell.get()) {
            Some(next) => node = next,
            None => break,
        }
    }
    Some(node)
}

fn run(ops: Vec<Op>, tenuring_threshold: u8) -> Result<(), TestCaseError> {
    let config = HeapConfig {
        nursery_size: 16 * 1024,
        // Eden may grow to four times that, so chains still overflow it.
        max_nursery_size: 64 * 1024,
        large_object_threshold: 512,
        tenuring_threshold,
        ..HeapConfig::from_env()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let log: DropLog = Rc::default();
    let mut model = Model {
        nodes: Vec::new(),
        roots: Vec::new(),
        ephemerons: HashMap::new(),
        hashes: HashMap::new(),
        pins: Vec::new(),
    };
    let mut pins: Vec<Pinned<PNode<'static>>> = Vec::new();
    let mut roots: Vec<Root<PNode<'static>>> = Vec::new();
    let map: Root<WeakMap<'static>> = heap.mutate(|m| m.root(Gc::new(m, WeakMap::new())));
    for op in ops {
        match op {
            Op::Alloc { text, table } => {
                let id = model.nodes.len() as u32;
                let root = heap.mutate(|m| {
                    let table = table.then(|| {
                        Gc::from_vec(m, (0..TABLE_LEN).map(|_| GcCell::new(None)).collect())
                    });
                    let node = PNode {
                        id,
                        payload: payload(id),
                        text: text.then(|| format!("node {id}")),
                        edges: [GcCell::new(None), GcCell::new(None)],
                        table,
                        weak: GcCell::new(GcWeak::new()),
                        tracker: Tracker {
                            id,
                            log: log.clone(),
                        },
                    };
                    m.root(Gc::new(m, node))
                });
                model.nodes.push(MNode {
                    text,
                    table,
                    edges: [None; SLOTS],
                    weak: None,
                });
                model.roots.push(id as usize);
                roots.push(root);
            }
            Op::Chain {
                len,
                table_every,
                rooted,
            } => {
                let first = model.nodes.len();
                for i in 0..len {
                    let table = i > 0 && i % table_every == 0;
                    let mut edges = [None; SLOTS];
                    if i > 0 {
                        edges[if table { 2 } else { 0 }] = Some(first + i - 1);
                    }
                    model.nodes.push(MNode {
                        text: false,
                        table,
                        edges,
                        weak: None,
                    });
                }
                let root = heap.mutate(|m| {
                    let mut previous: Option<Gc<PNode>> = None;
                    for i in 0..len {
                        let id = (first + i) as u32;
                        let table = (i > 0 && i % table_every == 0).then(|| {
                            // A large object that points at a node from the start.
                            let cells = (0..TABLE_LEN)
                                .map(|k| GcCell::new(if k == 0 { previous } else { None }));
                            Gc::from_vec(m, cells.collect())
                        });
                        let inline = if table.is_some() { None } else { previous };
                        let node = PNode {
                            id,
                            payload: payload(id),
                            text: None,
                            edges: [GcCell::new(inline), GcCell::new(None)],
                            table,
                            weak: GcCell::new(GcWeak::new()),
                            tracker: Tracker {
                                id,
                                log: log.clone(),
                            },
                        };
                        previous = Some(Gc::new(m, node));
                    }
                    rooted.then(|| m.root(previous.unwrap()))
                });
                if let Some(root) = root {
                    model.roots.push(first + len - 1);
                    roots.push(root);
                }
            }
            Op::Link { from, slot, to } => {
                let (Some(a), Some(b)) = (model.resolve(&from), model.resolve(&to)) else {
                    continue;
                };
                if !model.has_slot(a, slot) {
                    continue;
                }
                model.nodes[a].edges[slot] = Some(b);
                heap.mutate(|m| {
                    let (a, b) = (
                        resolve(m, &roots, &from).unwrap(),
                        resolve(m, &roots, &to).unwrap(),
                    );
                    a.slot(slot).unwrap().set(m, Some(b));
                });
            }
            Op::Unlink { from, slot } => {
                let Some(a) = model.resolve(&from) else {
                    continue;
                };
                if !model.has_slot(a, slot) {
                    continue;
                }
                model.nodes[a].edges[slot] = None;
                heap.mutate(|m| {
                    resolve(m, &roots, &from)
                        .unwrap()
                        .slot(slot)
                        .unwrap()
                        .set(m, None)
                });
            }
            Op::Root(sel) => {
                let Some(id) = model.resolve(&sel) else {
                    continue;
                };
                model.roots.push(id);
                roots.push(heap.mutate(|m| m.root(resolve(m, &roots, &sel).unwrap())));
            }
            Op::Unroot(i) => {
                if roots.is_empty() {
                    continue;
                }
                let i = i % roots.len();
                model.roots.remove(i);
                roots.remove(i);
            }
            Op::Weak { from, to } => {
                let (Some(a), Some(b)) = (model.resolve(&from), model.resolve(&to)) else {
                    continue;
                };
                model.nodes[a].weak = Some(b);
                heap.mutate(|m| {
                    let (a, b) = (
                        resolve(m, &roots, &from).unwrap(),
                        resolve(m, &roots, &to).unwrap(),
                    );
                    a.weak.set(m, Gc::downgrade(b));
                });
            }
            Op::Ephemeron { key, value } => {
                let (Some(k), Some(v)) = (model.resolve(&key), model.resolve(&value)) else {
                    continue;
                };
                model.ephemerons.insert(k, v);
                heap.mutate(|m| {
                    let (k, v) = (
                        resolve(m, &roots, &key).unwrap(),
                        resolve(m, &roots, &value).unwrap(),
                    );
                    map.get(m).insert(m, k, v);
                });
            }
            Op::Forget(key) => {
                let Some(k) = model.resolve(&key) else {
                    continue;
                };
                let expected = model.ephemerons.remove(&k);
                let removed = heap.mutate(|m| {
                    let k = resolve(m, &roots, &key).unwrap();
                    map.get(m).remove(m, k).map(|v| v.id as usize)
                });
                prop_assert_eq!(
                    removed,
                    expected,
                    "the weak map's entry for a reachable key"
                );
            }
            Op::Hash(sel) => {
                let Some(id) = model.resolve(&sel) else {
                    continue;
                };
                let hash = heap.mutate(|m| Gc::identity_hash(resolve(m, &roots, &sel).unwrap()));
                let first = *model.hashes.entry(id).or_insert(hash);
                prop_assert_eq!(first, hash, "the identity hash of object {} changed", id);
            }
            Op::Pin(sel) => {
                let Some(id) = model.resolve(&sel) else {
                    continue;
                };
                let root = heap.mutate(|m| m.root(resolve(m, &roots, &sel).unwrap()));
                let pinned = heap.pin(&root);
                model.pins.push((id, pinned.as_ptr() as usize));
                pins.push(pinned);
            }
            Op::Unpin(i) => {
                if pins.is_empty() {
                    continue;
                }
                let i = i % pins.len();
                model.pins.remove(i);
                pins.remove(i);
            }
            Op::Minor => {
                heap.collect_minor();
                check(&mut heap, &mut model, &roots, &pins, &map, &log, false)?;
            }
            Op::Major => {
                heap.collect_major();
                check(&mut heap, &mut model, &roots, &pins, &map, &log, true)?;
            }
        }
    }
    heap.collect_major();
    check(&mut heap, &mut model, &roots, &pins, &map, &log, true)?;
    drop(pins);
    drop(map);
    drop(roots);
    drop(heap);
    let dropped = log.borrow();
    prop_assert_eq!(
        dropped.len(),
        model.nodes.len(),
        "every object is dropped exactly once in the end"
    );
    Ok(())
}

/// The weak map of a program: node to node.
type WeakMap<'gc> = GcWeakMap<'gc, PNode<'gc>, Gc<'gc, PNode<'gc>>>;

/// Compares the heap with the model after a collection; the model then forgets the weak
/// map's entries the collection removed.
fn check(
    heap: &mut Heap,
    model: &mut Model,
    roots: &[Root<PNode<'static>>],
    pins: &[Pinned<PNode<'static>>],
    map: &Root<WeakMap<'static>>,
    log: &DropLog,
    after_major: bool,
) -> Result<(), TestCaseError> {
    heap.verify()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let reachable = model.reachable();
    // A copy: in stress mode the scope below ends in a collection that drops more.
    let dropped = log.borrow().clone();
    let mut seen = HashSet::new();
    for &id in dropped.iter() {
        prop_assert!(seen.insert(id), "object {} dropped twice", id);
        prop_assert!(
            !reachable.contains(&(id as usize)),
            "reachable object {} was dropped",
            id
        );
    }
    if after_major {
        prop_assert_eq!(
            dropped.len(),
            model.nodes.len() - reachable.len(),
            "a major collection drops exactly the unreachable objects"
        );
    }
    let kept = heap.mutate(|m| -> Result<HashMap<usize, usize>, TestCaseError> {
        // The map's entries, as ids: each must be one the program made; the keys of those
        // not collected yet are still intact objects.
        let mut entries = HashMap::new();
        for (key, value) in map.get(m).entries() {
            prop_assert_eq!(key.payload, payload(key.id));
            prop_assert_eq!(value.payload, payload(value.id));
            let (key_id, value_id) = (key.id as usize, value.id as usize);
            prop_assert_eq!(model.ephemerons.get(&key_id), Some(&value_id), "a weak map entry the program did not make");
            entries.insert(key_id, (key_id, value));
        }
        for (key, value) in &model.ephemerons {
            if reachable.contains(key) || after_major {
                prop_assert_eq!(entries.contains_key(key), reachable.contains(key), "the weak map's entry for key {} (value {})", key, value);
            }
        }
        prop_assert_eq!(map.get(m).len(), entries.len());
        let mut visited = HashSet::new();
        let mut stack: Vec<(Gc<PNode>, usize)> = roots.iter().zip(&model.roots).map(|(r, &id)| (r.get(m), id)).collect();
        for (pinned, &(id, address)) in pins.iter().zip(&model.pins) {
            let node = pinned.root().get(m);
            prop_assert_eq!(Gc::as_ptr(node) as usize, address, "pinned object {} moved", id);
            stack.push((node, id));
        }
        loop {
        while let Some((node, id)) = stack.pop() {
            prop_assert_eq!(node.id as usize, id, "the heap and the model disagree on an edge");
            if !visited.insert(id) {
                continue;
            }
            let expected = &model.nodes[id];
            prop_assert_eq!(node.payload, payload(node.id));
            if let Some(&hash) = model.hashes.get(&id) {
                prop_assert_eq!(Gc::identity_hash(node), hash, "the identity hash of object {} changed", id);
            }
            prop_assert_eq!(node.text.clone(), expected.text.then(|| format!("node {id}")));
            prop_assert_eq!(node.table.is_some(), expected.table);
            if let Some(table) = node.table {
                prop_assert_eq!(table.len(), TABLE_LEN);
                prop_assert!(table[2..].iter().all(|cell| cell.get().is_none()), "unused table slots stay empty");
            }
            for slot in 0..SLOTS {
                let edge = node.slot(slot).and_then(|cell| cell.get());
                prop_assert_eq!(edge.is_some(), expected.edges[slot].is_some(), "edge {} of object {}", slot, id);
                if let (Some(next), Some(next_id)) = (edge, expected.edges[slot]) {
                    stack.push((next, next_id));
                }
            }
            let weak = node.weak.get().upgrade();
            match (weak, expected.weak) {
                (Some(target), Some(target_id)) => {
                    prop_assert_eq!(target.id as usize, target_id, "a weak reference points at the wrong object");
                    prop_assert_eq!(target.payload, payload(target.id));
                }
                (Some(_), None) => prop_assert!(false, "a weak reference appeared from nowhere"),
                (None, Some(target_id)) => prop_assert!(!reachable.contains(&target_id), "a weak reference to a reachable object was cleared"),
                (None, None) => {}
            }
            if after_major {
                if let Some(target_id) = expected.weak {
                    prop_assert_eq!(weak.is_some(), reachable.contains(&target_id), "after a major collection a weak reference lives exactly as long as its target");
                }
            }
        }
        // The values of the entries whose keys were reached, in rounds.
        for (key, value) in entries.values() {
            if visited.contains(key) && !visited.contains(&(value.id as usize)) {
                stack.push((*value, value.id as usize));
            }
        }
        if stack.is_empty() {
            break;
        }
        }
        prop_assert_eq!(visited, reachable, "the heap reaches exactly the model's objects");
        Ok(entries.into_iter().map(|(key, (_, value))| (key, value.id as usize)).collect())
    })?;
    model.ephemerons = kept;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // `PROPTEST_CASES` sets the default (256); Miri runs a few short programs.
        cases: if cfg!(miri) { 4 } else { ProptestConfig::default().cases },
        failure_persistence: if cfg!(miri) { None } else { ProptestConfig::default().failure_persistence },
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_match_the_model(
        ops in prop::collection::vec(op(), 1..if cfg!(miri) { 30 } else { 120 }),
        tenuring_threshold in 1u8..4,
    ) {
        run(ops, tenuring_threshold)?;
    }
}
