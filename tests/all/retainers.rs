//! Retainer paths: the shortest named path from a root, through cycles, containers and the
//! state of `Heap::run`, never through a weak reference; and `assert_collected`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::rc::Rc;

use tenured_gc::{Gc, GcCell, GcVec, GcWeak, Heap, PathRoot, Root, RunState, Trace, WeakRoot};

#[derive(Trace)]
pub struct Link<'gc> {
    pub id: u32,
    pub next: GcCell<'gc, Option<Gc<'gc, Link<'gc>>>>,
}

pub fn link<'gc>(m: &tenured_gc::Mutation<'gc>, id: u32) -> Gc<'gc, Link<'gc>> {
    Gc::new(
        m,
        Link {
            id,
            next: GcCell::new(None),
        },
    )
}

/// A ring of `n` links; returns the first.
fn ring<'gc>(m: &tenured_gc::Mutation<'gc>, n: u32) -> Vec<Gc<'gc, Link<'gc>>> {
    let links: Vec<_> = (0..n).map(|i| link(m, i)).collect();
    for (i, l) in links.iter().enumerate() {
        l.next.set(m, Some(links[(i + 1) % links.len()]));
    }
    links
}

#[test]
fn a_path_goes_round_a_cycle_the_short_way() {
    let mut heap = Heap::new();
    let (first, fourth) = heap.mutate(|m| {
        let links = ring(m, 6);
        (m.root(links[0]), m.weak_root(links[3]))
    });
    let path = heap.retainer_path(&fourth).expect("the ring is rooted");
    let root = first.index();
    assert_eq!(path.root, PathRoot::Slot { index: root });
    assert_eq!(
        path.to_string(),
        format!("Root #{root} -> Link.next -> Link.next -> Link.next -> Link")
    );
    assert_eq!(
        path.edge_names(),
        [
            format!("Root #{root}"),
            "next".into(),
            "next".into(),
            "next".into()
        ]
    );
    // The same after the ring has moved, twice.
    heap.collect_minor();
    heap.collect_major();
    assert_eq!(heap.retainer_path(&fourth).unwrap().steps.len(), 3);
    // The first link, asked about by its own root, is reached round the ring only.
    let around = heap.retainer_path(&first);
    assert!(
        around.is_none(),
        "only its own root reaches the ring: {around:?}"
    );
}

#[derive(Trace)]
struct Watcher<'gc> {
    strong: GcCell<'gc, Option<Gc<'gc, Link<'gc>>>>,
    weak: GcCell<'gc, GcWeak<'gc, Link<'gc>>>,
}

#[test]
fn weak_references_are_not_followed() {
    let mut heap = Heap::new();
    let (watcher, target) = heap.mutate(|m| {
        let target = link(m, 1);
        let watcher = Gc::new(
            m,
            Watcher {
                strong: GcCell::new(None),
                weak: GcCell::new(Gc::downgrade(target)),
            },
        );
        (m.root(watcher), m.weak_root(target))
    });
    // Alive until a collection, but only weakly reachable: no path.
    heap.mutate(|m| assert!(target.upgrade(m).is_some()));
    assert_eq!(heap.retainer_path(&target), None);
    heap.mutate(|m| {
        let w = watcher.get(m);
        w.strong.set(m, w.weak.get().upgrade());
    });
    let path = heap.retainer_path(&target).unwrap();
    assert_eq!(
        path.to_string(),
        format!("Root #{} -> Watcher.strong -> Link", watcher.index())
    );
    heap.mutate(|m| watcher.get(m).strong.set(m, None));
    heap.assert_collected(&target);
    heap.mutate(|m| assert!(target.upgrade(m).is_none()));
    assert_eq!(heap.retainer_path(&target), None);
}

#[derive(Trace)]
struct Tables<'gc> {
    list: Vec<Gc<'gc, Link<'gc>>>,
    managed: GcVec<'gc, Gc<'gc, Link<'gc>>>,
    by_name: HashMap<String, Gc<'gc, Link<'gc>>>,
    by_pair: BTreeMap<(u8, u8), Gc<'gc, Link<'gc>>>,
    slice: Gc<'gc, [Option<Gc<'gc, Link<'gc>>>]>,
    r#type: Option<Box<Gc<'gc, Link<'gc>>>>,
}

#[derive(Trace)]
enum Value<'gc> {
    Nil,
    Pair(Gc<'gc, Link<'gc>>, Gc<'gc, Link<'gc>>),
    Named { inner: Gc<'gc, Link<'gc>> },
}

