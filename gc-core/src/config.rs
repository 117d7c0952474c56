//! Heap configuration: the sizes and policies a heap runs with, checked before use.
//!
//! [`HeapConfig::default`] is the embedded default that [`Heap::new`](crate::Heap::new) uses.
//!
//! # The environment
//! A heap reads no environment variable unless its program asks: [`HeapConfig::from_env`]
//! (the default configuration) or [`HeapConfig::with_env`] (any other) apply two of them.
//! `GC_TRACE=1` prints a line per collection, and `GC_STRESS=1` (or `GC_STRESS=N`) turns on
//! the stress mode, with a major collection every N collection points.
//!
//! # Debug builds
//! [`HeapConfig::verify`] is on by default in debug builds: the heap verifier checks the whole
//! heap before and after every collection, which makes collections several times slower. Set
//! it to `false` for speed in a debug build, or to `true` for the checks in a release one.
//! Under Miri it is off by default: Miri checks every access itself, and the tests that want
//! the verifier ask for it.

use core::fmt;

use crate::event::{CollectionEvent, CollectionHook};
use crate::header::MAX_AGE;
use crate::space::old::CHUNK_SIZE;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// The smallest nursery: room for a useful number of objects per minor collection.
pub const MIN_NURSERY_SIZE: usize = 16 * KIB;
/// The largest nursery.
pub const MAX_NURSERY_SIZE: usize = 1024 * MIB;
/// The smallest size for which an object may be placed in the large-object space.
pub const MIN_LARGE_OBJECT_THRESHOLD: usize = 256;
/// The most threads a collection may use.
pub const MAX_COLLECTOR_THREADS: usize = 64;
/// The largest large-object threshold: objects under it must fit in an old-generation chunk.
pub const MAX_LARGE_OBJECT_THRESHOLD: usize = CHUNK_SIZE / 4;

/// How a heap sizes its spaces and paces its collections.
///
/// Start from the default and change what you need; [`Heap::with_config`](crate::Heap::with_config)
/// checks every field.
///
/// ```
/// use tenured_gc::{Gc, Heap, HeapConfig};
///
/// let config = HeapConfig {
///     nursery_size: 256 * 1024,
///     heap_limit: Some(64 << 20),
///     ..HeapConfig::default()
/// };
/// let mut heap = Heap::with_config(config).unwrap();
/// assert_eq!(heap.config().nursery_size, 256 * 1024);
/// heap.mutate(|m| assert_eq!(*Gc::new(m, 1), 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapConfig {
    /// Bytes of eden, where objects are born, to start with. Each of the two survivor spaces
    /// gets an eighth of eden.
    pub nursery_size: usize,
    /// The most eden may grow to, reserved (as address space, not touched) when the heap is
    /// made (64 MiB by default). Eden grows when a mutation scope allocates more than it
    /// holds, so that such scopes' garbage still dies young, and when most of what minor
    /// collections find survives, within a young budget of half the old generation (at
    /// least 64 MiB), as HotSpot sizes its young generation; the heap limit caps it too. A
    /// scope may allocate this much before it overflows into blocks of its own, and eden's
    /// memory, once touched, stays with the heap: a bigger maximum lets big heaps collect
    /// less often, at the cost of that memory.
    pub max_nursery_size: usize,
    /// How many minor collections an object survives in the nursery before it is promoted to
    /// the old generation (1 to 15; 1 promotes at the first survival).
    pub tenuring_threshold: u8,
    /// How far, in percent, the old generation may grow past its live size after the last
    /// major collection before the next one runs (Go's `GOGC`).
    pub old_growth_percent: u32,
    /// The most bytes the heap may reserve in all (Go's `GOMEMLIMIT`, but hard): an
    /// allocation that would leave too little room to promote the nursery under it fails.
    /// `None` for no limit.
    pub heap_limit: Option<usize>,
    /// Objects of this many bytes or more go to the non-moving large-object space.
    pub large_object_threshold: usize,
    /// How many threads a collection works on: the heap's own thread and
    /// `collector_threads - 1` workers that it starts for the collection and joins before it
    /// returns (1 to [`MAX_COLLECTOR_THREADS`]). By default, one per core the process may run
    /// on, up to 4. A major collection marks and updates pointers on them once the old
    /// generation holds a few MiB; a minor collection copies on them once it has copied
    /// 1 MiB on the heap's thread alone. Below that, threads would not pay (except in stress
    /// mode and with `verify`, which use them at every collection, to test them).
    /// With many heaps collecting at once on as many threads, 1 avoids oversubscription.
    pub collector_threads: usize,
    /// Collect at every collection point: a minor collection each time and a major one every
    /// `n`-th time. For testing; `None` in normal use.
    pub stress: Option<u32>,
    /// Check the whole heap before and after every collection (the heap verifier). Several
    /// times slower collections; on by default in debug builds, off in release builds and
    /// under Miri (whose own checks of every access cost enough).
    pub verify: bool,
    /// Print one line per collection on standard error (`GC_TRACE=1`): each collection's
    /// [`CollectionEvent`], as it displays.
    pub trace: bool,
    /// A callback that receives every collection's [`CollectionEvent`] once the collection
    /// has finished (see [`event`](crate::event)); set it with
    /// [`on_collection`](HeapConfig::on_collection). `None` by default.
    pub collection_hook: Option<CollectionHook>,
}

