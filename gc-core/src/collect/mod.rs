//! The collectors and what drives them.
//!
//! - `driver.rs`: a collection from start to end: the pacer's decision, verification before
//!   and after, the trace line, poisoning, and resuming a panic from drop glue.
//! - `minor.rs` (nursery copying) and `major.rs` (mark-compact): the collectors, which take
//!   the heap's parts they work on ([`Parts`]) and nothing else; `mark.rs`: the major
//!   collection's marking.
//! - `pacer.rs`: when to collect, what, and how big the spaces may be.
//! - `finalize.rs`: drop glue of dead objects; `tracer.rs`: scanning one object;
//!   `verify.rs`: the heap verifier.

use core::ptr::NonNull;

use crate::remembered::RememberedSet;
use crate::root_table::RootTable;
use crate::space::Spaces;
use crate::stats::Stats;

pub(crate) mod driver;
pub(crate) mod finalize;
pub(crate) mod major;
pub(crate) mod mark;
pub(crate) mod minor;
pub(crate) mod pacer;
pub(crate) mod parallel;
pub(crate) mod tracer;
pub(crate) mod verify;

/// The parts of a heap a collection works on.
pub(crate) struct Parts<'a> {
    pub(crate) spaces: &'a mut Spaces,
    pub(crate) remembered: &'a mut RememberedSet,
    pub(crate) roots: &'a RootTable,
    /// Young objects that need drop.
    pub(crate) young_finalizable: &'a mut Vec<NonNull<u8>>,
    pub(crate) stats: &'a mut Stats,
    /// Bytes of eden handed out, and of eden and overflow blocks, since the last minor
    /// collection.
    pub(crate) eden_used: usize,
    pub(crate) young_allocated: usize,
}
