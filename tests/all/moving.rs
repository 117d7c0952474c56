//! Objects keep their contents while collections move them.

use tenured_gc::{Gc, GcCell, Heap, HeapConfig, Trace};

use crate::common::*;

fn addr<T: tenured_gc::Object>(gc: Gc<'_, T>) -> usize {
    Gc::as_ref(gc) as *const T as usize
}

#[derive(Trace)]
struct Payload<'gc> {
    id: u64,
    words: [u64; 6],
    text: String,
    list: Vec<u32>,
    other: GcCell<'gc, Option<Gc<'gc, Payload<'gc>>>>,
}

impl Payload<'_> {
    fn new(id: u64) -> Self {
        Payload {
            id,
            words: [id, id * 2, id * 3, id * 4, id * 5, id * 6],
            text: format!("payload #{id}"),
            list: (0..id as u32 % 17).collect(),
            other: GcCell::new(None),
        }
    }

    fn check(&self) {
        let id = self.id;
        assert_eq!(self.words, [id, id * 2, id * 3, id * 4, id * 5, id * 6]);
        assert_eq!(self.text, format!("payload #{id}"));
        assert_eq!(self.list, (0..id as u32 % 17).collect::<Vec<_>>());
    }
}

/// Objects in the graph; a tenth of them rooted.
const OBJECTS: u64 = scaled(200) as u64;

#[test]
fn contents_survive_hundreds_of_collections_while_addresses_change() {
    let config = HeapConfig {
        tenuring_threshold: 4,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    let roots: Vec<_> = heap.mutate(|m| {
        let all: Vec<_> = (0..OBJECTS).map(|i| Gc::new(m, Payload::new(i))).collect();
        for (i, p) in all.iter().enumerate() {
            p.other.set(m, Some(all[(i * 7 + 3) % all.len()]));
        }
        all.iter().step_by(10).map(|&p| m.root(p)).collect()
    });
    let mut moves = 0;
    let mut last = heap.mutate(|m| roots.iter().map(|r| addr(r.get(m))).collect::<Vec<_>>());
    for round in 0..300 {
        // Garbage between rounds, so every collection has something to free.
        heap.mutate(|m| {
            for i in 0..scaled(50) as u64 {
                Gc::new(m, Payload::new(i));
            }
        });
        if round % 10 == 9 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        let now = heap.mutate(|m| {
            let mut reached = 0;
            for r in &roots {
                let p = r.get(m);
                p.check();
                let other = p.other.get().unwrap();
                other.check();
                assert_eq!(other.id, (p.id * 7 + 3) % OBJECTS);
                reached += 1;
            }
            assert_eq!(reached, OBJECTS / 10);
            roots.iter().map(|r| addr(r.get(m))).collect::<Vec<_>>()
        });
        moves += now.iter().zip(&last).filter(|(a, b)| a != b).count();
        last = now;
    }
    let stats = heap.stats();
    let rounds = scaled(300) as u64;
    assert!(
        stats.minor.count >= rounds * 9 / 10 && stats.major.count >= rounds / 10,
        "{stats:?}"
    );
    // Each root moved at least out of the nursery (normally also through the survivor spaces
    // and when compaction slid it over garbage freed before it).
    assert!(
        moves >= OBJECTS as usize / 10,
        "objects moved only {moves} times"
    );
    heap.verify().unwrap();
}

#[test]
fn minor_collections_age_and_promote() {
    let config = HeapConfig {
        tenuring_threshold: 3,
        ..small_config()
    };
    let mut heap = Heap::with_config(config).unwrap();
    if heap.config().stress.is_some() {
        return; // every scope collects in stress mode: ages are not counted here
    }
    let root = heap.mutate(|m| m.root(Gc::new(m, Payload::new(5))));
    for expected_old in [false, false, true] {
        heap.collect_minor();
        let stats = heap.stats();
        assert_eq!(stats.old_used > 0, expected_old, "{stats:?}");
        assert_eq!(stats.survivor_used > 0, !expected_old, "{stats:?}");
    }
    assert!(heap.stats().bytes_promoted > 0);
    heap.mutate(|m| root.get(m).check());
}

#[test]
fn slices_and_strings_move_intact() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let (s, v, nested) = heap.mutate(|m| {
        let s = Gc::new_str(m, "héllo, wörld");
        let v = Gc::from_vec(m, (0..40u64).map(|i| i * i).collect());
        let parts: Vec<_> = (0..5).map(|i| Gc::new_str(m, &"ab".repeat(i))).collect();
        let nested = Gc::from_vec(m, parts);
        (m.root(s), m.root(v), m.root(nested))
    });
    for i in 0..20 {
        if i % 4 == 3 {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.mutate(|m| {
            assert_eq!(&*s.get(m), "héllo, wörld");
            assert_eq!(
                &*v.get(m),
                &(0..40u64).map(|i| i * i).collect::<Vec<_>>()[..]
            );
            let nested = nested.get(m);
            assert_eq!(nested.len(), 5);
            for (i, part) in nested.iter().enumerate() {
                assert_eq!(&**part, "ab".repeat(i));
            }
        });
    }
    // An empty slice and a zero-sized value are objects too.
    heap.mutate(|m| {
        let empty: Gc<[u8]> = Gc::from_vec(m, Vec::new());
        let unit = Gc::new(m, ());
        assert!(empty.is_empty());
        assert_eq!(*unit, ());
    });
}

#[derive(Trace)]
struct EightWords<'gc> {
    id: u64,
    words: [u64; 6],
    next: GcCell<'gc, Option<Gc<'gc, EightWords<'gc>>>>,
}