impl Default for HeapConfig {
    fn default() -> Self {
        HeapConfig {
            nursery_size: if cfg!(miri) { 64 * KIB } else { 4 * MIB },
            max_nursery_size: if cfg!(miri) { 256 * KIB } else { 64 * MIB },
            tenuring_threshold: 2,
            old_growth_percent: 100,
            heap_limit: None,
            collector_threads: default_collector_threads(),
            large_object_threshold: if cfg!(miri) { 2 * KIB } else { 8 * KIB },
            stress: None,
            verify: cfg!(debug_assertions) && !cfg!(miri),
            trace: false,
            collection_hook: None,
        }
    }
}

/// A configuration that breaks a rule: names the field, its value and the rule.
///
/// ```
/// use tenured_gc::{Heap, HeapConfig};
///
/// let config = HeapConfig { nursery_size: 1, ..HeapConfig::default() };
/// assert!(Heap::with_config(config.clone()).is_err());
/// let error = config.validate().unwrap_err();
/// assert_eq!(error.field, "nursery_size");
/// assert!(error.to_string().starts_with("invalid heap configuration: `nursery_size` = 1"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The field that is wrong.
    pub field: &'static str,
    /// The value it had, as written.
    pub value: String,
    /// The rule it breaks.
    pub rule: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid heap configuration: `{}` = {}: {}",
            self.field, self.value, self.rule
        )
    }
}

impl std::error::Error for ConfigError {}

fn check(
    ok: bool,
    field: &'static str,
    value: impl fmt::Debug,
    rule: impl Into<String>,
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            value: format!("{value:?}"),
            rule: rule.into(),
        })
    }
}

