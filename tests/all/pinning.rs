//! Pinning: a pinned object keeps its address through minor and major collections while the
//! objects around it move, and moves again once unpinned.

use tenured_gc::{Gc, GcCell, Heap, Root, Trace};

use crate::common::*;

#[derive(Trace)]
struct Buffer<'gc> {
    bytes: [u8; 64],
    next: GcCell<'gc, Option<Gc<'gc, Buffer<'gc>>>>,
}

fn buffer<'gc>(fill: u8) -> Buffer<'gc> {
    Buffer {
        bytes: [fill; 64],
        next: GcCell::new(None),
    }
}

fn address(heap: &mut Heap, root: &Root<Buffer<'static>>) -> usize {
    heap.mutate(|m| Gc::as_ptr(root.get(m)) as usize)
}

#[test]
fn a_pinned_object_keeps_its_address_through_a_hundred_collections() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let rounds = if cfg!(miri) { 12 } else { 100 };
    // Garbage and live objects on both sides of the pinned one, young and old.
    let (before, pinned_root, after) = heap.mutate(|m| {
        for i in 0..20 {
            Gc::new(m, buffer(i));
        }
        let before = m.root(Gc::new(m, buffer(1)));
        let pinned = Gc::new(m, buffer(2));
        for i in 0..20 {
            Gc::new(m, buffer(i));
        }
        let after = m.root(Gc::new(m, buffer(3)));
        (before, m.root(pinned), after)
    });
    let pinned = heap.pin(&pinned_root);
    let at = pinned.as_ptr();
    assert_eq!(address(&mut heap, &pinned_root), at as usize);
    let mut kept = vec![before, after];
    let mut moved = 0;
    for round in 0..rounds {
        let others: Vec<usize> = kept.iter().map(|r| address(&mut heap, r)).collect();
        heap.mutate(|m| {
            // New objects, one of them stored into the pinned object (old to young).
            for i in 0..30 {
                Gc::new(m, buffer(i));
            }
            let fresh = Gc::new(m, buffer(round as u8));
            pinned_root.get(m).next.set(m, Some(fresh));
            kept.push(m.root(fresh));
        });
        if kept.len() > 6 {
            kept.remove(2); // garbage in the old generation, so compaction moves the rest
        }
        if round % 2 == 0 {
            heap.collect_minor();
        } else {
            heap.collect_major();
        }
        assert_eq!(pinned.as_ptr(), at, "round {round}");
        assert_eq!(address(&mut heap, &pinned_root), at as usize);
        // SAFETY: the object is pinned and alive, and no scope is open.
        let bytes = unsafe { (*at).bytes };
        assert_eq!(bytes, [2; 64]);
        moved += others
            .iter()
            .zip(&kept)
            .filter(|&(&was, root)| address(&mut heap, root) != was)
            .count();
        heap.mutate(|m| {
            let next = pinned_root.get(m).next.get().unwrap();
            assert_eq!(next.bytes, [round as u8; 64]);
        });
    }
    heap.verify().unwrap();
    assert!(
        moved > rounds / 2,
        "the objects around the pinned one moved ({moved} times)"
    );

    // Unpinned, it is an ordinary object again (the next test sees it slide).
    drop(pinned);
    kept.clear();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(pinned_root.get(m).bytes, [2; 64]));
    heap.verify().unwrap();
}

#[test]
fn a_pinned_old_object_stays_while_everything_before_it_dies() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let count = scaled(200);
    // Old objects, then the one to pin, then more old objects.
    let (first, target, last) = heap.mutate(|m| {
        let first: Vec<_> = (0..count)
            .map(|i| m.root(Gc::new(m, buffer(i as u8))))
            .collect();
        let target = m.root(Gc::new(m, buffer(7)));
        let last: Vec<_> = (0..count)
            .map(|i| m.root(Gc::new(m, buffer(i as u8))))
            .collect();
        (first, target, last)
    });
    heap.collect_major();
    let pinned = heap.pin(&target);
    let at = pinned.as_ptr();
    let last_before = address(&mut heap, &last[0]);
    drop(first);
    heap.collect_major();
    assert_eq!(pinned.as_ptr(), at);
    assert_eq!(address(&mut heap, &target), at as usize);
    // The objects after it slid up to it, not past it into the space the dead left.
    let last_after = address(&mut heap, &last[0]);
    assert!(last_after > at as usize && last_after <= last_before);
    heap.verify().unwrap();
    heap.mutate(|m| {
        for (i, r) in last.iter().enumerate() {
            assert_eq!(r.get(m).bytes, [i as u8; 64]);
        }
    });
    // The space before it is used again once it is unpinned.
    drop(pinned);
    heap.collect_major();
    assert!(address(&mut heap, &target) < at as usize);
    heap.verify().unwrap();
}

#[test]
fn pinning_a_large_object_or_pinning_twice_changes_nothing() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let large = heap.mutate(|m| m.root(Gc::from_vec(m, vec![5_u64; 1000])));
    let one = heap.pin(&large);
    let two = heap.pin(&large);
    assert_eq!(one.as_ptr(), two.as_ptr());
    heap.collect_major();
    drop(one);
    heap.collect_major();
    let now = heap.mutate(|m| Gc::as_ptr(large.get(m)).cast::<u8>() as usize);
    assert_eq!(two.as_ptr().cast::<u8>() as usize, now);
    // SAFETY: pinned, alive, no scope open.
    assert_eq!(unsafe { (*two.as_ptr())[999] }, 5);
}

#[test]
#[should_panic(expected = "a Root was used with a heap other than the one that created it")]
fn pinning_a_root_of_another_heap_panics() {
    let mut one = Heap::new();
    let mut other = Heap::new();
    let root = one.mutate(|m| m.root(Gc::new(m, 1_u8)));
    other.pin(&root);
}
