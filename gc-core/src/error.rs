//! The errors allocation can report.

use core::fmt;

use crate::stats::Bytes;

/// An allocation that would take the heap past its configured limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocError {
    /// Bytes the allocation needed from the system.
    pub requested: usize,
    /// Bytes the heap reserved when it was refused.
    pub reserved: usize,
    /// The configured `heap_limit`.
    pub limit: usize,
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "heap limit reached: {} more would take the heap from {} to past its limit of {} \
             (objects already allocated are intact; a collection point may free memory)",
            Bytes(self.requested as u64),
            Bytes(self.reserved as u64),
            Bytes(self.limit as u64)
        )
    }
}

impl std::error::Error for AllocError {}
