//! Heap statistics: what the collector did and what the heap holds.
//!
//! Pause times go into a log-linear histogram (eight buckets per power of two, so a
//! percentile is exact to within 1/8), which keeps memory constant however long a program
//! runs.

use core::fmt;
use core::time::Duration;

/// Which collector ran.
///
/// ```
/// use tenured_gc::CollectionKind;
///
/// assert_eq!(CollectionKind::Minor.to_string(), "minor");
/// assert_ne!(CollectionKind::Minor, CollectionKind::Major);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKind {
    /// A nursery collection.
    Minor,
    /// A full-heap collection.
    Major,
}

impl fmt::Display for CollectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CollectionKind::Minor => "minor",
            CollectionKind::Major => "major",
        })
    }
}

const SUB_BUCKETS: usize = 8;
const BUCKETS: usize = 64 * SUB_BUCKETS;

/// A histogram of durations in nanoseconds.
#[derive(Clone)]
pub(crate) struct PauseHistogram {
    counts: Box<[u64; BUCKETS]>,
    count: u64,
    total: Duration,
    max: Duration,
}

fn bucket_of(nanos: u64) -> usize {
    if nanos < SUB_BUCKETS as u64 {
        return nanos as usize;
    }
    let exp = 63 - nanos.leading_zeros() as usize; // >= 3
    let sub = ((nanos >> (exp - 3)) & 7) as usize;
    (exp - 2) * SUB_BUCKETS + sub
}

/// The largest value in a bucket, so a percentile never understates.
fn bucket_max(bucket: usize) -> u64 {
    if bucket < SUB_BUCKETS {
        return bucket as u64;
    }
    let exp = bucket / SUB_BUCKETS + 2;
    let sub = (bucket % SUB_BUCKETS) as u64;
    ((8 + sub + 1) << (exp - 3)) - 1
}

impl PauseHistogram {
    pub(crate) fn new() -> Self {
        PauseHistogram {
            counts: Box::new([0; BUCKETS]),
            count: 0,
            total: Duration::ZERO,
            max: Duration::ZERO,
        }
    }

    pub(crate) fn record(&mut self, pause: Duration) {
        let nanos = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        self.counts[bucket_of(nanos)] += 1;
        self.count += 1;
        self.total += pause;
        self.max = self.max.max(pause);
    }

    /// How many pauses were recorded.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The pause that `p` percent of pauses do not exceed.
    pub(crate) fn percentile(&self, p: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.count as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Duration::from_nanos(bucket_max(bucket)).min(self.max);
            }
        }
        self.max
    }

    pub(crate) fn summary(&self) -> PauseStats {
        PauseStats {
            count: self.count,
            total: self.total,
            max: self.max,
            p50: self.percentile(50.0),
            p90: self.percentile(90.0),
            p99: self.percentile(99.0),
        }
    }
}

/// The pauses of one kind of collection.
///
/// ```
/// use tenured_gc::Heap;
///
/// let mut heap = Heap::new();
/// heap.collect_minor();
/// heap.collect_minor();
/// let minor = heap.stats().minor;
/// assert_eq!(minor.count, 2);
/// assert!(minor.p50 <= minor.p99 && minor.p99 <= minor.max && minor.max <= minor.total);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PauseStats {
    /// How many collections of this kind ran.
    pub count: u64,
    /// Their pauses added up.
    pub total: Duration,
    /// The longest.
    pub max: Duration,
    /// The median pause.
    pub p50: Duration,
    /// The 90th percentile.
    pub p90: Duration,
    /// The 99th percentile.
    pub p99: Duration,
}

