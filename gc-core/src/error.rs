//! The errors allocation can report.

use core::fmt;

use crate::stats::Bytes;

/// An allocation that would take the heap past its configured limit.
///
/// The `try_` allocation functions return it; the others panic with its message.
///
/// ```
/// use tenured_gc::{Gc, Heap, HeapConfig};
///
/// let limit = 32 << 20;
/// let mut heap = Heap::with_config(HeapConfig {
///     heap_limit: Some(limit),
///     ..HeapConfig::default()
/// })
/// .unwrap();
/// heap.mutate(|m| {
///     let error = Gc::try_from_vec(m, vec![0_u8; 2 * limit]).unwrap_err();
///     assert_eq!(error.limit, limit);
///     assert!(error.to_string().starts_with("heap limit reached"));
///     assert!(Gc::try_new(m, 1).is_ok(), "small objects still fit");
/// });
/// ```
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
