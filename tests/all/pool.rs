//! The process-wide pool: old chunks one heap frees are taken by the next heap (nurseries:
//! `tests/pool_alone.rs`).

use tenured_gc::{pool_stats, Gc, GcVec, Heap, HeapConfig, RunState, SendHeap};

use crate::common::small_config;

/// Promotes about `bytes` of small objects into the old generation, and returns the heap.
/// Never in stress mode: its major collections would give chunks back to the pool and take
/// them again, and `bytes_from_pool` counts every take.
fn heap_with_old_objects(bytes: usize) -> Heap {
    let config = HeapConfig {
        stress: None,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let kept = heap.mutate(|m| m.root(Gc::new(m, GcVec::<Gc<[u64; 2]>>::new())));
    for _ in 0..bytes / (32 * 500) {
        heap.mutate(|m| {
            let list = kept.get(m);
            for i in 0..500u64 {
                list.push(m, Gc::new(m, [i; 2]));
            }
        });
    }
    heap.collect_major();
    assert!(heap.stats().old_used > bytes / 2, "{:?}", heap.stats());
    heap
}

// Too slow for Miri, which checks the pool through its unit tests and through every other test
// here: each old chunk of every heap comes from the pool and goes back to it.
#[test]
#[cfg_attr(miri, ignore)]
fn a_heap_takes_the_chunks_an_earlier_heap_freed() {
    let bytes = 4 << 20;
    let before = pool_stats();
    drop(heap_with_old_objects(bytes));
    // Other tests use the pool at the same time, so this heap may not get every chunk back;
    // it gets most of them.
    let second = heap_with_old_objects(bytes);
    let stats = second.stats();
    assert!(stats.bytes_from_pool > 0, "{stats:?}");
    assert!(
        stats.bytes_from_pool as usize <= stats.old_capacity + 16 * stats.eden_size,
        "{stats:?}"
    );
    let after = pool_stats();
    assert!(
        after.reused_bytes - before.reused_bytes >= stats.bytes_from_pool,
        "{after:?}"
    );
    assert!(after.pooled_bytes <= 64 << 20);
}

#[test]
#[cfg_attr(miri, ignore)]
fn heaps_on_other_threads_share_the_pool() {
    let (rounds, objects) = (8, 1000);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let mut taken = 0;
                for _ in 0..rounds {
                    let mut heap = SendHeap::with_config(small_config(), |_| {
                        RunState::new(GcVec::<Gc<[u64; 2]>>::new())
                    })
                    .unwrap();
                    for _ in 0..4 {
                        heap.mutate(|m, list| {
                            for i in 0..objects {
                                list.push(m, Gc::new(m, [i; 2]));
                            }
                        });
                    }
                    heap.collect_major();
                    taken += heap.stats().bytes_from_pool;
                    assert_eq!(heap.mutate(|_, list| list.len()), 4 * objects as usize);
                }
                taken
            })
        })
        .collect();
    let taken: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(taken > 0, "later heaps reuse the chunks of earlier ones");
}
