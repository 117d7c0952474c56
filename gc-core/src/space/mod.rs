//! The spaces objects live in: the nursery (with eden's overflow blocks), the old generation
//! and the large-object space.

pub(crate) mod large;
pub(crate) mod nursery;
pub(crate) mod old;
pub(crate) mod overflow;