/// A snapshot of a heap's statistics, from [`Heap::stats`](crate::Heap::stats) (or
/// [`Mutation::stats`](crate::Mutation::stats) inside a scope).
///
/// Sizes count whole objects, headers included. Only a collection finds out what is dead, so
/// between collections the figures of what the heap *holds* ([`heap_used`](Self::heap_used)
/// and the space sizes) include garbage not yet found; what the collector found *live* is
/// [`live_after_last_major`](Self::live_after_last_major). For what is reachable right now,
/// by type, take a [`census`](crate::Heap::census).
///
/// Three identities hold at every moment:
/// `bytes_allocated == heap_used + bytes_freed`,
/// `heap_used == eden_used + overflow_used + survivor_used + old_used + large_used`, and,
/// right after a major collection, `heap_used == live_after_last_major`.
///
/// ```
/// use tenured_gc::{Gc, Heap};
///
/// let mut heap = Heap::new();
/// let keep = heap.mutate(|m| {
///     Gc::new(m, [0u64; 100]); // garbage, counted until a collection finds it
///     m.root(Gc::new(m, 7u64))
/// });
/// let before = heap.stats();
/// assert_eq!(before.heap_used, before.bytes_allocated - before.bytes_freed);
/// heap.collect_major();
/// let after = heap.stats();
/// assert_eq!(after.live_after_last_major, 16); // one header word and one u64
/// assert_eq!(after.heap_used, after.live_after_last_major);
/// assert_eq!(after.allocated_since_last_collection, 0);
/// # drop(keep);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapStats {
    /// Minor (nursery) collections.
    pub minor: PauseStats,
    /// Major (full-heap) collections.
    pub major: PauseStats,
    /// Bytes of objects ever allocated.
    pub bytes_allocated: u64,
    /// Bytes of objects copied from the nursery into the old generation.
    pub bytes_promoted: u64,
    /// Bytes of objects found dead and freed.
    pub bytes_freed: u64,
    /// Of `bytes_freed`, the bytes of eden given back when a mutation scope ended with
    /// nothing it allocated reachable from outside it (no collection needed).
    pub bytes_reclaimed_by_scopes: u64,
    /// Bytes of objects in the heap now, live or dead: everything allocated and not yet
    /// freed (`bytes_allocated - bytes_freed`). Objects allocated since the last minor
    /// collection, and old and large objects since the last major one, count here until a
    /// collection finds them dead.
    pub heap_used: u64,
    /// Bytes of objects the last major collection found reachable: the old and large objects
    /// it kept (it empties the nursery). Zero before the first major collection. A figure that
    /// grows from one major collection to the next is a heap that grows.
    pub live_after_last_major: u64,
    /// What `heap_used` was when the last collection (of either kind) ended: after a major
    /// one, `live_after_last_major`; after a minor one, the young objects it found reachable
    /// plus every old and large object, which a minor collection does not examine. Zero
    /// before the first collection.
    pub used_after_last_collection: u64,
    /// Bytes of objects allocated since the last collection ended, in any space, including
    /// those whose eden a scope gave back since.
    pub allocated_since_last_collection: u64,
    /// Objects whose drop glue the collector ran.
    pub objects_finalized: u64,
    /// Bytes of eden handed out since the last minor collection.
    pub eden_used: usize,
    /// The size of eden.
    pub eden_size: usize,
    /// Bytes a scope allocated past the end of eden, in overflow blocks that the next minor
    /// collection evacuates and frees.
    pub overflow_used: usize,
    /// Bytes of the survivors of earlier minor collections still in the nursery.
    pub survivor_used: usize,
    /// The size of each survivor space.
    pub survivor_size: usize,
    /// Bytes of objects in the old generation, live or not yet found dead.
    pub old_used: usize,
    /// Bytes the old generation reserves.
    pub old_capacity: usize,
    /// Bytes of objects in the large-object space, live or not yet found dead.
    pub large_used: usize,
    /// Bytes the whole heap reserves from the system.
    pub heap_reserved: usize,
    /// Bytes old and large objects may hold before the pacer runs a major collection.
    pub old_budget: usize,
    /// Bytes this heap took from the process's pool of freed memory
    /// ([`pool_stats`](crate::pool_stats)) rather than from the system: old-generation chunks,
    /// and the resident pages of its nursery if a dropped heap with the same `max_nursery_size` left one.
    pub bytes_from_pool: u64,
    /// Collections, minor or major, that ran part of their work on more than one collector
    /// thread ([`HeapConfig::collector_threads`](crate::HeapConfig::collector_threads)).
    pub collections_on_threads: u64,
}

