//! cycles: doubly linked rings, so that every node is in a cycle.
//!
//! Each round builds `size` nodes in rings of 100 (node `i` holds the value `i`), keeps them
//! all alive while it walks every ring forwards along `next` and backwards along `prev`
//! (summing values and checking that each walk comes back to its start), then drops them all
//! and collects. Five rounds. The shape of the cycle-collection tests of dumpster and rust-cc,
//! scaled up; written for this harness.

use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "cycles",
    size_unit: "nodes",
    quick_size: 200_000,
    full_size: 1_000_000,
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
    notes: "Box cannot make a ring: its row keeps each ring in one `Vec` with index links \
            (one allocation per ring, not per node). Rc links back with `Weak` and breaks \
            each ring's one strong cycle by hand before dropping it. bumpalo drops a \
            round's arena. After each round: `collect_major` in tenured-gc, `force_collect` in \
            gc, `finish_cycle` in gc-arena, `collect` in dumpster, `collect_cycles` in \
            rust-cc.",
};

pub(crate) const RING: u64 = 100;
const ROUNDS: u32 = 5;

/// Runs the rounds: `round(nodes)` builds, walks and drops the rings, collects, and returns
/// the sum of the walks.
pub(crate) fn rounds(nodes: u32, mut round: impl FnMut(u64) -> u64) {
    let nodes = u64::from(nodes);
    for number in 1..=ROUNDS {
        let sum = round(nodes);
        println!(
            "round {number}: {} rings of {RING}, walks sum to {sum}",
            nodes / RING
        );
    }
}

/// Walks a ring both ways from `start`: `value` reads a node, `next` and `prev` step, `same`
/// compares. Returns the sum of both walks' values.
pub(crate) fn walk<N>(
    start: N,
    value: impl Fn(&N) -> u64,
    next: impl Fn(&N) -> N,
    prev: impl Fn(&N) -> N,
    same: impl Fn(&N, &N) -> bool,
) -> u64 {
    let mut sum = 0;
    for step in [&next as &dyn Fn(&N) -> N, &prev] {
        let mut node = step(&start);
        sum += value(&start);
        for _ in 1..RING {
            sum += value(&node);
            node = step(&node);
        }
        assert!(
            same(&node, &start),
            "a walk of {RING} steps ends where it began"
        );
    }
    sum
}

/// tenured-gc's rings, shared with `ring_roots`.
pub(crate) mod managed_rings {
    use tenured_gc::{Gc, GcCell, Mutation, Trace};

    use super::RING;
    pub(crate) type Link<'gc> = GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Trace)]
    pub(crate) struct Node<'gc> {
        pub(crate) value: u64,
        pub(crate) prev: Link<'gc>,
        pub(crate) next: Link<'gc>,
    }

    pub(crate) fn ring<'gc>(m: &Mutation<'gc>, first_value: u64) -> Gc<'gc, Node<'gc>> {
        let node = |value| {
            let (prev, next) = (GcCell::new(None), GcCell::new(None));
            Gc::new(m, Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first;
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            last.next.set(m, Some(node));
            node.prev.set(m, Some(last));
            last = node;
        }
        last.next.set(m, Some(first));
        first.prev.set(m, Some(last));
        first
    }

    pub(crate) fn step<'gc>(link: &Link<'gc>) -> Gc<'gc, Node<'gc>> {
        link.get().unwrap()
    }
}

/// gc-arena's rings, shared with `ring_roots`.
#[cfg(feature = "gc-arena")]
pub(crate) mod arena_rings {
    use gc_arena::barrier::unlock;
    use gc_arena::{Collect, Gc, Lock, Mutation};

    use super::RING;
    pub(crate) type Link<'gc> = Lock<Option<Gc<'gc, Node<'gc>>>>;

    #[derive(Collect)]
    #[collect(no_drop)]
    pub(crate) struct Node<'gc> {
        pub(crate) value: u64,
        pub(crate) prev: Link<'gc>,
        pub(crate) next: Link<'gc>,
    }

    pub(crate) fn ring<'gc>(mc: &Mutation<'gc>, first_value: u64) -> Gc<'gc, Node<'gc>> {
        let node = |value| {
            let (prev, next) = (Lock::new(None), Lock::new(None));
            Gc::new(mc, Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first;
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            unlock!(Gc::write(mc, last), Node, next).set(Some(node));
            unlock!(Gc::write(mc, node), Node, prev).set(Some(last));
            last = node;
        }
        unlock!(Gc::write(mc, last), Node, next).set(Some(first));
        unlock!(Gc::write(mc, first), Node, prev).set(Some(last));
        first
    }

    pub(crate) fn step<'gc>(link: &Link<'gc>) -> Gc<'gc, Node<'gc>> {
        link.get().unwrap()
    }
}