#[test]
fn paths_name_indices_keys_variants_and_fields() {
    let mut heap = Heap::new();
    let (tables, targets) = heap.mutate(|m| {
        let links: Vec<_> = (0..8).map(|i| link(m, i)).collect();
        let managed = GcVec::new();
        managed.push(m, links[6]);
        managed.push(m, links[1]);
        let tables = Gc::new(
            m,
            Tables {
                list: vec![links[6], links[6], links[0]],
                managed,
                by_name: HashMap::from([("x".to_string(), links[2])]),
                by_pair: BTreeMap::from([((1, 2), links[3])]),
                slice: Gc::from_vec(m, vec![None, Some(links[4])]),
                r#type: Some(Box::new(links[5])),
            },
        );
        let values = Gc::from_vec(
            m,
            vec![
                Value::Nil,
                Value::Pair(links[6], links[7]),
                Value::Named { inner: links[6] },
            ],
        );
        let holder = Gc::new(m, (tables, values));
        let targets: Vec<WeakRoot<Link<'static>>> = links.iter().map(|l| m.weak_root(*l)).collect();
        (m.root(holder), targets)
    });
    let root = format!("Root #{} -> (Gc<Tables>, Gc<[Value]>).0", tables.index());
    let paths: Vec<String> = targets
        .iter()
        .map(|t| heap.retainer_path(t).unwrap().to_string())
        .collect();
    assert_eq!(paths[0], format!("{root} -> Tables.list[2] -> Link"));
    assert_eq!(
        paths[1],
        format!("{root} -> Tables.managed -> [GcCell<Option<Gc<Link>>>][1] -> Link")
    );
    assert_eq!(
        paths[2],
        format!("{root} -> Tables.by_name{{\"x\"}} -> Link")
    );
    assert_eq!(
        paths[3],
        format!("{root} -> Tables.by_pair[entry 0] -> Link")
    );
    assert_eq!(
        paths[4],
        format!("{root} -> Tables.slice -> [Option<Gc<Link>>][1] -> Link")
    );
    assert_eq!(paths[5], format!("{root} -> Tables.type -> Link"));
    // The first edge found wins: the list's, before the variants'.
    assert_eq!(paths[6], format!("{root} -> Tables.list[0] -> Link"));
    let values = format!("Root #{} -> (Gc<Tables>, Gc<[Value]>).1", tables.index());
    assert_eq!(paths[7], format!("{values} -> [Value][1].Pair.1 -> Link"));
}

#[test]
fn a_root_is_left_out_of_the_path_to_its_own_object() {
    let mut heap = Heap::new();
    let (direct, holder) = heap.mutate(|m| {
        let l = link(m, 0);
        let holder = link(m, 1);
        holder.next.set(m, Some(l));
        (m.root(l), m.root(holder))
    });
    let path = heap.retainer_path(&direct).unwrap();
    assert_eq!(
        path.to_string(),
        format!("Root #{} -> Link.next -> Link", holder.index())
    );
    // A second root to the same object is a path of no steps.
    let again: Root<Link<'static>> = direct.clone();
    let path = heap.retainer_path(&direct).unwrap();
    assert!(path.steps.is_empty());
    assert_eq!(path.to_string(), format!("Root #{} -> Link", again.index()));
}

#[test]
fn paths_start_at_the_run_state_after_the_roots() {
    let mut heap = Heap::new();
    let shared = heap.mutate(|m| m.root(link(m, 100)));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let out = Rc::clone(&seen);
    let shared_weak = heap.mutate(|m| m.weak_root(shared.get(m)));
    let shared_weak = Rc::new(shared_weak);
    heap.run(
        |m| RunState::new((link(m, 0), 0u32)),
        |m, (head, step)| {
            if step == 3 {
                return ControlFlow::Break(());
            }
            // The state's list grows by one link at its head each step.
            let new_head = link(m, step + 1);
            new_head.next.set(m, Some(head));
            // The link the list began with, the last but the shared one.
            let mut last = head;
            while last.id != 0 {
                last = last.next.get().unwrap();
            }
            last.next.set(m, Some(shared.get(m)));
            let weak = m.weak_root(last);
            let (out, shared_weak) = (Rc::clone(&out), Rc::clone(&shared_weak));
            m.inspect_after_scope(move |heap| {
                assert!(heap.has_run_state());
                let path = heap.retainer_path(&weak).unwrap();
                assert_eq!(path.root, PathRoot::RunState);
                out.borrow_mut().push(path.to_string());
                // The root table comes first: the shared link is reached from its root.
                let shared = heap.retainer_path(&*shared_weak).unwrap();
                assert!(matches!(shared.root, PathRoot::Slot { .. }), "{shared}");
            });
            ControlFlow::Continue((new_head, step + 1))
        },
    );
    let seen = seen.borrow();
    assert_eq!(seen[0], "heap.run state.0 -> Link.next -> Link");
    assert_eq!(
        seen[2],
        "heap.run state.0 -> Link.next -> Link.next -> Link.next -> Link"
    );
    // Between scopes the run's state is gone: nothing reaches the list.
    drop(seen);
    heap.mutate(|m| {
        let weak = m.weak_root(shared.get(m));
        m.inspect_after_scope(move |heap| {
            assert!(!heap.has_run_state());
            let path = heap.retainer_path(&weak).unwrap();
            assert!(path.steps.is_empty(), "{path}");
        });
    });
}

#[test]
fn assert_collected_passes_once_the_last_path_is_cut() {
    let mut heap = Heap::new();
    let (holder, target) = heap.mutate(|m| {
        let target = link(m, 1);
        let holder = link(m, 0);
        holder.next.set(m, Some(target));
        (m.root(holder), m.weak_root(target))
    });
    heap.mutate(|m| holder.get(m).next.set(m, None));
    heap.assert_collected(&target);
}

#[test]
#[should_panic(
    expected = "tenured-gc: the Link is still alive after a major collection: Root #0 -> Link.next -> Link.next -> Link"
)]
fn assert_collected_prints_the_path_that_keeps_the_object_alive() {
    let mut heap = Heap::new();
    let (_ring, target) = heap.mutate(|m| {
        let links = ring(m, 4);
        (m.root(links[0]), m.weak_root(links[2]))
    });
    heap.assert_collected(&target);
}
