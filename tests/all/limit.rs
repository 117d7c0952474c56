//! The heap limit: `try_*` APIs report it, plain ones panic, and nothing is lost.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Trace};

use crate::common::*;

#[derive(Trace)]
struct Chunk<'gc> {
    data: [u64; 64],
    next: GcCell<'gc, Option<Gc<'gc, Chunk<'gc>>>>,
}

/// Room for a few hundred chunks of data beyond the nursery.
const LIMIT: usize = if cfg!(miri) {
    256 * 1024
} else {
    2 * 1024 * 1024
};

fn limited() -> Heap {
    let limit = LIMIT;
    Heap::with_config(HeapConfig {
        heap_limit: Some(limit),
        ..small_config()
    })
    .unwrap()
}

#[test]
fn a_growing_live_set_gets_the_limit_error_and_keeps_its_data() {
    let mut heap = limited();
    let head = heap.mutate(|m| {
        m.root(Gc::new(
            m,
            Chunk {
                data: [0; 64],
                next: GcCell::new(None),
            },
        ))
    });
    let mut built = 1u64;
    let error: tenured_gc::AllocError = loop {
        // Each scope adds 100 live chunks to the list; collections run between scopes.
        let result = heap.mutate(|m| {
            let head = head.get(m);
            for _ in 0..100 {
                let chunk = Gc::try_new(
                    m,
                    Chunk {
                        data: [built; 64],
                        next: GcCell::new(head.next.get()),
                    },
                )?;
                head.next.set(m, Some(chunk));
                built += 1;
            }
            Ok::<(), tenured_gc::AllocError>(())
        });
        if let Err(e) = result {
            break e;
        }
        assert!(built < 100_000, "the limit never hit");
    };
    assert_eq!(error.limit, LIMIT);
    assert!(error.to_string().contains("heap limit reached"), "{error}");
    assert!(heap.stats().heap_reserved <= LIMIT);
    // Everything allocated before the error is intact.
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| {
        let mut node = head.get(m).next.get();
        let mut expected = built - 1;
        while let Some(chunk) = node {
            assert_eq!(chunk.data, [expected; 64]);
            expected -= 1;
            node = chunk.next.get();
        }
        assert_eq!(expected, 0);
    });
    // Freeing the list makes room again.
    heap.mutate(|m| head.get(m).next.set(m, None));
    heap.collect_major();
    heap.mutate(|m| {
        for _ in 0..100 {
            Gc::try_new(m, [0u64; 64]).expect("room after the list was freed");
        }
    });
}

#[test]
fn the_plain_api_panics_with_a_clear_message_and_the_heap_stays_usable() {
    let mut heap = limited();
    let keep = heap.mutate(|m| m.root(Gc::new(m, Node::new(7))));
    let panic = catch_unwind(AssertUnwindSafe(|| {
        heap.mutate(|m| {
            let mut all = Vec::new();
            loop {
                all.push(Gc::new(m, [1u64; 2048]));
            }
        })
    }))
    .expect_err("allocation past the limit panics");
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("heap limit reached") && message.contains("try_"),
        "{message}"
    );
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(keep.get(m).label, "node 7"));
}

#[test]
fn a_scope_cannot_run_past_the_limit_into_the_reserved_eden() {
    // Eden may grow far past the limit: the window must still stop at eden's soft size, so
    // the limit is checked.
    let mut heap = Heap::with_config(HeapConfig {
        heap_limit: Some(LIMIT),
        max_nursery_size: 4 * LIMIT,
        ..small_config()
    })
    .unwrap();
    let refused = heap.mutate(|m| (0..LIMIT / 64).any(|_| Gc::try_new(m, [0u64; 7]).is_err()));
    assert!(
        refused,
        "allocating the limit's worth in one scope is refused"
    );
    let stats = heap.stats();
    assert!(stats.heap_reserved <= LIMIT, "{stats:?}");
    heap.verify().unwrap();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "does not finish under Miri (more than an hour); the limit paths run in the other tests here"
)]
fn a_managed_vector_at_the_limit_reports_it_and_keeps_its_elements() {
    let mut heap = limited();
    let list = heap.mutate(|m| m.root(Gc::new(m, tenured_gc::GcVec::<Gc<u64>>::new())));
    let mut pushed = 0u64;
    let error = loop {
        let result = heap.mutate(|m| {
            let list = list.get(m);
            // Each push of a new value, in scopes of a thousand, until the limit says no.
            for _ in 0..1000 {
                let value = Gc::try_new(m, pushed)?;
                list.try_push(m, value)?;
                pushed += 1;
            }
            Ok::<(), tenured_gc::AllocError>(())
        });
        if let Err(e) = result {
            break e;
        }
    };
    assert!(error.to_string().contains("limit"), "{error}");
    heap.collect_major();
    heap.mutate(|m| {
        let list = list.get(m);
        assert_eq!(list.len() as u64, pushed, "a failed push changes nothing");
        assert!(list.iter().map(|gc: Gc<u64>| *gc).eq(0..pushed));
    });
}