fn tenured_gc(nodes: u32) {
    use managed_rings::{ring, step};
    use tenured_gc::{Gc, Heap};

    let mut heap = Heap::new();
    rounds(nodes, |nodes| {
        let sum = heap.mutate(|m| {
            let rings: Vec<_> = (0..nodes)
                .step_by(RING as usize)
                .map(|v| ring(m, v))
                .collect();
            rings
                .into_iter()
                .map(|r| {
                    walk(
                        r,
                        |n| n.value,
                        |n| step(&n.next),
                        |n| step(&n.prev),
                        |a, b| Gc::ptr_eq(*a, *b),
                    )
                })
                .sum()
        });
        heap.collect_major();
        sum
    });
}

pub(crate) fn boxed(nodes: u32) {
    /// A node of a ring kept in one vector, linked by indices.
    struct Node {
        value: u64,
        prev: usize,
        next: usize,
    }

    fn ring(first_value: u64) -> Vec<Node> {
        let len = RING as usize;
        (0..len)
            .map(|i| Node {
                value: first_value + i as u64,
                prev: (i + len - 1) % len,
                next: (i + 1) % len,
            })
            .collect()
    }

    rounds(nodes, |nodes| {
        let rings: Vec<Vec<Node>> = (0..nodes).step_by(RING as usize).map(ring).collect();
        rings
            .iter()
            .map(|r| {
                walk(
                    0,
                    |&i| r[i].value,
                    |&i| r[i].next,
                    |&i| r[i].prev,
                    |a, b| a == b,
                )
            })
            .sum()
    });
}

pub(crate) fn rc(nodes: u32) {
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};

    struct Node {
        value: u64,
        prev: RefCell<Weak<Node>>,
        next: RefCell<Option<Rc<Node>>>,
    }

    fn ring(first_value: u64) -> Rc<Node> {
        let node = |value, prev| {
            let (prev, next) = (RefCell::new(prev), RefCell::new(None));
            Rc::new(Node { value, prev, next })
        };
        let first = node(first_value, Weak::new());
        let mut last = first.clone();
        for value in first_value + 1..first_value + RING {
            let node = node(value, Rc::downgrade(&last));
            *last.next.borrow_mut() = Some(node.clone());
            last = node;
        }
        *last.next.borrow_mut() = Some(first.clone());
        *first.prev.borrow_mut() = Rc::downgrade(&last);
        first
    }

    /// Breaks the ring's strong cycle of `next` links, so that dropping `first` frees it.
    fn unlink(first: &Rc<Node>) {
        let last = first.prev.borrow().upgrade().unwrap();
        last.next.borrow_mut().take();
    }

    rounds(nodes, |nodes| {
        let rings: Vec<_> = (0..nodes).step_by(RING as usize).map(ring).collect();
        let sum = rings
            .iter()
            .map(|r| {
                walk(
                    r.clone(),
                    |n| n.value,
                    |n| n.next.borrow().clone().unwrap(),
                    |n| n.prev.borrow().upgrade().unwrap(),
                    Rc::ptr_eq,
                )
            })
            .sum();
        rings.iter().for_each(unlink);
        sum
    });
}

#[cfg(feature = "bumpalo")]
fn bumpalo(nodes: u32) {
    use bumpalo::Bump;
    use std::cell::Cell;

    type Link<'a> = Cell<Option<&'a Node<'a>>>;

    struct Node<'a> {
        value: u64,
        prev: Link<'a>,
        next: Link<'a>,
    }

    fn ring(arena: &Bump, first_value: u64) -> &Node<'_> {
        let node = |value| {
            let (prev, next) = (Cell::new(None), Cell::new(None));
            &*arena.alloc(Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first;
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            last.next.set(Some(node));
            node.prev.set(Some(last));
            last = node;
        }
        last.next.set(Some(first));
        first.prev.set(Some(last));
        first
    }

    fn step<'a>(link: &Link<'a>) -> &'a Node<'a> {
        link.get().unwrap()
    }

    rounds(nodes, |nodes| {
        let arena = Bump::new();
        let rings: Vec<_> = (0..nodes)
            .step_by(RING as usize)
            .map(|v| ring(&arena, v))
            .collect();
        rings
            .into_iter()
            .map(|r| {
                walk(
                    r,
                    |n| n.value,
                    |n| step(&n.next),
                    |n| step(&n.prev),
                    |a, b| std::ptr::eq(*a, *b),
                )
            })
            .sum()
    });
}

