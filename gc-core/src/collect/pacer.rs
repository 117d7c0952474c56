//! The pacer: decides at each collection point whether to collect, and how.
//!
//! - **Minor** when eden is (nearly) full, when a scope like the biggest recent one would not
//!   fit in what is left of it, or when a scope overflowed it into overflow blocks.
//! - **Eden's size** follows the biggest recent scope (see [`resized_eden`]), so that the
//!   garbage of big scopes still dies young, and eden stays small (in the cache) otherwise.
//! - **Major** when the old generation (with the large objects) has grown past its budget:
//!   its live size after the last major collection times `1 + old_growth_percent / 100`, but
//!   never less than a floor of four edens at the largest eden has been (Go's `GOGC`, with
//!   its minimum heap). A program whose scopes grew eden promotes in bigger steps, so a
//!   fixed floor would run majors that find the freshly promoted objects all live. Also when
//!   the heap nears its hard limit and something was allocated since the last major
//!   collection.
//! - In **stress** mode: a minor collection at every point and a major one every n-th.

use crate::config::HeapConfig;
use crate::heap::HeapInner;
use crate::stats::CollectionKind;

/// Collect when eden is this full (in eighths): a scope that starts near the end of eden
/// would overflow at once.
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
    let eden = heap.nursery.eden_size().min(heap.eden_allowance.get());
    let used = heap.eden_used();
    let eden_full = used * 8 >= eden * EDEN_FULL_EIGHTHS;
    let next_scope_would_overflow = used > 0 && used + heap.scope_peak.get() > eden;
    if heap.overflow.borrow().is_active() || eden_full || next_scope_would_overflow {
        return Some(CollectionKind::Minor);
    }
    None
}

/// The eden size the coming minor collection should move to, if eden should change: room for
/// two scopes like the biggest recent one (a power of two, between `nursery_size` and
/// `max_nursery_size`, and within the heap limit). Eden grows as soon as that is more than
/// it has, and shrinks once it is four times less: a small eden stays in the cache.
pub(crate) fn resized_eden(heap: &HeapInner) -> Option<usize> {
    let config = &heap.config;
    let eden = heap.nursery.eden_size();
    let wanted = (2 * heap.scope_peak.get()).next_power_of_two();
    let target = wanted.clamp(
        config.nursery_size,
        config.max_nursery_size.max(config.nursery_size),
    );
    if target > eden {
        let extra =
            target - eden + 2 * (HeapConfig::survivor_size(target) - heap.nursery.survivor_size());
        let fits = config
            .heap_limit
            .is_none_or(|limit| heap.reserved() + 2 * extra <= limit);
        fits.then_some(target)
    } else {
        (target <= eden / 4).then_some(target)
    }
}

/// The bytes the old generation and large objects may hold before a major collection.
pub(crate) fn old_budget(heap: &HeapInner) -> usize {
    let growth = heap.live_after_major / 100 * heap.config.old_growth_percent as usize;
    let floor = 4 * heap.nursery.largest_eden_size();
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
