//! The heap census: what the reachable objects are, by type and by space.
//!
//! [`Heap::census`](crate::Heap::census) answers "what fills my heap?": for each type (named
//! as its type descriptor names it, `core::any::type_name`), how many objects are reachable
//! and how many bytes they take, in the young generation (eden, its overflow blocks and the
//! survivor space), the old generation and the large-object space.
//!
//! # How it counts
//! The census walks the object graph from the roots, as a major collection's mark phase would,
//! but moves nothing and writes nothing: it keeps the objects it has seen in a set of its own,
//! so no header changes and a panic from a `Trace` implementation leaves the heap as it was.
//! Weak references are not followed. Objects that only a dead object points to are not
//! counted, though they still take room until a collection frees them; so the census's bytes
//! are at most [`HeapStats::heap_used`](crate::HeapStats::heap_used), and equal to it right
//! after a major collection.
//!
//! # Cost
//! One walk of the reachable objects, and a hash-set entry per object for the walk, freed when
//! it returns. Nothing is counted at allocation: a heap that never takes a census pays nothing.

use core::fmt;
use core::ptr::NonNull;
use std::collections::{HashMap, HashSet};

use crate::collect::tracer::scan;
use crate::header;
use crate::heap_state::HeapState;
use crate::stats::Bytes;
use crate::trace::EdgeVisitor;
use crate::type_info::Object;
use crate::word_hash::WordHash;

/// A number of objects and the bytes they take, headers included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    /// How many objects.
    pub objects: u64,
    /// Their bytes, headers included.
    pub bytes: u64,
}

impl core::ops::Add for Tally {
    type Output = Tally;

    fn add(self, other: Tally) -> Tally {
        Tally {
            objects: self.objects + other.objects,
            bytes: self.bytes + other.bytes,
        }
    }
}

impl core::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        *self = *self + other;
    }
}

impl core::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        iter.fold(Tally::default(), |a, b| a + b)
    }
}

/// The reachable objects of one type, by space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CensusEntry {
    /// The type's name, as `core::any::type_name` gives it (lifetimes print as `'_`).
    pub type_name: &'static str,
    /// In eden, its overflow blocks and the survivor space.
    pub young: Tally,
    /// In the old generation.
    pub old: Tally,
    /// In the large-object space.
    pub large: Tally,
}

impl CensusEntry {
    /// The objects of this type in every space.
    pub fn total(&self) -> Tally {
        self.young + self.old + self.large
    }
}

/// What the reachable objects of a heap are, by type and by space: from
/// [`Heap::census`](crate::Heap::census).
///
/// Its `Display` form is a table, one line per type, the types that take the most bytes
/// first, and a line of totals.
///
/// ```
/// use tenured_gc::{Gc, Heap};
///
/// let mut heap = Heap::new();
/// let kept = heap.mutate(|m| {
///     Gc::new(m, [0u64; 4]); // garbage: not counted
///     m.root(Gc::new(m, (1u64, 2u64)))
/// });
/// heap.collect_major();
/// let census = heap.census();
/// let pairs = census.of::<(u64, u64)>().unwrap();
/// assert_eq!((pairs.old.objects, pairs.old.bytes), (1, 24)); // a header and two words
/// assert!(census.of::<[u64; 4]>().is_none());
/// assert_eq!(census.total().bytes, heap.stats().heap_used);
/// println!("{census}");
/// # drop(kept);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Census {
    /// Sorted by total bytes, most first, then by name.
    entries: Vec<CensusEntry>,
}

impl Census {
    /// One entry per type with reachable objects, the types that take the most bytes first
    /// (ties by name).
    pub fn entries(&self) -> &[CensusEntry] {
        &self.entries
    }

    /// The entry of the type named `type_name`, if any of its objects is reachable.
    pub fn get(&self, type_name: &str) -> Option<&CensusEntry> {
        self.entries.iter().find(|e| e.type_name == type_name)
    }

    /// The entry of type `T` (a `Gc` target, under any brand), if any of its objects is
    /// reachable.
    pub fn of<T: ?Sized + Object>(&self) -> Option<&CensusEntry> {
        self.get(T::TYPE_INFO.name())
    }

    /// Every reachable young object.
    pub fn young(&self) -> Tally {
        self.entries.iter().map(|e| e.young).sum()
    }

    /// Every reachable old object.
    pub fn old(&self) -> Tally {
        self.entries.iter().map(|e| e.old).sum()
    }

    /// Every reachable large object.
    pub fn large(&self) -> Tally {
        self.entries.iter().map(|e| e.large).sum()
    }

    /// Every reachable object.
    pub fn total(&self) -> Tally {
        self.entries.iter().map(CensusEntry::total).sum()
    }

    /// A census of these entries, in any order; entries of one type name are added up.
    fn from_entries(entries: impl IntoIterator<Item = CensusEntry>) -> Census {
        let mut by_name: HashMap<&'static str, CensusEntry> = HashMap::new();
        for e in entries {
            let entry = by_name.entry(e.type_name).or_insert(CensusEntry {
                type_name: e.type_name,
                young: Tally::default(),
                old: Tally::default(),
                large: Tally::default(),
            });
            entry.young += e.young;
            entry.old += e.old;
            entry.large += e.large;
        }
        let mut entries: Vec<_> = by_name.into_values().collect();
        entries.sort_by(|a, b| (b.total().bytes, a.type_name).cmp(&(a.total().bytes, b.type_name)));
        Census { entries }
    }
}

