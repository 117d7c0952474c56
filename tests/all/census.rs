//! The census counts what the roots reach, by type and space, and agrees with `stats()`.

use tenured_gc::{Census, Gc, GcWeak, Heap, HeapConfig, Root, Tally, Trace};

use crate::common::*;

/// A node that reaches another only weakly.
#[derive(Trace)]
struct Watcher<'gc> {
    watched: GcWeak<'gc, [u64; 6]>,
}

/// An object of every shape: plain nodes in a cycle, a large array, a slice of pointers, a
/// string.
#[derive(Trace)]
struct Holder<'gc> {
    ring: Gc<'gc, Node<'gc>>,
    big: Gc<'gc, [u8; 3000]>,
    items: Gc<'gc, [Gc<'gc, Node<'gc>>]>,
    name: Gc<'gc, str>,
}

const RING: usize = 50;
const ITEMS: usize = 20;

fn build(heap: &mut Heap) -> Root<Holder<'static>> {
    heap.mutate(|m| {
        let first = Gc::new(m, Node::new(0));
        let mut last = first;
        for i in 1..RING as i64 {
            let next = Gc::new(m, Node::new(i));
            last.next.set(m, Some(next));
            last = next;
        }
        last.next.set(m, Some(first)); // a cycle: each node is counted once
        for i in 0..100 {
            Gc::new(m, Node::new(-i)); // garbage
        }
        let items: Vec<_> = (0..ITEMS as i64)
            .map(|i| Gc::new(m, Node::new(i)))
            .collect();
        m.root(Gc::new(
            m,
            Holder {
                ring: first,
                big: Gc::new(m, [1; 3000]),
                items: Gc::from_vec(m, items),
                name: Gc::new_str(m, "twelve bytes"),
            },
        ))
    })
}

fn names(census: &Census) -> Vec<&'static str> {
    census.entries().iter().map(|e| e.type_name).collect()
}

#[test]
fn census_totals_agree_with_stats_after_a_major_collection() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let holder = build(&mut heap);
    heap.mutate(|m| {
        Gc::new(m, [9u8; 5000]); // large garbage
    });
    heap.collect_major();
    let census = heap.census();
    let stats = heap.stats();

    assert_eq!(
        census.young(),
        Tally::default(),
        "a major collection empties the nursery"
    );
    assert_eq!(census.old().bytes, stats.old_used as u64);
    assert_eq!(census.large().bytes, stats.large_used as u64);
    assert_eq!(census.total().bytes, stats.heap_used);
    assert_eq!(census.total().bytes, stats.live_after_last_major);

    let nodes = census.of::<Node<'static>>().unwrap();
    assert_eq!(nodes.total().objects, (RING + ITEMS) as u64);
    assert_eq!(nodes.old.objects, (RING + ITEMS) as u64);
    let big = census.of::<[u8; 3000]>().unwrap();
    assert_eq!((big.large.objects, big.old.objects), (1, 0));
    assert_eq!(big.large.bytes, 3008);
    let items = census.of::<[Gc<'static, Node<'static>>]>().unwrap();
    assert_eq!(
        items.total(),
        Tally {
            objects: 1,
            bytes: 16 + 8 * ITEMS as u64
        }
    );
    let name = census.of::<str>().unwrap();
    assert_eq!(
        name.total(),
        Tally {
            objects: 1,
            bytes: 16 + 16
        }
    );
    assert_eq!(census.of::<Holder<'static>>().unwrap().total().objects, 1);
    assert!(
        census.of::<[u8; 5000]>().is_none(),
        "garbage is not counted"
    );
    assert_eq!(census.entries().len(), 5, "{census}");
    drop(holder);

    heap.collect_major();
    let census = heap.census();
    assert_eq!(census.total(), Tally::default());
    assert!(census.entries().is_empty());
    assert_eq!(heap.stats().heap_used, 0);
}

