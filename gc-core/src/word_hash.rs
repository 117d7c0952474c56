//! [`WordHasher`]: the hasher of the collector's own tables, keyed by one word (an object's
//! address, a chunk's number).
//!
//! One multiplication (Fibonacci hashing), with the high half folded into the low bits that a
//! table indexes by: addresses are multiples of a word and chunk numbers consecutive-ish, which
//! this spreads; a general-purpose hasher would cost more than the lookups it serves.

use core::hash::{BuildHasherDefault, Hasher};

/// Hashes one-word keys.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

/// What a `HashMap` or `HashSet` of the collector takes to hash with a [`WordHasher`].
pub(crate) type WordHash = BuildHasherDefault<WordHasher>;

const FIBONACCI: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FIBONACCI);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        let h = n.wrapping_mul(FIBONACCI);
        self.0 = h ^ (h >> 32);
    }
}
