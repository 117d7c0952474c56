//! Worker threads, each with its own heap, sharing one frozen graph.
//!
//! A shop's catalog (products with names, prices and links to related products, a graph with
//! cycles) is built once and frozen: every worker reads the same copy, from its own thread,
//! with no lock. Each worker serves its share of the orders in sessions, a `SendHeap` each,
//! whose state holds a handle on the catalog and the session's recent orders: an order walks
//! the catalog, prices its items in a temporary list, and leaves an order object in the
//! session's heap. The first session's heap is made on the main thread and moved to the
//! worker; the later ones the worker makes itself, from the memory the process-wide pool kept
//! when the session before was dropped. Each worker hands its last heap back to the main
//! thread, which prints what the heaps did and what the pool saw.
//!
//! `cargo run --release --example workers [ORDERS]`

use std::time::Instant;

use tenured_gc::{
    pool_stats, Frozen, Gc, GcCell, GcVec, HeapConfig, Mutation, RunState, SendHeap, Sendable,
    Shared, Trace,
};

/// A product of the frozen catalog.
#[derive(Trace)]
struct Product<'gc> {
    id: u32,
    name: String,
    cents: u64,
    /// Products bought together with this one; links go both ways, so the graph has cycles.
    related: GcCell<'gc, Option<Gc<'gc, [Gc<'gc, Product<'gc>>]>>>,
}

type Catalog = GcVec<'static, Gc<'static, Product<'static>>>;

/// One order, in a worker's heap.
#[derive(Trace)]
struct Order {
    number: u32,
    items: Vec<u32>,
    cents: u64,
}

/// A worker's session: the catalog it reads and the orders it has taken lately.
#[derive(Trace)]
struct Session<'gc> {
    catalog: Frozen<Catalog>,
    recent: GcVec<'gc, Gc<'gc, Order>>,
    served: u32,
}

/// A new session's heap.
fn session(catalog: &Frozen<Catalog>) -> SendHeap<Session<'static>> {
    let catalog = catalog.clone();
    SendHeap::with_config(HeapConfig::from_env(), move |_| {
        RunState::new(Session {
            catalog,
            recent: GcVec::new(),
            served: 0,
        })
    })
    .expect("the configuration is valid")
}

const PRODUCTS: u32 = 2_000;
const WORKERS: u32 = 2;
const SESSIONS: u32 = 4;
const RECENT: usize = 5_000;

/// Builds the catalog: `PRODUCTS` products, each related to the next three (mod the count).
fn catalog() -> Frozen<Catalog> {
    Frozen::new(|m: &Mutation<'_, Shared>| {
        let products = GcVec::new();
        for id in 0..PRODUCTS {
            products.push(
                m,
                Gc::new(
                    m,
                    Product {
                        id,
                        name: format!("product {id}"),
                        cents: 100 + u64::from(id * 37 % 900),
                        related: GcCell::new(None),
                    },
                ),
            );
        }
        for product in products.iter() {
            let related: Vec<_> = (1..=3)
                .map(|k| {
                    products
                        .get(((product.id + k) % PRODUCTS) as usize)
                        .unwrap()
                })
                .collect();
            product.related.set(m, Some(Gc::from_vec(m, related)));
        }
        RunState::new(products)
    })
}

/// Serves order `number`: picks a product, adds it and the products related to it (two hops),
/// and records the order in the session.
fn serve<'gc>(m: &Mutation<'gc, Sendable>, session: &mut Session<'gc>, number: u32) -> u64 {
    let (items, prices) = session.catalog.with(|products| {
        let first = products.get((number * 7919 % PRODUCTS) as usize).unwrap();
        let (mut items, mut prices) = (vec![first.id], vec![first.cents]);
        for &near in first.related.get().unwrap().iter() {
            for &far in near.related.get().unwrap().iter() {
                assert_eq!(far.name, format!("product {}", far.id));
                items.push(far.id);
                prices.push(far.cents);
            }
        }
        (items, prices)
    });
    // The quote: a managed list of prices, garbage once the order is made.
    let quote = Gc::from_vec(m, prices);
    let cents = quote.iter().sum();
    let order = Gc::new(
        m,
        Order {
            number,
            items,
            cents,
        },
    );
    if session.recent.len() < RECENT {
        session.recent.push(m, order);
    } else {
        session.recent.set(m, number as usize % RECENT, order);
    }
    session.served += 1;
    cents
}

fn main() {
    let orders: u32 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("ORDERS is a number"))
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let catalog = catalog();
    println!(
        "Catalog: {PRODUCTS} products, frozen: {} KiB, read by {WORKERS} workers",
        catalog.bytes() / 1024
    );

    // The first heaps are made here and moved to the workers.
    let share = orders / WORKERS / SESSIONS;
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let mut heap = session(&catalog);
            let catalog = catalog.clone();
            std::thread::spawn(move || {
                let (mut cents, mut minors, mut majors) = (0, 0, 0);
                for s in 0..SESSIONS {
                    if s > 0 {
                        // The session before is dropped first: its chunks go to the pool.
                        drop(heap);
                        heap = session(&catalog);
                    }
                    let first = (w * SESSIONS + s) * share;
                    for batch in (first..first + share).step_by(1_000) {
                        cents += heap.mutate(|m, session| {
                            (batch..(batch + 1_000).min(first + share))
                                .map(|n| serve(m, session, n))
                                .sum::<u64>()
                        });
                    }
                    let stats = heap.stats();
                    (minors, majors) = (minors + stats.minor.count, majors + stats.major.count);
                }
                (heap, cents, minors, majors)
            })
        })
        .collect();
    let mut total = 0;
    for (w, worker) in workers.into_iter().enumerate() {
        let (mut heap, cents, minors, majors) = worker.join().expect("the worker finished");
        total += cents;
        let (served, recent) = heap.mutate(|_, s| (s.served, s.recent.len()));
        let stats = heap.stats();
        println!(
            "Worker {w}: {SESSIONS} sessions of {served} orders; the last keeps its last {recent}"
        );
        println!(
            "  {minors} minor and {majors} major collections in all; last session: longest \
             pause {:.2} ms, {} KiB in use, {} KiB of chunks from the pool",
            stats.major.max.max(stats.minor.max).as_secs_f64() * 1e3,
            stats.heap_used / 1024,
            stats.bytes_from_pool / 1024,
        );
    }
    println!("All orders: {} cents", total);
    let pool = pool_stats();
    println!(
        "Process: {:.2} s; the pool of freed chunks holds {} KiB, handed out {} KiB again",
        started.elapsed().as_secs_f64(),
        pool.pooled_bytes / 1024,
        pool.reused_bytes / 1024
    );
}
