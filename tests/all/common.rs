//! Shared test types: nodes with drop counters.

use std::cell::Cell;
use std::rc::Rc;

use tenured_gc::{Gc, GcCell, GcDrop, HeapConfig, Trace};

/// Counts drops of the values that hold a clone of it.
#[derive(Clone, Default)]
pub struct DropCounter(pub Rc<Cell<usize>>);

impl DropCounter {
    pub fn count(&self) -> usize {
        self.0.get()
    }
}

/// Increments its counter when dropped: a field with drop glue. (A `Drop` on a traced type
/// needs the vouching `unsafe impl GcDrop`.)
#[derive(Trace)]
#[gc(unsafe_allow_drop)]
pub struct Tracked(#[gc(ignore)] pub DropCounter);

// SAFETY: `drop` touches only the counter, no managed pointer.
unsafe impl GcDrop for Tracked {}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0 .0.set(self.0 .0.get() + 1);
    }
}

/// A node with two barriered edges, a payload and a drop counter.
#[derive(Trace)]
pub struct Node<'gc> {
    pub value: i64,
    pub label: String,
    pub next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    pub prev: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    pub tracked: Option<Tracked>,
}

impl<'gc> Node<'gc> {
    pub fn new(value: i64) -> Self {
        Node {
            value,
            label: format!("node {value}"),
            next: GcCell::new(None),
            prev: GcCell::new(None),
            tracked: None,
        }
    }

    pub fn tracked(value: i64, counter: &DropCounter) -> Self {
        Node {
            tracked: Some(Tracked(counter.clone())),
            ..Node::new(value)
        }
    }
}

/// A small configuration so tests collect often: eden never grows, so big scopes overflow it.
pub fn small_config() -> HeapConfig {
    let eden = if cfg!(miri) { 16 * 1024 } else { 64 * 1024 };
    HeapConfig {
        nursery_size: eden,
        max_nursery_size: eden,
        large_object_threshold: 1024,
        ..HeapConfig::from_env()
    }
}

/// `n`, or a tenth of it under Miri, which runs a hundred times slower.
pub const fn scaled(n: usize) -> usize {
    if cfg!(miri) {
        n / 10
    } else {
        n
    }
}
