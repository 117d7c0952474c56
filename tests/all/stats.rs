//! Statistics add up, and `GC_TRACE=1` prints a line per collection.

use std::process::Command;

use tenured_gc::{Gc, Heap};

use crate::common::*;

const ROUNDS: i64 = if cfg!(miri) { 8 } else { 40 };
const PER_ROUND: usize = scaled(300);

#[test]
fn allocated_equals_live_plus_freed() {
    let counter = DropCounter::default();
    let mut heap = Heap::with_config(small_config()).unwrap();
    let check = |heap: &Heap| {
        let s = heap.stats();
        assert_eq!(s.bytes_allocated, s.live_bytes + s.bytes_freed, "{s:?}");
        assert_eq!(
            s.live_bytes as usize,
            s.eden_used + s.survivor_used + s.old_used + s.large_used,
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
        lines[0].starts_with("gc 1 minor: ") && lines[1].starts_with("gc 2 major: "),
        "{stderr}"
    );
    for line in lines {
        assert!(line.contains(" -> ") && line.ends_with(" ms"), "{line}");
    }
}
