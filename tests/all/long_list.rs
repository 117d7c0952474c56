//! A ten-million-node list: marking uses a work list, not the call stack.

use std::ops::ControlFlow;

use tenured_gc::{Gc, Heap, HeapConfig, RunState, Trace};

#[derive(Trace)]
struct Link<'gc> {
    value: u32,
    next: Option<Gc<'gc, Link<'gc>>>,
}

#[cfg(not(miri))]
const NODES: u32 = 10_000_000;
#[cfg(miri)]
const NODES: u32 = 2_000;

#[test]
fn a_ten_million_node_list_is_marked_and_collected() {
    // Verification walks the whole heap at every collection: too slow for this size.
    let config = HeapConfig {
        verify: false,
        ..HeapConfig::from_env()
    };
    let mut heap = Heap::with_config(config).unwrap();
    const BATCH: u32 = 100_000;
    let head = heap.run(
        |_| RunState::new((None::<Gc<Link>>, 0u32)),
        |m, (head, built)| {
            if built == NODES {
                return ControlFlow::Break(m.root(head.unwrap()));
            }
            let mut head = head;
            for value in built..(built + BATCH).min(NODES) {
                head = Some(Gc::new(m, Link { value, next: head }));
            }
            ControlFlow::Continue((head, (built + BATCH).min(NODES)))
        },
    );
    heap.collect_major();
    let stats = heap.stats();
    assert!(stats.old_used >= NODES as usize * 24, "{stats:?}");
    let count = heap.mutate(|m| {
        let (mut node, mut count, mut expected) = (Some(head.get(m)), 0u32, NODES);
        while let Some(n) = node {
            expected -= 1;
            assert_eq!(n.value, expected);
            count += 1;
            node = n.next;
        }
        count
    });
    assert_eq!(count, NODES);
    drop(head);
    heap.collect_major();
    assert_eq!(heap.stats().old_used, 0);
}
