//! The process-wide pool: old chunks and nurseries one heap frees are taken by the next heap.

use tenured_gc::{pool_stats, Gc, GcVec, Heap, HeapConfig, RunState, SendHeap};

use crate::common::small_config;

/// Promotes about `bytes` of small objects into the old generation, and returns the heap.
fn heap_with_old_objects(bytes: usize) -> Heap {
    let mut heap = Heap::with_config(small_config()).unwrap();
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
    assert!(stats.bytes_from_pool as usize <= stats.old_capacity + 16 * stats.eden_size);
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

#[test]
#[cfg_attr(miri, ignore)]
fn a_heap_takes_the_nursery_an_earlier_heap_of_the_same_sizes_left() {
    // Sizes no other test uses, so that no other heap takes this nursery meanwhile.
    let config = HeapConfig {
        nursery_size: 1_536 * 1024,
        max_nursery_size: 3 * 1024 * 1024,
        ..small_config()
    };
    let touch = |heap: &mut Heap| {
        for _ in 0..20 {
            heap.mutate(|m| {
                for i in 0..1_000u64 {
                    Gc::new(m, [i; 8]);
                }
            });
        }
    };
    // A pool that other tests have filled for the moment refuses the nursery: a few tries.
    let reused = (0..5).find_map(|_| {
        let mut first = Heap::with_config(config.clone()).unwrap();
        touch(&mut first);
        drop(first);
        let mut second = Heap::with_config(config.clone()).unwrap();
        let taken = second.stats().bytes_from_pool;
        touch(&mut second);
        assert_eq!(
            second.stats().bytes_from_pool,
            taken,
            "taken once, at the start"
        );
        (taken > 0).then_some(taken)
    });
    // On Linux the nursery counts for its resident pages: some of eden at least, and never
    // more than its whole reservation.
    let taken = reused.expect("a later heap reused an earlier one's nursery");
    assert!(taken <= (3 << 20) + 2 * (3 << 20) / 8 + 4096, "{taken}");
}
