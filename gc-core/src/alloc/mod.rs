//! Raw memory and bump allocation, shared by the spaces.

pub(crate) mod allocator;
pub(crate) mod bump;
pub(crate) mod pool;
pub(crate) mod region;
