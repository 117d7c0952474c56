//! The process-wide pool takes a dropped heap's nursery for the next heap with the same
//! reservation. In a process of its own: in the suite, other tests' heaps fill the pool with
//! their nurseries and chunks, and a full pool refuses this one's.

use tenured_gc::{pool_stats, Gc, Heap, HeapConfig};

#[test]
#[cfg_attr(miri, ignore)]
fn a_heap_takes_the_nursery_an_earlier_heap_with_the_same_reservation_left() {
    let config = HeapConfig {
        nursery_size: 1_536 * 1024,
        max_nursery_size: 3 * 1024 * 1024,
        ..HeapConfig::default()
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
    let mut first = Heap::with_config(config.clone()).unwrap();
    touch(&mut first);
    assert_eq!(
        first.stats().bytes_from_pool,
        0,
        "no nursery was pooled before"
    );
    drop(first);
    let pooled = pool_stats().pooled_bytes;
    assert!(pooled > 0, "the dropped heap's nursery waits in the pool");
    let mut second = Heap::with_config(config).unwrap();
    let taken = second.stats().bytes_from_pool;
    // On Linux the nursery counts for its resident pages: some of eden at least, and never
    // more than its whole reservation.
    assert!(taken > 0, "the second heap reused the first one's nursery");
    assert!(taken <= (3 << 20) + 2 * (3 << 20) / 8 + 4096, "{taken}");
    assert_eq!(pool_stats().pooled_bytes, pooled - taken as usize);
    touch(&mut second);
    assert_eq!(
        second.stats().bytes_from_pool,
        taken,
        "taken once, at the start"
    );
}
