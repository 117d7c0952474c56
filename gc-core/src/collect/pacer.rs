//! The pacer: every decision about when to collect, what, and how big the spaces may be.
//!
//! It sees the heap only through a [`HeapView`], a snapshot of the figures it decides on, and
//! keeps its own state ([`Pacer`]); the heap applies what it answers. [`Policy`] is that
//! interface, so a new policy replaces this one without touching the spaces or collectors.
//!
//! # This policy
//! - **Minor** when eden is (nearly) full, when a scope like the biggest recent one would not
//!   fit in what is left of it, or when a scope overflowed it into overflow blocks.
//! - **Eden's size** follows the biggest recent scope ([`Policy::eden_size`]), so that the
//!   garbage of big scopes still dies young, and eden stays small (in the cache) otherwise.
//!   It also follows survival, as HotSpot's young-generation sizing does: when most of what a
//!   minor collection found survived, a bigger eden would have copied the same objects in
//!   fewer collections, each of which pays the same fixed costs (the roots, the state of
//!   `Heap::run`, the remembered set, the dirty cards), so eden doubles. It doubles too when
//!   those fixed costs dominate: when the roots held more than two edges per word copied,
//!   and more than an eighth of eden's size in words. Both kinds of growth are bounded by
//!   the young budget: half the old generation, but at least [`SURVIVAL_EDEN_FLOOR`], and
//!   never past `max_nursery_size` (so young memory stays in proportion to old, like
//!   HotSpot's `NewRatio`). A bigger eden lowers survival by itself (its objects have had
//!   longer to die), so a survival that merely falls below half keeps the size reached: it
//!   is paying. Only when few survive (under a sixteenth) does the size survival asked for
//!   halve, and eden shrinks back towards what the scopes need.
//! - **Major** when the old generation (with the large objects) has grown past its budget:
//!   its live size after the last major collection times `1 + old_growth_percent / 100`, but
//!   never less than a floor of four edens at the largest eden has been (Go's `GOGC`, with
//!   its minimum heap). A program whose scopes grew eden promotes in bigger steps, so a
//!   fixed floor would run majors that find the freshly promoted objects all live. Also when
//!   the heap nears its hard limit and something was allocated since the last major
//!   collection.
//! - **The heap limit**: an allocation fails if reserving it would leave too little room to
//!   promote what is young now, and eden's window shrinks near the limit so that the next
//!   minor collection cannot promote past it.
//! - In **stress** mode: a minor collection at every point and a major one every n-th.

use core::cell::Cell;

use crate::config::HeapConfig;
use crate::error::AllocError;
use crate::event::CollectionReason;
use crate::header::WORD;
use crate::space::old::CHUNK_SIZE;
use crate::stats::CollectionKind;

/// Collect when eden is this full (in eighths): a scope that starts near the end of eden
/// would overflow at once.
const EDEN_FULL_EIGHTHS: usize = 7;

/// Eden may grow to this size whatever the old generation holds (the floor of the young
/// budget).
pub(crate) const SURVIVAL_EDEN_FLOOR: usize = 64 << 20;

/// A minor collection after which more than this share (in eighths) of the young bytes it
/// found survived counts as one where most survived.
const MOST_SURVIVED_EIGHTHS: usize = 4;

/// A minor collection whose roots held more than this many edges per word it copied counts
/// as one whose fixed costs dominate: visiting an edge costs about what copying a word does.
const ROOTS_DOMINATE_EDGES_PER_WORD: usize = 2;

/// A minor collection after which less than this share (in sixteenths) of the young bytes it
/// found survived counts as one where few survived.
const FEW_SURVIVED_SIXTEENTHS: usize = 1;

/// The figures a policy decides on, read from the heap when it asks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeapView {
    /// Eden's soft size, and how much of it the window may cover.
    pub(crate) eden_size: usize,
    pub(crate) eden_allowance: usize,
    /// The largest soft size eden has had.
    pub(crate) largest_eden_size: usize,
    /// Bytes of eden handed out since the last minor collection.
    pub(crate) eden_used: usize,
    /// Bytes allocated in eden and overflow blocks since the last minor collection.
    pub(crate) young_allocated: usize,
    /// Eden overflowed since the last minor collection.
    pub(crate) overflowed: bool,
    pub(crate) survivor_used: usize,
    pub(crate) survivor_size: usize,
    /// Bytes held by old and large objects.
    pub(crate) old_used: usize,
    /// Bytes reserved from the system by every space.
    pub(crate) reserved: usize,
}

