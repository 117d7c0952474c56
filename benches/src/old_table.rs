//! old-table: stores of new objects into one big, long-lived table.
//!
//! A table of 1,000,000 empty slots is allocated once and kept for the whole run; then `size`
//! stores each put a fresh small object (`Item { value: i }` for the `i`-th store) into a
//! pseudo-random slot ([`crate::rng`]), replacing the one there, so an item lives until its
//! slot is hit again (about a million stores later on average). The check is the number of
//! filled slots and the sum of their values. Every store is a pointer from an old object to a
//! new one: the write barrier's and the remembered set's work, with the table scanned by the
//! collections that follow. Written for this harness.

use crate::rng::{XorShift, SEED};
use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "old-table",
    size_unit: "stores",
    quick_size: 10_000_000,
    full_size: 100_000_000,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        "Box" => boxed,
        "Rc" => rc,
        optional "gc-arena" => gc_arena,
    },
    java_class: Some("OldTable"),
    hotspot: HotSpot::DEFAULT_SIZING,
    go: true,
    notes: "The table: `Gc<[GcCell<Option<Gc<Item>>>]>` from `Gc::from_vec`, held by a `Root`, \
            in tenured-gc; `Gc<Vec<Lock<Option<Gc<Item>>>>>` as the arena's root in gc-arena; \
            `Vec<Option<Box<Item>>>` and `Vec<Option<Rc<Item>>>`; an `Item[]` in Java and a \
            `[]*Item` in Go. tenured-gc runs a `heap.mutate` scope per 10,000 stores, \
            gc-arena an `arena.mutate` (followed by `collect_debt`) per 10,000.",
};

/// Slots in the table.
const SLOTS: u64 = 1_000_000;
/// Stores per mutation scope, for the peers that have scopes.
const BATCH: u64 = 10_000;

/// The stores in batches: each batch is a range of store numbers.
fn batches(stores: u32) -> impl Iterator<Item = std::ops::Range<u64>> {
    let stores = u64::from(stores);
    (0..stores)
        .step_by(BATCH as usize)
        .map(move |start| start..(start + BATCH).min(stores))
}

/// Prints the check line from the values of the filled slots.
fn print(stores: u32, values: impl Iterator<Item = u64>) {
    let (filled, sum) = values.fold((0u64, 0u64), |(n, sum), v| (n + 1, sum + v));
    println!("{SLOTS} slots, {stores} stores: {filled} slots filled, values sum to {sum}");
}

fn tenured_gc(stores: u32) {
    use tenured_gc::{Gc, GcCell, Heap, Root, Trace};

    #[derive(Trace)]
    struct Item {
        value: u64,
    }

    type Slot<'gc> = GcCell<'gc, Option<Gc<'gc, Item>>>;

    let mut heap = Heap::new();
    let table: Root<[Slot<'static>]> = heap.mutate(|m| {
        let slots: Vec<Slot<'_>> = (0..SLOTS).map(|_| GcCell::new(None)).collect();
        m.root(Gc::from_vec(m, slots))
    });
    let mut rng = XorShift::new(SEED);
    for batch in batches(stores) {
        heap.mutate(|m| {
            let table = table.get(m);
            for value in batch {
                let slot = rng.below(SLOTS) as usize;
                table[slot].set(m, Some(Gc::new(m, Item { value })));
            }
        });
    }
    heap.mutate(|m| {
        print(
            stores,
            table.get(m).iter().flat_map(|s| s.get()).map(|i| i.value),
        )
    });
    crate::print_pauses(&heap.stats());
}

/// The program for peers whose items are plain owned values: `new` makes one, `value` reads it.
fn owned<P>(stores: u32, new: impl Fn(u64) -> P, value: impl Fn(&P) -> u64) {
    let mut table: Vec<Option<P>> = (0..SLOTS).map(|_| None).collect();
    let mut rng = XorShift::new(SEED);
    for i in 0..u64::from(stores) {
        let slot = rng.below(SLOTS) as usize;
        table[slot] = Some(new(i));
    }
    print(stores, table.iter().flatten().map(value));
}

struct Item {
    value: u64,
}

fn boxed(stores: u32) {
    owned(stores, |value| Box::new(Item { value }), |b| b.value);
}

fn rc(stores: u32) {
    owned(
        stores,
        |value| std::rc::Rc::new(Item { value }),
        |r| r.value,
    );
}

#[cfg(feature = "gc-arena")]
fn gc_arena(stores: u32) {
    use gc_arena::{Arena, Collect, Gc, Lock, Rootable};

    #[derive(Collect)]
    #[collect(require_static)]
    struct Item {
        value: u64,
    }

    type Table<'gc> = Gc<'gc, Vec<Lock<Option<Gc<'gc, Item>>>>>;

    let mut arena = Arena::<Rootable![Table<'_>]>::new(|mc| {
        Gc::new(mc, (0..SLOTS).map(|_| Lock::new(None)).collect())
    });
    let mut rng = XorShift::new(SEED);
    for batch in batches(stores) {
        arena.mutate(|mc, &table| {
            for value in batch {
                let slot = rng.below(SLOTS) as usize;
                let item = Gc::new(mc, Item { value });
                Gc::write(mc, table)[slot].unlock().set(Some(item));
            }
        });
        arena.collect_debt();
    }
    arena.mutate(|_, table| print(stores, table.iter().flat_map(|s| s.get()).map(|i| i.value)));
}
