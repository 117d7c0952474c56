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
use crate::space::old::CHUNK_SIZE;
use crate::stats::CollectionKind;

/// Collect when eden is this full (in eighths): a scope that starts near the end of eden
/// would overflow at once.
const EDEN_FULL_EIGHTHS: usize = 7;

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
    /// At a collection point: what to collect, if anything.
    fn decide(&mut self, view: &HeapView) -> Option<CollectionKind>;
    /// Whether the old generation should be collected now (after a minor collection, say).
    fn old_over_budget(&self, view: &HeapView) -> bool;
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
        }
    }

    /// The most the next minor collection can add to the old generation when `young` bytes
    /// are young: all of them, with up to a quarter lost at chunk ends, and a chunk begun.
    fn promotion_headroom(young: usize) -> usize {
        young + young / 3 + CHUNK_SIZE
    }
}

impl Policy for Pacer {
    fn decide(&mut self, view: &HeapView) -> Option<CollectionKind> {
        self.collection_points += 1;
        if let Some(every) = self.stress {
            let major = self.collection_points.is_multiple_of(u64::from(every));
            return Some(if major {
                CollectionKind::Major
            } else {
                CollectionKind::Minor
            });
        }
        if self.old_over_budget(view) {
            return Some(CollectionKind::Major);
        }
        let eden = view.eden_size.min(view.eden_allowance);
        let used = view.eden_used;
        let eden_full = used * 8 >= eden * EDEN_FULL_EIGHTHS;
        let next_scope_would_overflow = used > 0 && used + self.scope_peak.get() > eden;
        if view.overflowed || eden_full || next_scope_would_overflow {
            return Some(CollectionKind::Minor);
        }
        None
    }

    fn old_over_budget(&self, view: &HeapView) -> bool {
        if view.old_used > self.old_budget(view) {
            return true;
        }
        match self.heap_limit {
            Some(limit) => view.old_used > self.live_after_major && view.reserved >= limit / 10 * 9,
            None => false,
        }
    }

    fn old_budget(&self, view: &HeapView) -> usize {
        let growth = self.live_after_major / 100 * self.old_growth_percent as usize;
        let floor = 4 * view.largest_eden_size;
        (self.live_after_major + growth).max(floor)
    }