/// What a pacing policy answers.
pub(crate) trait Policy {
    /// At a collection point: what to collect, if anything, and why.
    fn decide(&mut self, view: &HeapView) -> Option<(CollectionKind, CollectionReason)>;
    /// Whether the old generation should be collected now (after a minor collection, say),
    /// and why.
    fn old_over_budget(&self, view: &HeapView) -> Option<CollectionReason>;
    /// The bytes old and large objects may hold before a major collection.
    fn old_budget(&self, view: &HeapView) -> usize;
    /// At the start of a minor collection: eden's new soft size, if it should change.
    fn eden_size(&self, view: &HeapView) -> Option<usize>;
    /// After a collection: how much of eden the allocation window may cover.
    fn eden_allowance(&self, view: &HeapView) -> usize;
    /// Whether reserving `more` bytes is allowed.
    fn check_limit(&self, view: &HeapView, more: usize) -> Result<(), AllocError>;
    /// A mutation scope ended, having allocated `bytes`.
    fn scope_ended(&self, bytes: usize);
    /// A major collection ended, leaving `live` bytes of old and large objects.
    fn major_ended(&mut self, live: usize);
    /// A minor collection ended: of `young` bytes in eden, overflow and the *from* survivor
    /// space, `survived` were copied (to the survivor space or the old generation); eden's
    /// soft size was `eden`; it visited `root_edges` edges in its roots (the root table, the
    /// state of `Heap::run`, the remembered set and the objects on dirty cards).
    fn minor_ended(&mut self, young: usize, survived: usize, eden: usize, root_edges: usize);
}

/// The default policy's settings and state.
pub(crate) struct Pacer {
    nursery_size: usize,
    max_nursery_size: usize,
    old_growth_percent: u32,
    heap_limit: Option<usize>,
    stress: Option<u32>,
    /// Old and large bytes after the last major collection.
    live_after_major: usize,
    /// Collection points passed, for the stress mode.
    collection_points: u64,
    /// The most a recent scope allocated, decaying by an eighth per scope.
    scope_peak: Cell<usize>,
    /// Most of what the last minor collection found survived: eden should double.
    most_survived: bool,
    /// The eden size survival has asked for: twice eden after a minor collection where most
    /// survived, kept after one where some did, halved after one where few did.
    survival_eden: usize,
}

impl Pacer {
    pub(crate) fn new(config: &HeapConfig) -> Self {
        Pacer {
            nursery_size: config.nursery_size,
            max_nursery_size: config.max_nursery_size,
            old_growth_percent: config.old_growth_percent,
            heap_limit: config.heap_limit,
            stress: config.stress,
            live_after_major: 0,
            collection_points: 0,
            scope_peak: Cell::new(0),
            most_survived: false,
            survival_eden: 0,
        }
    }

    /// The most the next minor collection can add to the old generation when `young` bytes
    /// are young: all of them, with up to a quarter lost at chunk ends, and a chunk begun.
    fn promotion_headroom(young: usize) -> usize {
        young + young / 3 + CHUNK_SIZE
    }
}

impl Policy for Pacer {
    fn decide(&mut self, view: &HeapView) -> Option<(CollectionKind, CollectionReason)> {
        self.collection_points += 1;
        if let Some(every) = self.stress {
            let major = self.collection_points.is_multiple_of(u64::from(every));
            let kind = if major {
                CollectionKind::Major
            } else {
                CollectionKind::Minor
            };
            return Some((kind, CollectionReason::Stress));
        }
        if let Some(reason) = self.old_over_budget(view) {
            return Some((CollectionKind::Major, reason));
        }
        let eden = view.eden_size.min(view.eden_allowance);
        let used = view.eden_used;
        let eden_full = used * 8 >= eden * EDEN_FULL_EIGHTHS;
        let next_scope_would_overflow = used > 0 && used + self.scope_peak.get() > eden;
        let reason = if view.overflowed {
            CollectionReason::EdenOverflowed
        } else if eden_full {
            CollectionReason::EdenFull
        } else if next_scope_would_overflow {
            CollectionReason::NextScopeWouldNotFit
        } else {
            return None;
        };
        Some((CollectionKind::Minor, reason))
    }

