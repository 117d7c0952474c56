//! threads: one server-like program on one thread and on two, each thread with its own heap.
//!
//! `size` requests are split evenly between the threads. A request builds a binary tree of
//! depth 8 (511 nodes) holding numbers derived from the request, sums it, and keeps a summary
//! of the result in its thread's table of the last 1,000 results: an old table receiving new
//! pointers. Every 5,000 requests a thread ends its session: it drops its heap and starts a new
//! one, whose memory comes from the process's pool where the peer has one. The check line is
//! the sum of all results, the same however the requests are split. Written for this harness.
//!
//! Ratios between the rows of one peer are the speedup from one thread to two; on a machine
//! with two cores, two threads should take little more than half the time of one.

use crate::{peers, HotSpot, Workload};

pub const WORKLOAD: Workload = Workload {
    name: "threads",
    size_unit: "requests",
    quick_size: 20_000,
    full_size: 200_000,
    peers: peers! {
        "tenured-gc 1 thread" => tenured_gc_1,
        "tenured-gc 2 threads" => tenured_gc_2,
        "Box 1 thread" => boxed_1,
        "Box 2 threads" => boxed_2,
    },
    java_class: None,
    hotspot: HotSpot::NONE,
    go: false,
    notes: "Each tenured-gc thread makes its own `Heap` (one `heap.mutate` per request) and a \
            new one per session; the heaps share only the process-wide pool of freed chunks. \
            Box threads share the system allocator.",
};

const DEPTH: u32 = 8;
const TABLE: usize = 1_000;
const SESSION: u32 = 5_000;

/// The value of node `i` (in pre-order) of request `r`'s tree.
fn value(r: u32, i: u64) -> u64 {
    (u64::from(r) * 31 + i) % 1_000
}

/// Runs `requests` on `threads` threads, each running `serve(first, count)` on its share, and
/// prints the sum of the results.
fn split(requests: u32, threads: u32, serve: fn(u32, u32) -> u64) {
    let share = requests / threads;
    let workers: Vec<_> = (0..threads)
        .map(|t| std::thread::spawn(move || serve(t * share, share)))
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    println!("{} requests\t sum of results: {total}", share * threads);
}

fn tenured_gc_1(requests: u32) {
    split(requests, 1, tenured_gc)
}

fn tenured_gc_2(requests: u32) {
    split(requests, 2, tenured_gc)
}

fn boxed_1(requests: u32) {
    split(requests, 1, boxed)
}

fn boxed_2(requests: u32) {
    split(requests, 2, boxed)
}

fn tenured_gc(first: u32, count: u32) -> u64 {
    use tenured_gc::{Gc, GcVec, Heap, Mutation, Trace};

    #[derive(Trace)]
    struct Node<'gc> {
        value: u64,
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    #[derive(Trace)]
    struct Summary {
        request: u32,
        sum: u64,
    }

    fn tree<'gc>(m: &Mutation<'gc>, r: u32, depth: u32, next: &mut u64) -> Gc<'gc, Node<'gc>> {
        let value = value(r, *next);
        *next += 1;
        let (left, right) = if depth > 0 {
            (
                Some(tree(m, r, depth - 1, next)),
                Some(tree(m, r, depth - 1, next)),
            )
        } else {
            (None, None)
        };
        Gc::new(m, Node { value, left, right })
    }

    fn sum(node: &Node<'_>) -> u64 {
        node.value + node.left.map_or(0, |n| sum(&n)) + node.right.map_or(0, |n| sum(&n))
    }

    let mut total = 0;
    let mut r = first;
    while r < first + count {
        let mut heap = Heap::new();
        let table = heap.mutate(|m| m.root(Gc::new(m, GcVec::<Gc<Summary>>::new())));
        let end = (r + SESSION).min(first + count);
        for request in r..end {
            total += heap.mutate(|m| {
                let root = tree(m, request, DEPTH, &mut 0);
                let result = sum(&root);
                let summary = Gc::new(
                    m,
                    Summary {
                        request,
                        sum: result,
                    },
                );
                let table = table.get(m);
                if table.len() < TABLE {
                    table.push(m, summary);
                } else {
                    table.set(m, request as usize % TABLE, summary);
                }
                result
            });
        }
        // The table holds the last results of the session.
        heap.mutate(|m| {
            let table = table.get(m);
            assert!(table.iter().all(|s| s.request < end && s.sum > 0));
        });
        r = end;
    }
    total
}

fn boxed(first: u32, count: u32) -> u64 {
    struct Node {
        value: u64,
        left: Option<Box<Node>>,
        right: Option<Box<Node>>,
    }

    struct Summary {
        request: u32,
        sum: u64,
    }

    fn tree(r: u32, depth: u32, next: &mut u64) -> Box<Node> {
        let value = value(r, *next);
        *next += 1;
        let (left, right) = if depth > 0 {
            (
                Some(tree(r, depth - 1, next)),
                Some(tree(r, depth - 1, next)),
            )
        } else {
            (None, None)
        };
        Box::new(Node { value, left, right })
    }

    fn sum(node: &Node) -> u64 {
        node.value + node.left.as_deref().map_or(0, sum) + node.right.as_deref().map_or(0, sum)
    }

    let mut total = 0;
    let mut r = first;
    while r < first + count {
        let mut table: Vec<Box<Summary>> = Vec::new();
        let end = (r + SESSION).min(first + count);
        for request in r..end {
            let root = tree(request, DEPTH, &mut 0);
            let result = sum(&root);
            let summary = Box::new(Summary {
                request,
                sum: result,
            });
            if table.len() < TABLE {
                table.push(summary);
            } else {
                table[request as usize % TABLE] = summary;
            }
            total += result;
        }
        assert!(table.iter().all(|s| s.request < end && s.sum > 0));
        r = end;
    }
    total
}
