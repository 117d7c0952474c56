//! A derived `Debug` of managed objects ends on cycles and on long chains, and says where it
//! stopped, after the objects have moved through collections.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tenured_gc::{Gc, GcCell, GcRefCell, Heap, Root, Trace};

use crate::common::*;

#[derive(Trace, Debug)]
struct Node<'gc> {
    name: &'static str,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
}

#[derive(Trace, Debug)]
struct Link<'gc> {
    value: u32,
    next: Option<Gc<'gc, Link<'gc>>>,
}

/// Holds a value whose `Debug` panics, to check that a panic leaves no object marked.
#[derive(Trace, Debug)]
struct Holder<'gc> {
    items: GcRefCell<'gc, Vec<Gc<'gc, Faulty>>>,
}

#[derive(Trace)]
struct Faulty;

impl std::fmt::Debug for Faulty {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("Faulty cannot be written")
    }
}

const TWO_NODE_CYCLE: &str = r#"Node { name: "a", next: GcCell(Some(Node { name: "b", next: GcCell(Some(Gc(<cycle: Node>))) })) }"#;

fn two_node_cycle(heap: &mut Heap) -> Root<Node<'static>> {
    heap.mutate(|m| {
        let a = Gc::new(
            m,
            Node {
                name: "a",
                next: GcCell::new(None),
            },
        );
        let b = Gc::new(
            m,
            Node {
                name: "b",
                next: GcCell::new(Some(a)),
            },
        );
        a.next.set(m, Some(b));
        m.root(a)
    })
}

#[test]
fn a_derived_debug_of_a_two_node_cycle_stops_where_the_cycle_closes() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let a = two_node_cycle(&mut heap);
    heap.mutate(|m| assert_eq!(format!("{:?}", a.get(m)), TWO_NODE_CYCLE));
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        assert_eq!(format!("{:?}", a.get(m)), TWO_NODE_CYCLE);
        let b = a.get(m).next.get().unwrap();
        let from_b = format!("{b:?}");
        assert!(from_b.starts_with(r#"Node { name: "b""#), "{from_b}");
        assert!(
            from_b.ends_with("GcCell(Some(Gc(<cycle: Node>))) })) }"),
            "{from_b}"
        );
        let pretty = format!("{:#?}", a.get(m));
        assert_eq!(pretty.matches("<cycle: Node>").count(), 1, "{pretty}");
    });
}

#[test]
fn a_node_pointing_to_itself_is_a_cycle_of_one() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    heap.mutate(|m| {
        let a = Gc::new(
            m,
            Node {
                name: "self",
                next: GcCell::new(None),
            },
        );
        a.next.set(m, Some(a));
        assert_eq!(
            format!("{a:?}"),
            r#"Node { name: "self", next: GcCell(Some(Gc(<cycle: Node>))) }"#
        );
    });
}

#[test]
fn a_shared_object_is_written_each_time_it_is_reached() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    heap.mutate(|m| {
        let shared = Gc::new(m, 7_u8);
        let pair = Gc::new(m, (shared, shared));
        assert_eq!(format!("{pair:?}"), "(7, 7)");
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "writing 128 nested levels takes Miri minutes; no unsafe code"
)]
fn a_derived_debug_of_a_100_000_node_list_stops_at_the_depth_limit() {
    // Under Miri, which is slow to build the list, a thousand nodes: still far past the limit.
    let nodes = if cfg!(miri) { 1_000 } else { 100_000 };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let head = heap.mutate(|m| {
        let mut list = None;
        for value in (0..nodes).rev() {
            list = Some(Gc::new(m, Link { value, next: list }));
        }
        m.root(list.unwrap())
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let head = head.get(m);
        for text in [format!("{head:?}"), format!("{head:#?}")] {
            assert!(text.starts_with("Link {"), "{}", &text[..40]);
            assert_eq!(text.matches("<depth limit: Link>").count(), 1);
            // The head and the 127 links after it are written, then the limit stops the output.
            assert_eq!(text.matches("Link {").count(), 128);
            assert!(text.contains("value: 127,"));
            assert!(!text.contains("value: 128,"));
        }
        assert!(format!("{head:?}").contains("value: 127, next: Some(Gc(<depth limit: Link>))"));
    });
}

#[test]
fn a_panic_while_writing_leaves_no_object_marked() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let a = two_node_cycle(&mut heap);
    heap.mutate(|m| {
        let holder = Gc::new(
            m,
            Holder {
                items: GcRefCell::new(vec![Gc::new(m, Faulty)]),
            },
        );
        let panicked = catch_unwind(AssertUnwindSafe(|| format!("{holder:?}")));
        assert!(panicked.is_err());
        // Had the holder stayed marked as being written, it would now print as a cycle.
        holder.items.borrow_mut(m).clear();
        assert_eq!(format!("{holder:?}"), "Holder { items: GcRefCell([]) }");
        assert_eq!(format!("{:?}", a.get(m)), TWO_NODE_CYCLE);
    });
}