    fn old_over_budget(&self, view: &HeapView) -> Option<CollectionReason> {
        if view.old_used > self.old_budget(view) {
            return Some(CollectionReason::OldOverBudget);
        }
        let near_limit = self.heap_limit.is_some_and(|limit| {
            view.old_used > self.live_after_major && view.reserved >= limit / 10 * 9
        });
        near_limit.then_some(CollectionReason::NearHeapLimit)
    }

    fn old_budget(&self, view: &HeapView) -> usize {
        let growth = self.live_after_major / 100 * self.old_growth_percent as usize;
        let floor = 4 * view.largest_eden_size;
        (self.live_after_major + growth).max(floor)
    }

    /// Room for two scopes like the biggest recent one, or what survival asks for: a power
    /// of two within the young budget, between `nursery_size` and
    /// `max_nursery_size`, and within the heap limit. Eden grows as soon as that is more than
    /// it has, and shrinks once it is four times less: a small eden stays in the cache.
    fn eden_size(&self, view: &HeapView) -> Option<usize> {
        let eden = view.eden_size;
        let max = self.max_nursery_size.max(self.nursery_size);
        let budget = (view.old_used / 2)
            .max(SURVIVAL_EDEN_FLOOR)
            .next_power_of_two();
        let for_scopes = (2 * self.scope_peak.get()).next_power_of_two();
        let for_survival = if self.most_survived {
            2 * eden
        } else {
            self.survival_eden.next_power_of_two()
        };
        let target = for_scopes
            .max(for_survival)
            .min(budget)
            .clamp(self.nursery_size, max);
        if target > eden {
            let extra =
                target - eden + 2 * (HeapConfig::survivor_size(target) - view.survivor_size);
            let fits = self
                .heap_limit
                .is_none_or(|limit| view.reserved + 2 * extra <= limit);
            fits.then_some(target)
        } else {
            (target <= eden / 4).then_some(target)
        }
    }

    /// All of eden without a heap limit. Under one, within eden's soft size (the window may not
    /// run past it into the reserved rest), and near the limit less, so that the next minor
    /// collection cannot promote past the limit; past that, allocation takes the slow path,
    /// which checks the limit.
    fn eden_allowance(&self, view: &HeapView) -> usize {
        match self.heap_limit {
            None => usize::MAX,
            Some(limit) => {
                let free = limit
                    .saturating_sub(view.reserved + Self::promotion_headroom(view.survivor_used));
                (free / 4 * 3).min(view.eden_size)
            }
        }
    }

    fn check_limit(&self, view: &HeapView, more: usize) -> Result<(), AllocError> {
        if let Some(limit) = self.heap_limit {
            let young = view.young_allocated + view.survivor_used;
            if view.reserved + more + Self::promotion_headroom(young) > limit {
                return Err(AllocError {
                    requested: more,
                    reserved: view.reserved,
                    limit,
                });
            }
        }
        Ok(())
    }

    fn scope_ended(&self, bytes: usize) {
        let peak = self.scope_peak.get();
        self.scope_peak.set(bytes.max(peak - peak / 8));
    }

    fn major_ended(&mut self, live: usize) {
        self.live_after_major = live;
    }

    /// Only a collection that found eden at least half full says anything about eden's
    /// size: the survival of an early one (the stress mode's, or one a program asked for)
    /// is that of objects too young to have had a chance to die.
    fn minor_ended(&mut self, young: usize, survived: usize, eden: usize, root_edges: usize) {
        self.most_survived = false;
        if young * 2 < eden {
            return;
        }
        let most_survived = survived * 8 > young * MOST_SURVIVED_EIGHTHS;
        // Every minor collection pays for its roots again: when they cost more than the
        // copying, and are not small beside eden either, fewer, bigger collections pay for
        // them less often.
        let roots_dominate = root_edges > ROOTS_DOMINATE_EDGES_PER_WORD * (survived / WORD)
            && root_edges * WORD * 8 > eden;
        if most_survived || roots_dominate {
            self.most_survived = true;
            self.survival_eden = 2 * eden;
        } else if survived * 16 < young * FEW_SURVIVED_SIXTEENTHS {
            self.survival_eden = self.survival_eden.min(eden) / 2;
        }
    }
}

#[cfg(test)]
mod tests;