impl fmt::Display for Census {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = |t: Tally| Bytes(t.bytes).to_string();
        let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 5], name: &str| {
            let [objects, total, young, old, large] = cells;
            writeln!(
                f,
                "{objects:>10} {total:>11} {young:>11} {old:>11} {large:>11}  {name}"
            )
        };
        line(f, ["objects", "bytes", "young", "old", "large"], "type")?;
        for e in &self.entries {
            let cells = [e.total().objects.to_string(), bytes(e.total())];
            let spaces = [bytes(e.young), bytes(e.old), bytes(e.large)];
            line(
                f,
                [&cells[0], &cells[1], &spaces[0], &spaces[1], &spaces[2]],
                e.type_name,
            )?;
        }
        let total = self.total();
        let cells = [total.objects.to_string(), bytes(total)];
        let spaces = [bytes(self.young()), bytes(self.old()), bytes(self.large())];
        line(
            f,
            [&cells[0], &cells[1], &spaces[0], &spaces[1], &spaces[2]],
            "total",
        )
    }
}

/// Finds the reachable objects, each once, without touching them.
struct Reach {
    seen: HashSet<usize, WordHash>,
    stack: Vec<NonNull<u8>>,
}

impl EdgeVisitor for Reach {
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        if self.seen.insert(slot.as_ptr().addr()) {
            self.stack.push(*slot);
        }
    }

    fn weak_edge(&mut self, _: &mut Option<NonNull<u8>>) {}
}

/// Where an object lives.
#[derive(Clone, Copy)]
enum Space {
    Young,
    Old,
    Large,
}

impl HeapState {
    /// Counts the objects reachable from the roots, by type and by space. Must run outside
    /// every scope and collection.
    pub(crate) fn census(&self) -> Census {
        self.check_usable();
        let mut reach = Reach {
            seen: HashSet::default(),
            stack: Vec::new(),
        };
        self.roots.for_each_slot(|slot| reach.edge(slot));
        // Tallies by descriptor first: one type may have several descriptors (one per crate
        // that names it), which `from_entries` adds up by name.
        let mut tallies: HashMap<usize, (&'static str, [Tally; 3])> = HashMap::new();
        let large = self.spaces.large.borrow();
        while let Some(obj) = reach.stack.pop() {
            // SAFETY: outside scopes and collections every reachable object is live, with an
            // intact header (nothing is forwarded).
            let h = unsafe { header::read(obj) };
            let info = h.type_info();
            let addr = obj.as_ptr().addr();
            let space = if self.spaces.is_young(addr) {
                Space::Young
            } else if large.is_object_start(addr) {
                Space::Large
            } else {
                Space::Old
            };
            // SAFETY: as above; a slice object's length word is intact.
            let bytes = unsafe { h.object_size(obj) } as u64;
            let key = core::ptr::from_ref(info).addr();
            let (_, counts) = tallies
                .entry(key)
                .or_insert((info.name(), [Tally::default(); 3]));
            counts[space as usize] += Tally { objects: 1, bytes };
            // SAFETY: the object is live and its value intact; no scope is open, so no
            // reference to the value is alive.
            unsafe { scan(obj, info, &mut reach) };
        }
        Census::from_entries(
            tallies
                .into_values()
                .map(|(type_name, [young, old, large])| CensusEntry {
                    type_name,
                    young,
                    old,
                    large,
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(type_name: &'static str, young: u64, old: u64, large: u64) -> CensusEntry {
        let tally = |bytes| Tally {
            objects: u64::from(bytes > 0),
            bytes,
        };
        CensusEntry {
            type_name,
            young: tally(young),
            old: tally(old),
            large: tally(large),
        }
    }

    #[test]
    fn entries_are_sorted_by_bytes_and_merged_by_name() {
        let census = Census::from_entries([
            entry("small", 16, 0, 0),
            entry("big", 0, 0, 10_000),
            entry("middle", 0, 500, 0),
            entry("small", 0, 16, 0),
            entry("also middle", 500, 0, 0),
        ]);
        let names: Vec<_> = census.entries().iter().map(|e| e.type_name).collect();
        assert_eq!(names, ["big", "also middle", "middle", "small"]);
        let small = census.get("small").unwrap();
        assert_eq!(
            small.total(),
            Tally {
                objects: 2,
                bytes: 32
            }
        );
        assert_eq!(
            census.young(),
            Tally {
                objects: 2,
                bytes: 516
            }
        );
        assert_eq!(
            census.old(),
            Tally {
                objects: 2,
                bytes: 516
            }
        );
        assert_eq!(
            census.large(),
            Tally {
                objects: 1,
                bytes: 10_000
            }
        );
        assert_eq!(census.total().bytes, 11_032);
    }

    #[test]
    fn the_table_has_a_header_a_line_per_type_and_totals() {
        let census = Census::from_entries([entry("a::B", 0, 2048, 0), entry("C", 8, 0, 0)]);
        let table = census.to_string();
        let lines: Vec<_> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(
            lines[0].ends_with("  type") && lines[0].contains("objects"),
            "{table}"
        );
        assert!(
            lines[1].ends_with("  a::B") && lines[1].contains("2.0 KiB"),
            "{table}"
        );
        assert!(
            lines[2].ends_with("  C") && lines[2].contains("8 B"),
            "{table}"
        );
        assert!(
            lines[3].ends_with("  total") && lines[3].contains("2.0 KiB"),
            "{table}"
        );
        let columns: Vec<_> = lines[3].split_whitespace().collect();
        assert_eq!(columns[0], "2", "{table}");
    }
}