#[test]
fn census_splits_young_old_and_large() {
    // An eden that holds what `build` makes, so that nothing is collected before the first
    // census (the small configuration's eden is smaller under Miri).
    let mut heap = Heap::with_config(HeapConfig {
        stress: None,
        tenuring_threshold: 2,
        nursery_size: 1 << 20,
        max_nursery_size: 1 << 20,
        ..small_config()
    })
    .unwrap();
    let holder = build(&mut heap);
    // Nothing collected yet: the garbage nodes take room but are not counted.
    let census = heap.census();
    let nodes = census.of::<Node<'static>>().unwrap();
    assert_eq!(nodes.young.objects, (RING + ITEMS) as u64);
    assert_eq!(census.old(), Tally::default());
    assert_eq!(census.large().objects, 1);
    let stats = heap.stats();
    assert!(
        census.total().bytes < stats.heap_used,
        "{census}\n{stats:?}"
    );
    assert_eq!(
        census.total().bytes + 100 * census_node_bytes(&census),
        stats.heap_used
    );

    // The first minor collection keeps the young objects in the survivor space: every one of
    // them is reachable.
    heap.collect_minor();
    let census = heap.census();
    let stats = heap.stats();
    assert_eq!(census.young().bytes, stats.survivor_used as u64);
    assert_eq!(census.large().bytes, stats.large_used as u64);
    assert_eq!(census.total().bytes, stats.heap_used);

    // The second promotes them.
    heap.collect_minor();
    let census = heap.census();
    assert_eq!(census.young(), Tally::default());
    assert_eq!(census.old().bytes, heap.stats().old_used as u64);
    assert_eq!(
        census.of::<Node<'static>>().unwrap().old.objects,
        (RING + ITEMS) as u64
    );

    // Half the ring dies: a minor collection does not see old garbage, the census does.
    heap.mutate(|m| {
        let ring = holder.get(m).ring;
        let mut node = ring;
        for _ in 0..RING / 2 - 1 {
            node = node.next.get().unwrap();
        }
        node.next.set(m, Some(ring));
    });
    heap.collect_minor();
    let census = heap.census();
    assert_eq!(
        census.of::<Node<'static>>().unwrap().total().objects,
        (RING / 2 + ITEMS) as u64
    );
    assert!(census.old().bytes < heap.stats().old_used as u64);
    heap.collect_major();
    assert_eq!(heap.census().total().bytes, heap.stats().heap_used);
    drop(holder);
}

/// The bytes of one `Node`, as the census counted them.
fn census_node_bytes(census: &Census) -> u64 {
    let nodes = census.of::<Node<'static>>().unwrap().total();
    nodes.bytes / nodes.objects
}

#[test]
fn census_does_not_follow_weak_references() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let (watcher, target) = heap.mutate(|m| {
        let target = Gc::new(m, [3u64; 6]);
        let watcher = Gc::new(
            m,
            Watcher {
                watched: Gc::downgrade(target),
            },
        );
        (m.root(watcher), m.root(target))
    });
    assert_eq!(heap.census().of::<[u64; 6]>().unwrap().total().objects, 1);
    drop(target);
    let census = heap.census();
    assert!(census.of::<[u64; 6]>().is_none(), "{census}");
    assert_eq!(census.of::<Watcher<'static>>().unwrap().total().objects, 1);
    drop(watcher);
}

#[test]
fn a_census_changes_nothing() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let holder = build(&mut heap);
    let before = heap.stats();
    let first = heap.census();
    assert_eq!(heap.stats(), before);
    assert_eq!(heap.census(), first);
    heap.verify().unwrap();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(holder.get(m).name.len(), 12));
    drop(holder);
}

#[test]
fn the_census_prints_a_table_sorted_by_bytes() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let holder = build(&mut heap);
    heap.collect_major();
    let census = heap.census();
    let bytes: Vec<_> = census.entries().iter().map(|e| e.total().bytes).collect();
    assert!(bytes.windows(2).all(|w| w[0] >= w[1]), "{bytes:?}");
    // 70 nodes of 64 bytes come before one array of 3008.
    let node = census.of::<Node<'static>>().unwrap().type_name;
    assert_eq!(&names(&census)[..2], [node, "[u8; 3000]"], "{census}");

    let table = census.to_string();
    let lines: Vec<_> = table.lines().collect();
    assert_eq!(lines.len(), census.entries().len() + 2, "{table}");
    assert!(
        lines[0].contains("objects") && lines[0].ends_with("type"),
        "{table}"
    );
    for (line, entry) in lines[1..].iter().zip(census.entries()) {
        assert!(line.ends_with(entry.type_name), "{line}");
        let objects: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
        assert_eq!(objects, entry.total().objects, "{line}");
    }
    let total = lines.last().unwrap();
    assert!(total.ends_with("  total"), "{table}");
    let objects: u64 = total.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(objects, census.total().objects);
    drop(holder);
}

#[test]
fn census_counts_a_long_list_without_deep_recursion() {
    let n = if cfg!(miri) { 200 } else { 100_000 };
    let mut heap = Heap::with_config(small_config()).unwrap();
    let head = heap.mutate(|m| {
        let head = Gc::new(m, Node::new(0));
        let mut tail = head;
        for i in 1..n as i64 {
            let next = Gc::new(m, Node::new(i));
            tail.next.set(m, Some(next));
            tail = next;
        }
        m.root(head)
    });
    let census = heap.census();
    assert_eq!(
        census.of::<Node<'static>>().unwrap().total().objects,
        n as u64
    );
    drop(head);
}