    /// Room for two scopes like the biggest recent one (a power of two, between
    /// `nursery_size` and `max_nursery_size`, and within the heap limit). Eden grows as soon
    /// as that is more than it has, and shrinks once it is four times less: a small eden stays
    /// in the cache.
    fn eden_size(&self, view: &HeapView) -> Option<usize> {
        let eden = view.eden_size;
        let wanted = (2 * self.scope_peak.get()).next_power_of_two();
        let target = wanted.clamp(
            self.nursery_size,
            self.max_nursery_size.max(self.nursery_size),
        );
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: usize = 1024;
    const EDEN: usize = 64 * KIB;
    const MAX_EDEN: usize = 1024 * KIB;

    fn pacer(heap_limit: Option<usize>, stress: Option<u32>) -> Pacer {
        Pacer::new(&HeapConfig {
            nursery_size: EDEN,
            max_nursery_size: MAX_EDEN,
            old_growth_percent: 100,
            heap_limit,
            stress,
            ..HeapConfig::default()
        })
    }

    /// A heap at its first size, with nothing allocated.
    fn view() -> HeapView {
        HeapView {
            eden_size: EDEN,
            eden_allowance: usize::MAX,
            largest_eden_size: EDEN,
            eden_used: 0,
            young_allocated: 0,
            overflowed: false,
            survivor_used: 0,
            survivor_size: HeapConfig::survivor_size(EDEN),
            old_used: 0,
            reserved: EDEN + 2 * HeapConfig::survivor_size(EDEN),
        }
    }

    fn at_eden(eden_size: usize) -> HeapView {
        HeapView {
            eden_size,
            largest_eden_size: eden_size,
            survivor_size: HeapConfig::survivor_size(eden_size),
            ..view()
        }
    }

    #[test]
    fn decide_runs_a_minor_collection_when_eden_is_nearly_full() {
        let mut p = pacer(None, None);
        assert_eq!(p.decide(&view()), None);
        let half = HeapView {
            eden_used: EDEN / 2,
            young_allocated: EDEN / 2,
            ..view()
        };
        assert_eq!(p.decide(&half), None);
        let full = HeapView {
            eden_used: EDEN / 8 * 7,
            ..view()
        };
        assert_eq!(p.decide(&full), Some(CollectionKind::Minor));
        // Under an allowance, eden is as full as the allowance is.
        let allowed = HeapView {
            eden_allowance: 1000,
            eden_used: 900,
            ..view()
        };
        assert_eq!(p.decide(&allowed), Some(CollectionKind::Minor));
    }

    #[test]
    fn decide_runs_a_minor_collection_when_eden_overflowed() {
        let mut p = pacer(None, None);
        let overflowed = HeapView {
            overflowed: true,
            ..view()
        };
        assert_eq!(p.decide(&overflowed), Some(CollectionKind::Minor));
    }

    #[test]
    fn decide_runs_a_minor_collection_when_the_next_scope_would_not_fit() {
        let mut p = pacer(None, None);
        let peak = EDEN / 2 + 8;
        p.scope_ended(peak);
        let just_too_full = HeapView {
            eden_used: EDEN - peak + 1,
            ..view()
        };
        assert_eq!(p.decide(&just_too_full), Some(CollectionKind::Minor));
        let just_room = HeapView {
            eden_used: EDEN - peak,
            ..view()
        };
        assert_eq!(p.decide(&just_room), None);
        assert_eq!(p.decide(&view()), None, "an empty eden has room for it");
        // A small scope: the peak decays by an eighth, and such a scope fits again.
        p.scope_ended(0);
        assert_eq!(p.decide(&just_too_full), None);
    }

    #[test]
    fn decide_runs_a_major_collection_when_old_is_over_budget() {
        let mut p = pacer(None, None);
        // With nothing live after a major collection, the floor is four edens.
        assert_eq!(p.old_budget(&view()), 4 * EDEN);
        let at_floor = HeapView {
            old_used: 4 * EDEN,
            ..view()
        };
        assert_eq!(p.decide(&at_floor), None);
        let over = HeapView {
            old_used: 4 * EDEN + 1,
            ..view()
        };
        assert_eq!(p.decide(&over), Some(CollectionKind::Major));
        assert!(p.old_over_budget(&over));
        // A larger eden once raises the floor.
        let grown = HeapView {
            largest_eden_size: 2 * EDEN,
            ..over
        };
        assert_eq!(p.decide(&grown), None);
    }

    #[test]
    fn major_ended_moves_the_budget() {
        let mut p = pacer(None, None);
        let live = 2_000_000;
        p.major_ended(live);
        assert_eq!(p.old_budget(&view()), 2 * live, "100% growth");
        let grown = HeapView {
            old_used: live * 3 / 2,
            ..view()
        };
        assert_eq!(p.decide(&grown), None);
        let over = HeapView {
            old_used: 2 * live + 1,
            ..view()
        };
        assert_eq!(p.decide(&over), Some(CollectionKind::Major));
        p.major_ended(0);
        assert_eq!(p.old_budget(&view()), 4 * EDEN);
        assert_eq!(p.decide(&grown), Some(CollectionKind::Major));
    }

    #[test]
    fn stress_collects_at_every_point_and_majors_every_nth() {
        let mut p = pacer(None, Some(3));
        let kinds: Vec<_> = (0..6).map(|_| p.decide(&view())).collect();
        use CollectionKind::{Major, Minor};
        assert_eq!(
            kinds,
            [
                Some(Minor),
                Some(Minor),
                Some(Major),
                Some(Minor),
                Some(Minor),
                Some(Major)
            ]
        );
    }

    #[test]
    fn old_over_budget_near_the_limit_after_promotion() {
        let limit = 16 * MAX_EDEN;
        let mut p = pacer(Some(limit), None);
        p.major_ended(100 * KIB);
        let near = HeapView {
            old_used: 200 * KIB,
            reserved: limit / 10 * 9,
            ..view()
        };
        assert!(p.old_over_budget(&near));
        let nothing_new = HeapView {
            old_used: 100 * KIB,
            ..near
        };
        assert!(!p.old_over_budget(&nothing_new));
        let far = HeapView {
            reserved: limit / 2,
            ..near
        };
        assert!(!p.old_over_budget(&far));
    }

    #[test]
    fn eden_grows_to_a_power_of_two_after_a_big_scope() {
        let p = pacer(None, None);
        assert_eq!(p.eden_size(&view()), None, "no scope ran");
        p.scope_ended(100_000);
        // Room for two such scopes, rounded up to a power of two.
        assert_eq!(p.eden_size(&view()), Some(256 * KIB));
        assert_eq!(p.eden_size(&at_eden(256 * KIB)), None, "already that big");
        p.scope_ended(10 * MAX_EDEN);
        assert_eq!(
            p.eden_size(&view()),
            Some(MAX_EDEN),
            "clamped to the largest"
        );
    }

    #[test]
    fn eden_shrinks_only_at_a_quarter() {
        let big = at_eden(MAX_EDEN);
        // Nothing ran: the target is the first size, at most a quarter of this eden.
        assert_eq!(pacer(None, None).eden_size(&big), Some(EDEN));
        assert_eq!(pacer(None, None).eden_size(&at_eden(2 * EDEN)), None);
        let p = pacer(None, None);
        p.scope_ended(200_000);
        assert_eq!(
            p.eden_size(&big),
            None,
            "512 KiB is more than a quarter of 1 MiB"
        );
        let p = pacer(None, None);
        p.scope_ended(100_000);
        assert_eq!(p.eden_size(&big), Some(MAX_EDEN / 4));
    }

    #[test]
    fn eden_grows_only_within_the_limit() {
        let limit = 16 * MAX_EDEN;
        let p = pacer(Some(limit), None);
        p.scope_ended(100_000);
        let target = 256 * KIB;
        let extra = target - EDEN
            + 2 * (HeapConfig::survivor_size(target) - HeapConfig::survivor_size(EDEN));
        let fits = HeapView {
            reserved: limit - 2 * extra,
            ..view()
        };
        assert_eq!(p.eden_size(&fits), Some(target));
        let tight = HeapView {
            reserved: limit - 2 * extra + 1,
            ..view()
        };
        assert_eq!(p.eden_size(&tight), None);
    }

    #[test]
    fn check_limit_refuses_past_the_limit() {
        let young = 30 * KIB;
        let survivors = 6 * KIB;
        let headroom = (young + survivors) * 4 / 3 + CHUNK_SIZE;
        let view = HeapView {
            young_allocated: young,
            survivor_used: survivors,
            reserved: 3 * MAX_EDEN,
            ..view()
        };
        assert_eq!(pacer(None, None).check_limit(&view, usize::MAX / 2), Ok(()));
        let limit = 16 * MAX_EDEN;
        let p = pacer(Some(limit), None);
        let room = limit - view.reserved - headroom;
        assert_eq!(p.check_limit(&view, room), Ok(()));
        assert_eq!(
            p.check_limit(&view, room + 1),
            Err(AllocError {
                requested: room + 1,
                reserved: view.reserved,
                limit
            })
        );
    }

    #[test]
    fn eden_allowance_leaves_room_to_promote_under_a_limit() {
        assert_eq!(pacer(None, None).eden_allowance(&view()), usize::MAX);
        let limit = 16 * MAX_EDEN;
        let p = pacer(Some(limit), None);
        let survivors = 3000;
        let headroom = survivors + 1000 + CHUNK_SIZE;
        let near = HeapView {
            survivor_used: survivors,
            reserved: limit - headroom - 40_000,
            ..view()
        };
        // Three quarters of the 40 000 bytes free past the headroom.
        assert_eq!(p.eden_allowance(&near), 30_000);
        let far = HeapView {
            reserved: 2 * MAX_EDEN,
            ..near
        };
        assert_eq!(p.eden_allowance(&far), EDEN, "at most eden's soft size");
        let past = HeapView {
            reserved: limit,
            ..near
        };
        assert_eq!(p.eden_allowance(&past), 0);
    }
}
