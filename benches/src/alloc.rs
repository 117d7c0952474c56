//! alloc: allocation throughput on small, short-lived objects.
//!
//! A loop allocates `size` objects of 16 bytes (two `u64`s); each is computed from the one
//! before and is garbage as soon as the next exists, so at most two are alive. Every new
//! object goes through `black_box`, so no allocation can be optimised away. Written for this
//! harness, after the allocation microbenchmarks of the collectors' own suites.

use std::hint::black_box;
use std::ops::ControlFlow;

use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "alloc",
    size_unit: "objects",
    quick_size: 10_000_000,
    full_size: 100_000_000,
    peers: peers! {
        "tenured-gc" => tenured_gc,
        "Box" => boxed,
        "Rc" => rc,
        optional "bumpalo" => bumpalo,
        optional "gc" => gc,
        optional "gc-arena" => gc_arena,
        optional "dumpster" => dumpster,
        optional "rust-cc" => rust_cc,
    },
    java_class: None,
    hotspot: HotSpot::NONE,
    go: false,
    notes: "tenured-gc allocates 1,000 objects per `heap.run` step and gc-arena 1,000 per \
            `mutate_root` (followed by `collect_debt`): collection points come between \
            batches, and only the last object of a batch is reachable there. bumpalo never \
            frees, so its memory grows with `size`; Box, Rc, dumpster and rust-cc free each \
            object when the next replaces it.",
};

/// Objects allocated per mutation scope by the peers that collect only between scopes (the
/// notes above say 1,000).
const BATCH: u64 = 1_000;

/// The payload: 16 bytes.
#[derive(Clone, Copy)]
struct Pair {
    a: u64,
    b: u64,
}

impl Pair {
    const FIRST: Pair = Pair { a: 0, b: 0 };

    /// The `i`-th object, from the one before it.
    fn next(self, i: u64) -> Pair {
        Pair {
            a: i,
            b: self.a.wrapping_add(self.b),
        }
    }
}

/// Runs the loop for peers whose objects are plain owned values: `new` allocates one, `get`
/// reads it.
fn owned<P>(objects: u32, new: impl Fn(Pair) -> P, get: impl Fn(&P) -> Pair) {
    let mut last = new(Pair::FIRST);
    for i in 1..u64::from(objects) {
        last = black_box(new(get(&last).next(i)));
    }
    print(objects, get(&last));
}

fn print(objects: u32, last: Pair) {
    println!(
        "allocated {objects} objects of 16 bytes; the last is ({}, {})",
        last.a, last.b
    );
}

fn tenured_gc(objects: u32) {
    use tenured_gc::{Gc, Heap, Mutation, RunState, Trace};

    #[derive(Trace)]
    struct Object {
        a: u64,
        b: u64,
    }

    fn new<'gc>(m: &Mutation<'gc>, pair: Pair) -> Gc<'gc, Object> {
        Gc::new(
            m,
            Object {
                a: pair.a,
                b: pair.b,
            },
        )
    }

    fn get(object: Gc<'_, Object>) -> Pair {
        Pair {
            a: object.a,
            b: object.b,
        }
    }

    let objects_u64 = u64::from(objects);
    let mut heap = Heap::new();
    let last = heap.run(
        |m| RunState::new((new(m, Pair::FIRST), 1u64)),
        |m, (mut last, start)| {
            if start == objects_u64 {
                return ControlFlow::Break(get(last));
            }
            let end = (start + BATCH).min(objects_u64);
            for i in start..end {
                last = black_box(new(m, get(last).next(i)));
            }
            ControlFlow::Continue((last, end))
        },
    );
    print(objects, last);
}

fn boxed(objects: u32) {
    owned(objects, Box::new, |b| **b);
}

fn rc(objects: u32) {
    owned(objects, std::rc::Rc::new, |r| **r);
}

#[cfg(feature = "bumpalo")]
fn bumpalo(objects: u32) {
    let arena = bumpalo::Bump::new();
    owned(objects, |pair| &*arena.alloc(pair), |p| **p);
}

#[cfg(feature = "gc")]
#[allow(non_local_definitions)] // tenured_gc_derive 0.5 puts its impls in a named `const`
fn gc(objects: u32) {
    use gc::{Finalize, Gc, Trace};

    #[derive(Trace, Finalize)]
    struct Object {
        a: u64,
        b: u64,
    }

    owned(
        objects,
        |pair| {
            Gc::new(Object {
                a: pair.a,
                b: pair.b,
            })
        },
        |o| Pair { a: o.a, b: o.b },
    );
}

#[cfg(feature = "gc-arena")]
fn gc_arena(objects: u32) {
    use gc_arena::{Arena, Collect, Gc, Rootable};

    #[derive(Collect)]
    #[collect(require_static)]
    struct Object {
        a: u64,
        b: u64,
    }

    let objects_u64 = u64::from(objects);
    let mut arena =
        Arena::<Rootable![Gc<'_, Object>]>::new(|mc| Gc::new(mc, Object { a: 0, b: 0 }));
    let mut start = 1;
    while start < objects_u64 {
        let end = (start + BATCH).min(objects_u64);
        arena.mutate_root(|mc, last| {
            for i in start..end {
                let pair = Pair {
                    a: last.a,
                    b: last.b,
                }
                .next(i);
                *last = black_box(Gc::new(
                    mc,
                    Object {
                        a: pair.a,
                        b: pair.b,
                    },
                ));
            }
        });
        arena.collect_debt();
        start = end;
    }
    print(
        objects,
        arena.mutate(|_, last| Pair {
            a: last.a,
            b: last.b,
        }),
    );
}

#[cfg(feature = "dumpster")]
fn dumpster(objects: u32) {
    use dumpster::unsync::Gc;
    use dumpster::Trace;

    #[derive(Trace)]
    struct Object {
        a: u64,
        b: u64,
    }

    owned(
        objects,
        |pair| {
            Gc::new(Object {
                a: pair.a,
                b: pair.b,
            })
        },
        |o| Pair { a: o.a, b: o.b },
    );
}

#[cfg(feature = "rust-cc")]
fn rust_cc(objects: u32) {
    use rust_cc::{Cc, Finalize, Trace};

    #[derive(Trace, Finalize)]
    struct Object {
        a: u64,
        b: u64,
    }

    owned(
        objects,
        |pair| {
            Cc::new(Object {
                a: pair.a,
                b: pair.b,
            })
        },
        |o| Pair { a: o.a, b: o.b },
    );
}