/// The running counters a heap keeps.
pub(crate) struct Stats {
    pub(crate) minor: PauseHistogram,
    pub(crate) major: PauseHistogram,
    /// Bytes allocated outside eden (large and pretenured objects); eden's share is added at
    /// each minor collection.
    pub(crate) bytes_allocated: u64,
    pub(crate) bytes_promoted: u64,
    pub(crate) bytes_freed: u64,
    pub(crate) bytes_reclaimed_by_scopes: u64,
    /// Bytes minor collections copied out of the young generation (to a survivor space or
    /// the old generation).
    pub(crate) bytes_copied: u64,
    /// Edges minor collections visited in their roots: the root table, the state of
    /// `Heap::run`, the remembered set and the objects on dirty cards.
    pub(crate) root_edges: u64,
    pub(crate) objects_finalized: u64,
    /// Collections that ran part of their work on more than one thread.
    pub(crate) collections_on_threads: u64,
    /// Old and large bytes the last major collection kept.
    pub(crate) live_after_last_major: u64,
    /// Bytes in the heap, and bytes ever allocated, when the last collection ended.
    pub(crate) used_after_last_collection: u64,
    pub(crate) allocated_at_last_collection: u64,
}

impl Stats {
    pub(crate) fn new() -> Self {
        Stats {
            minor: PauseHistogram::new(),
            major: PauseHistogram::new(),
            bytes_allocated: 0,
            bytes_promoted: 0,
            bytes_freed: 0,
            bytes_reclaimed_by_scopes: 0,
            bytes_copied: 0,
            root_edges: 0,
            objects_finalized: 0,
            collections_on_threads: 0,
            live_after_last_major: 0,
            used_after_last_collection: 0,
            allocated_at_last_collection: 0,
        }
    }

    pub(crate) fn record_pause(&mut self, kind: CollectionKind, pause: Duration) {
        match kind {
            CollectionKind::Minor => self.minor.record(pause),
            CollectionKind::Major => self.major.record(pause),
        }
    }
}

/// Formats a byte count for people: `1.5 MiB`.
pub(crate) struct Bytes(pub(crate) u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0 as f64;
        if self.0 < 1024 {
            write!(f, "{} B", self.0)
        } else if b < 1024.0 * 1024.0 {
            write!(f, "{:.1} KiB", b / 1024.0)
        } else if b < 1024.0 * 1024.0 * 1024.0 {
            write!(f, "{:.1} MiB", b / (1024.0 * 1024.0))
        } else {
            write!(f, "{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_within_an_eighth() {
        let mut h = PauseHistogram::new();
        for micros in 1..=1000u64 {
            h.record(Duration::from_micros(micros));
        }
        let p50 = h.percentile(50.0).as_micros() as f64;
        let p99 = h.percentile(99.0).as_micros() as f64;
        assert!((500.0..=500.0 * 1.125).contains(&p50), "p50 = {p50}");
        assert!((990.0..=1000.0).contains(&p99), "p99 = {p99}");
        assert_eq!(h.percentile(100.0), Duration::from_micros(1000));
        assert_eq!(h.summary().count, 1000);
    }

    #[test]
    fn buckets_cover_their_values() {
        for nanos in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            17,
            1000,
            123_456_789,
            u64::MAX / 2,
        ] {
            let b = bucket_of(nanos);
            assert!(
                bucket_max(b) >= nanos,
                "{nanos} above its bucket's max {}",
                bucket_max(b)
            );
            if b > 0 {
                assert!(
                    bucket_max(b - 1) < nanos,
                    "{nanos} should be in an earlier bucket"
                );
            }
        }
    }
}
