//! Objects of any size: large objects do not move; slices of any length work.

use tenured_gc::{Gc, GcCell, Heap, Trace};

use crate::common::*;

/// Elements of the large slices.
const SLICE: usize = scaled(2000);

#[derive(Trace)]
struct Matrix {
    cells: [f64; 1024],
    name: String,
}

#[derive(Trace)]
#[repr(align(64))]
struct Aligned {
    value: u64,
}

#[test]
fn large_objects_stay_put_and_die_in_a_major_collection() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let (keep, addr) = heap.mutate(|m| {
        let mut cells = [0.0; 1024];
        cells
            .iter_mut()
            .enumerate()
            .for_each(|(i, c)| *c = i as f64 / 2.0);
        let big = Gc::new(
            m,
            Matrix {
                cells,
                name: "kept".into(),
            },
        );
        Gc::new(
            m,
            Matrix {
                cells: [1.0; 1024],
                name: "garbage".into(),
            },
        );
        (m.root(big), Gc::as_ref(big) as *const Matrix as usize)
    });
    let large_before = heap.stats().large_used;
    assert!(large_before >= 2 * 8 * 1024, "{large_before}");
    for _ in 0..3 {
        heap.collect_minor();
        heap.collect_major();
    }
    heap.mutate(|m| {
        let big = keep.get(m);
        assert_eq!(
            Gc::as_ref(big) as *const Matrix as usize,
            addr,
            "large objects do not move"
        );
        assert_eq!(big.name, "kept");
        assert!(big
            .cells
            .iter()
            .enumerate()
            .all(|(i, &c)| c == i as f64 / 2.0));
    });
    assert!(heap.stats().large_used < large_before);
    drop(keep);
    heap.collect_major();
    assert_eq!(heap.stats().large_used, 0);
}

#[test]
fn over_aligned_values_are_aligned() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let roots: Vec<_> = heap.mutate(|m| {
        (0..10)
            .map(|i| m.root(Gc::new(m, Aligned { value: i })))
            .collect()
    });
    heap.collect_major();
    heap.mutate(|m| {
        for (i, r) in roots.iter().enumerate() {
            let a = r.get(m);
            assert_eq!(Gc::as_ref(a) as *const Aligned as usize % 64, 0);
            assert_eq!(a.value, i as u64);
        }
    });
}

#[test]
fn large_slices_of_managed_pointers_and_drop_glue() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let slice = heap.mutate(|m| {
        let nodes: Vec<_> = (0..SLICE as i64)
            .map(|i| GcCell::new(Some(Gc::new(m, Node::tracked(i, &counter)))))
            .collect();
        m.root(Gc::from_vec(m, nodes))
    });
    let strings = heap.mutate(|m| {
        m.root(Gc::from_vec(
            m,
            (0..SLICE + 1000)
                .map(|i| i.to_string())
                .collect::<Vec<String>>(),
        ))
    });
    for i in 0..6 {
        if i % 2 == 0 {
            heap.collect_minor()
        } else {
            heap.collect_major()
        }
        heap.mutate(|m| {
            let s = slice.get(m);
            assert_eq!(s.len(), SLICE);
            for (i, cell) in s.iter().enumerate() {
                assert_eq!(cell.get().unwrap().value, i as i64);
            }
            // Replace a few elements: stores into an old, large slice object.
            s[i].set(m, Some(Gc::new(m, Node::new(-1))));
            assert_eq!(strings.get(m)[SLICE + 999], (SLICE + 999).to_string());
        });
        // Undo, so the check above stays simple.
        heap.mutate(|m| {
            slice.get(m)[i].set(m, Some(Gc::new(m, Node::tracked(i as i64, &counter))))
        });
    }
    drop((slice, strings));
    heap.collect_major();
    assert_eq!(counter.count(), SLICE + 6);
}