impl HeapConfig {
    /// Checks every rule; the first one broken is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let n = self.nursery_size;
        check(
            (MIN_NURSERY_SIZE..=MAX_NURSERY_SIZE).contains(&n),
            "nursery_size",
            n,
            format!("must be between {MIN_NURSERY_SIZE} and {MAX_NURSERY_SIZE} bytes"),
        )?;
        let max = self.max_nursery_size;
        check(
            (n..=MAX_NURSERY_SIZE).contains(&max),
            "max_nursery_size",
            max,
            format!("must be between `nursery_size` ({n}) and {MAX_NURSERY_SIZE} bytes"),
        )?;
        check(
            (1..=MAX_AGE).contains(&self.tenuring_threshold),
            "tenuring_threshold",
            self.tenuring_threshold,
            format!("must be between 1 and {MAX_AGE}"),
        )?;
        check(
            (1..=10_000).contains(&self.old_growth_percent),
            "old_growth_percent",
            self.old_growth_percent,
            "must be between 1 and 10000",
        )?;
        let t = self.large_object_threshold;
        check(
            (MIN_LARGE_OBJECT_THRESHOLD..=MAX_LARGE_OBJECT_THRESHOLD).contains(&t),
            "large_object_threshold",
            t,
            format!("must be between {MIN_LARGE_OBJECT_THRESHOLD} and {MAX_LARGE_OBJECT_THRESHOLD} bytes"),
        )?;
        check(
            t <= n / 4,
            "large_object_threshold",
            t,
            "must be at most a quarter of `nursery_size`",
        )?;
        check(
            (1..=MAX_COLLECTOR_THREADS).contains(&self.collector_threads),
            "collector_threads",
            self.collector_threads,
            format!("must be between 1 and {MAX_COLLECTOR_THREADS}"),
        )?;
        if let Some(limit) = self.heap_limit {
            let floor = 2 * self.nursery_reserved() + 2 * CHUNK_SIZE;
            check(
                limit >= floor,
                "heap_limit",
                limit,
                format!(
                    "must leave room for the nursery, for promoting all of it, and for two old-generation chunks: \
                     at least {floor} bytes"
                ),
            )?;
        }
        if let Some(every) = self.stress {
            check(
                every >= 1,
                "stress",
                every,
                "a major collection every 0 points is meaningless; use at least 1",
            )?;
        }
        Ok(())
    }

    /// This configuration with `hook` called after every collection, with what it did: to
    /// export collections to a program's own metrics, or to watch a heap in a test.
    ///
    /// The hook runs once the collection has finished and the heap is consistent; a panic out
    /// of it propagates to the collection point and leaves the heap usable.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use tenured_gc::event::CollectionReason;
    /// use tenured_gc::{CollectionKind, Gc, Heap, HeapConfig};
    ///
    /// let events = Rc::new(RefCell::new(Vec::new()));
    /// let log = events.clone();
    /// let config = HeapConfig::default().on_collection(move |e| log.borrow_mut().push(*e));
    /// let mut heap = Heap::with_config(config).unwrap();
    /// let _kept = heap.mutate(|m| m.root(Gc::new(m, [1u64; 8])));
    /// heap.collect_major();
    ///
    /// let events = events.borrow();
    /// assert_eq!(events.len(), 1);
    /// let major = &events[0];
    /// assert_eq!((major.kind, major.reason), (CollectionKind::Major, CollectionReason::Requested));
    /// assert_eq!(major.after.used(), heap.stats().live_after_last_major as usize);
    /// ```
    pub fn on_collection(mut self, hook: impl Fn(&CollectionEvent) + 'static) -> Self {
        self.collection_hook = Some(CollectionHook::new(hook));
        self
    }

    /// The bytes of each survivor space, for an eden of `eden_size` bytes.
    pub(crate) fn survivor_size(eden_size: usize) -> usize {
        (eden_size / 8).next_multiple_of(crate::header::WORD)
    }

    /// The bytes the nursery reserves: eden and both survivor spaces.
    pub(crate) fn nursery_reserved(&self) -> usize {
        self.nursery_size.next_multiple_of(crate::header::WORD)
            + 2 * Self::survivor_size(self.nursery_size)
    }

    /// The default configuration with the `GC_TRACE` and `GC_STRESS` environment variables
    /// applied: what a program that wants them to work passes to
    /// [`Heap::with_config`](crate::Heap::with_config).
    ///
    /// ```
    /// use tenured_gc::{Heap, HeapConfig};
    ///
    /// let heap = Heap::with_config(HeapConfig::from_env()).unwrap();
    /// # drop(heap);
    /// ```
    pub fn from_env() -> Self {
        HeapConfig::default().with_env()
    }

    /// This configuration with the `GC_TRACE` and `GC_STRESS` environment variables applied
    /// (`GC_STRESS` only where `stress` is not set already).
    pub fn with_env(mut self) -> Self {
        if std::env::var("GC_TRACE").is_ok_and(|v| v != "0" && !v.is_empty()) {
            self.trace = true;
        }
        if let (None, Ok(v)) = (self.stress, std::env::var("GC_STRESS")) {
            match v.trim() {
                "" | "0" => {}
                "1" => self.stress = Some(DEFAULT_STRESS_MAJOR_EVERY),
                n => self.stress = Some(n.parse().unwrap_or(DEFAULT_STRESS_MAJOR_EVERY).max(1)),
            }
        }
        self
    }
}

/// One collector thread per core the process may run on, up to 4; one under Miri, whose
/// threads are slow (its tests of several threads ask for them).
fn default_collector_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if cfg!(miri) {
        return 1;
    }
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
}

/// In stress mode without a count, a major collection every this many points.
pub const DEFAULT_STRESS_MAJOR_EVERY: u32 = 8;
