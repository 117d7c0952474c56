//! Statistics add up, each figure means what its name says, they can be read inside scopes,
//! and `GC_TRACE=1` prints a line per collection.

use std::ops::ControlFlow;
use std::process::Command;

use tenured_gc::{Gc, Heap, HeapConfig, RunState};

use crate::common::*;

const ROUNDS: i64 = if cfg!(miri) { 8 } else { 40 };
const PER_ROUND: usize = scaled(300);

#[test]
fn allocated_equals_used_plus_freed() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let check = |heap: &Heap| {
        let s = heap.stats();
        assert_eq!(s.bytes_allocated, s.heap_used + s.bytes_freed, "{s:?}");
        assert_eq!(
            s.heap_used as usize,
            s.eden_used + s.overflow_used + s.survivor_used + s.old_used + s.large_used,
            "{s:?}"
        );
    };
    let mut roots = Vec::new();
    for round in 0..ROUNDS {
        roots.push(heap.mutate(|m| {
            for i in 0..PER_ROUND as i64 {
                Gc::new(m, Node::tracked(i, &counter));
            }
            Gc::new(m, [0u8; 4000]); // large
            Gc::from_vec(m, vec![1u32; 100]);
            m.root(Gc::new(m, Node::new(round)))
        }));
        check(&heap);
        if round % 3 == 0 {
            heap.collect_minor();
        }
        if round % 7 == 0 {
            roots.drain(..roots.len() / 2);
            heap.collect_major();
        }
        check(&heap);
    }
    let s = heap.stats();
    assert!(s.minor.count > 0 && s.major.count > 0);
    assert!(s.bytes_freed > 0 && s.bytes_promoted > 0);
    assert!(
        s.minor.p50 <= s.minor.p99 && s.minor.p99 <= s.minor.max && s.minor.max <= s.minor.total
    );
    assert!(s.objects_finalized as usize >= counter.count());
    assert_eq!(counter.count(), ROUNDS as usize * PER_ROUND);
}

/// Run by `gc_trace_prints_one_line_per_collection` in a child process.
#[test]
#[ignore = "run as a child process with GC_TRACE=1"]
fn gc_trace_child() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    heap.mutate(|m| {
        Gc::new(m, 1u64);
    });
    heap.collect_minor();
    heap.collect_major();
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot start a child process")]
fn gc_trace_prints_one_line_per_collection() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "stats::gc_trace_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GC_TRACE", "1")
        .env_remove("GC_STRESS")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<_> = stderr.lines().filter(|l| l.starts_with("gc ")).collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("gc 1 minor (requested): ")
            && lines[1].starts_with("gc 2 major (requested): "),
        "{stderr}"
    );
    for line in lines {
        assert!(
            line.contains(" used (young ") && line.ends_with(" ms"),
            "{line}"
        );
    }
}

/// The small configuration without the stress mode, whatever `GC_STRESS` says: for tests of
/// exact figures.
fn unstressed() -> HeapConfig {
    HeapConfig {
        stress: None,
        ..small_config()
    }
}

#[test]
fn stats_can_be_read_inside_a_scope_and_a_step() {
    let mut heap = Heap::with_config(unstressed()).unwrap();
    let kept = heap.mutate(|m| {
        let before = m.stats();
        let kept = m.root(Gc::new(m, [0u64; 3]));
        let after = m.stats();
        assert_eq!(after.eden_used - before.eden_used, 32);
        assert_eq!(after.heap_used - before.heap_used, 32);
        assert_eq!(
            after.allocated_since_last_collection - before.allocated_since_last_collection,
            32
        );
        kept
    });
    // The steps of a long loop see the collections between them.
    let minors = heap.run(
        |_| RunState::new(0u32),
        |m, step| {
            Gc::new(m, [0u8; 512]);
            let stats = m.stats();
            if stats.minor.count >= 3 {
                ControlFlow::Break((step, stats.minor.count))
            } else {
                ControlFlow::Continue(step + 1)
            }
        },
    );
    let (steps, count) = minors;
    assert!(steps > 3 && count == 3, "{minors:?}");
    assert_eq!(heap.stats().minor.count, 3);
    drop(kept);
}

/// A leaf of 40 bytes with its header.
type Block = [u64; 4];
const BLOCK: u64 = 40;

#[test]
fn live_used_and_allocated_figures_mean_what_they_say() {
    let mut heap = Heap::with_config(unstressed()).unwrap();
    let s = heap.stats();
    assert_eq!((s.heap_used, s.live_after_last_major), (0, 0));
    assert_eq!(s.used_after_last_collection, 0);

    // Ten blocks kept, ninety garbage: all of it counts as used until a collection.
    let mut kept: Vec<_> = heap.mutate(|m| {
        for _ in 0..90 {
            Gc::new(m, Block::default());
        }
        (0..10)
            .map(|_| m.root(Gc::new(m, Block::default())))
            .collect()
    });
    let s = heap.stats();
    assert_eq!(s.heap_used, 100 * BLOCK);
    assert_eq!(s.allocated_since_last_collection, 100 * BLOCK);
    assert_eq!(s.live_after_last_major, 0, "no major collection yet");

    // A minor collection keeps the ten; nothing was allocated since.
    heap.collect_minor();
    let s = heap.stats();
    assert_eq!(s.heap_used, 10 * BLOCK);
    assert_eq!(s.used_after_last_collection, 10 * BLOCK);
    assert_eq!(s.allocated_since_last_collection, 0);
    assert_eq!(s.survivor_used as u64, 10 * BLOCK);

    // Promote them, then let half die: a minor collection does not see old garbage.
    heap.collect_minor();
    assert_eq!(heap.stats().old_used as u64, 10 * BLOCK);
    kept.truncate(5);
    heap.mutate(|m| kept.iter().for_each(|r| assert_eq!(*r.get(m), [0; 4])));
    heap.collect_minor();
    let s = heap.stats();
    assert_eq!(
        s.used_after_last_collection,
        10 * BLOCK,
        "old garbage unseen"
    );

    // A major collection finds exactly what is live.
    heap.collect_major();
    let s = heap.stats();
    assert_eq!(s.live_after_last_major, 5 * BLOCK);
    assert_eq!(s.heap_used, 5 * BLOCK);
    assert_eq!(s.used_after_last_collection, 5 * BLOCK);
    assert_eq!(s.bytes_allocated, s.heap_used + s.bytes_freed);

    // Allocation since then shows in what is used and allocated, not in what was live.
    let more = heap.mutate(|m| m.root(Gc::new(m, Block::default())));
    let s = heap.stats();
    assert_eq!(s.allocated_since_last_collection, BLOCK);
    assert_eq!(s.heap_used, 6 * BLOCK);
    assert_eq!(s.live_after_last_major, 5 * BLOCK);
    drop(more);
}