#[cfg(feature = "gc")]
#[allow(non_local_definitions)] // tenured_gc_derive 0.5 puts its impls in a named `const`
fn gc(nodes: u32) {
    use gc::{Finalize, Gc, GcCell, Trace};

    type Link = GcCell<Option<Gc<Node>>>;

    #[derive(Trace, Finalize)]
    struct Node {
        value: u64,
        prev: Link,
        next: Link,
    }

    fn ring(first_value: u64) -> Gc<Node> {
        let node = |value| {
            let (prev, next) = (GcCell::new(None), GcCell::new(None));
            Gc::new(Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first.clone();
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            *last.next.borrow_mut() = Some(node.clone());
            *node.prev.borrow_mut() = Some(last);
            last = node;
        }
        *last.next.borrow_mut() = Some(first.clone());
        *first.prev.borrow_mut() = Some(last);
        first
    }

    let step = |link: &Link| link.borrow().clone().unwrap();
    rounds(nodes, |nodes| {
        let rings: Vec<_> = (0..nodes).step_by(RING as usize).map(ring).collect();
        let sum = rings
            .into_iter()
            .map(|r| {
                walk(
                    r,
                    |n| n.value,
                    |n| step(&n.next),
                    |n| step(&n.prev),
                    Gc::ptr_eq,
                )
            })
            .sum();
        gc::force_collect();
        sum
    });
}

#[cfg(feature = "gc-arena")]
fn gc_arena(nodes: u32) {
    use arena_rings::{ring, step};
    use gc_arena::{Arena, Gc, Rootable};

    let mut arena = Arena::<Rootable![()]>::new(|_| ());
    rounds(nodes, |nodes| {
        let sum = arena.mutate(|mc, _| {
            let rings: Vec<_> = (0..nodes)
                .step_by(RING as usize)
                .map(|v| ring(mc, v))
                .collect();
            rings
                .into_iter()
                .map(|r| {
                    walk(
                        r,
                        |n| n.value,
                        |n| step(&n.next),
                        |n| step(&n.prev),
                        |a, b| Gc::ptr_eq(*a, *b),
                    )
                })
                .sum()
        });
        arena.finish_cycle();
        sum
    });
}

#[cfg(feature = "dumpster")]
fn dumpster(nodes: u32) {
    use dumpster::unsync::Gc;
    use dumpster::Trace;
    use std::cell::RefCell;

    type Link = RefCell<Option<Gc<Node>>>;

    #[derive(Trace)]
    struct Node {
        value: u64,
        prev: Link,
        next: Link,
    }

    fn ring(first_value: u64) -> Gc<Node> {
        let node = |value| {
            let (prev, next) = (RefCell::new(None), RefCell::new(None));
            Gc::new(Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first.clone();
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            *last.next.borrow_mut() = Some(node.clone());
            *node.prev.borrow_mut() = Some(last);
            last = node;
        }
        *last.next.borrow_mut() = Some(first.clone());
        *first.prev.borrow_mut() = Some(last);
        first
    }

    let step = |link: &Link| link.borrow().clone().unwrap();
    rounds(nodes, |nodes| {
        let rings: Vec<_> = (0..nodes).step_by(RING as usize).map(ring).collect();
        let sum = rings
            .into_iter()
            .map(|r| {
                walk(
                    r,
                    |n| n.value,
                    |n| step(&n.next),
                    |n| step(&n.prev),
                    Gc::ptr_eq,
                )
            })
            .sum();
        dumpster::unsync::collect();
        sum
    });
}

#[cfg(feature = "rust-cc")]
fn rust_cc(nodes: u32) {
    use rust_cc::{Cc, Finalize, Trace};
    use std::cell::RefCell;

    type Link = RefCell<Option<Cc<Node>>>;

    #[derive(Trace, Finalize)]
    struct Node {
        value: u64,
        prev: Link,
        next: Link,
    }

    fn ring(first_value: u64) -> Cc<Node> {
        let node = |value| {
            let (prev, next) = (RefCell::new(None), RefCell::new(None));
            Cc::new(Node { value, prev, next })
        };
        let first = node(first_value);
        let mut last = first.clone();
        for value in first_value + 1..first_value + RING {
            let node = node(value);
            *last.next.borrow_mut() = Some(node.clone());
            *node.prev.borrow_mut() = Some(last);
            last = node;
        }
        *last.next.borrow_mut() = Some(first.clone());
        *first.prev.borrow_mut() = Some(last);
        first
    }

    let step = |link: &Link| link.borrow().clone().unwrap();
    rounds(nodes, |nodes| {
        let rings: Vec<_> = (0..nodes).step_by(RING as usize).map(ring).collect();
        let sum = rings
            .into_iter()
            .map(|r| {
                walk(
                    r,
                    |n| n.value,
                    |n| step(&n.next),
                    |n| step(&n.prev),
                    Cc::ptr_eq,
                )
            })
            .sum();
        rust_cc::collect_cycles();
        sum
    });
}