/// A major collection of an old generation of several MiB leaves a few dead objects in place
/// (dead wood) rather than slide every object after them; a big dead stretch is compacted.
#[test]
#[cfg_attr(miri, ignore = "an old generation of 8 MiB")]
fn a_few_dead_objects_do_not_make_a_big_old_generation_move() {
    const N: usize = 100_000;
    let mut heap = Heap::new();
    type Table<'gc> = [GcCell<'gc, Option<Gc<'gc, EightWords<'gc>>>>];
    let table: tenured_gc::Root<Table<'static>> = heap.mutate(|m| {
        let slots = (0..N as u64)
            .map(|id| {
                let cell = EightWords {
                    id,
                    words: [id; 6],
                    next: GcCell::new(None),
                };
                GcCell::new(Some(Gc::new(m, cell)))
            })
            .collect();
        m.root(Gc::from_vec(m, slots))
    });
    let addresses = |heap: &mut Heap| -> Vec<Option<usize>> {
        heap.mutate(|m| table.get(m).iter().map(|s| s.get().map(addr)).collect())
    };
    // Settled: every object old, and the gaps its promotion left dealt with.
    heap.collect_major();
    heap.collect_major();
    let settled = addresses(&mut heap);
    let used = heap.stats().old_used;
    assert!(used > 4 << 20, "{used} bytes old");

    // Ten dead objects early on: every live object stays where it is.
    heap.mutate(|m| {
        for i in (100..1_100).step_by(100) {
            table.get(m)[i].set(m, None);
        }
    });
    heap.collect_major();
    let after = addresses(&mut heap);
    for (i, (was, now)) in settled.iter().zip(&after).enumerate() {
        assert!(now.is_none() || now == was, "object {i} moved");
    }
    // The dead objects' room stays used, as dead wood.
    assert_eq!(heap.stats().old_used, used);

    // A quarter of the first half dies: more than dead wood may keep, so later objects slide
    // (to chunks in the order the heap keeps them, which need not be the order of their
    // addresses), and the room is freed (all but the dead wood: a thirty-second).
    heap.mutate(|m| {
        for i in (0..N / 2).filter(|i| i % 4 == 1) {
            table.get(m)[i].set(m, None);
        }
    });
    heap.collect_major();
    let compacted = addresses(&mut heap);
    assert_ne!(compacted[N - 1], after[N - 1], "the last object slid");
    assert!(heap.stats().old_used < used - used / 16);
    heap.mutate(|m| {
        for (i, slot) in table.get(m).iter().enumerate() {
            if let Some(cell) = slot.get() {
                assert_eq!((cell.id, cell.words), (i as u64, [i as u64; 6]));
            }
        }
    });
}
