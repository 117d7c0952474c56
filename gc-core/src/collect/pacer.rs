//! The pacer: decides at each collection point whether to collect, and how.
//!
//! - **Minor** when eden is (nearly) full, or overflowed into the old generation inside a
//!   scope.
//! - **Major** when the old generation (with the large objects) has grown past its budget:
//!   its live size after the last major collection times `1 + old_growth_percent / 100`, but
//!   never less than a floor of a few nurseries (Go's `GOGC`). Also when the heap nears its
//!   hard limit and something was allocated since the last major collection.
//! - In **stress** mode: a minor collection at every point and a major one every n-th.

use crate::heap::HeapInner;
use crate::stats::CollectionKind;

/// Collect when eden is this full (in eighths): a scope that starts near the end of eden
/// would overflow into the old generation at once.
const EDEN_FULL_EIGHTHS: usize = 7;

/// What to collect at this point, if anything.
pub(crate) fn decide(heap: &HeapInner) -> Option<CollectionKind> {
    if let Some(every) = heap.config.stress {
        let major = heap.points.is_multiple_of(u64::from(every));
        return Some(if major {
            CollectionKind::Major
        } else {
            CollectionKind::Minor
        });
    }
    if old_over_budget(heap) {
        return Some(CollectionKind::Major);
    }
    let eden_full = heap.eden_used() * 8 >= heap.nursery.eden_size() * EDEN_FULL_EIGHTHS;
    if heap.overflow.get().is_some() || eden_full {
        return Some(CollectionKind::Minor);
    }
    None
}

/// The bytes the old generation and large objects may hold before a major collection.
pub(crate) fn old_budget(heap: &HeapInner) -> usize {
    let growth = heap.live_after_major / 100 * heap.config.old_growth_percent as usize;
    let floor = 4 * heap.config.nursery_size;
    (heap.live_after_major + growth).max(floor)
}

/// Whether the old generation has outgrown its budget, or the heap nears its limit.
pub(crate) fn old_over_budget(heap: &HeapInner) -> bool {
    let old = heap.old.borrow().used() + heap.large.borrow().used();
    if old > old_budget(heap) {
        return true;
    }
    match heap.config.heap_limit {
        Some(limit) => old > heap.live_after_major && heap.reserved() >= limit / 10 * 9,
        None => false,
    }
}
