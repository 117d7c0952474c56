//! The collectors: minor (nursery copying), major (mark-compact), the pacer that chooses
//! between them, and the heap verifier.

pub(crate) mod finalize;
pub(crate) mod major;
pub(crate) mod minor;
pub(crate) mod pacer;
pub(crate) mod tracer;
pub(crate) mod verify;
