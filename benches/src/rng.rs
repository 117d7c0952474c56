//! The pseudo-random numbers of the workloads that need them, the same in every peer and in the
//! Java and Go versions: Marsaglia's xorshift64 (shifts 13, 7, 17) from a fixed seed.

/// The seed every workload starts from.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// A xorshift64 generator.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`: the top 53 bits modulo `n` (a non-negative `long` in Java too).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next_u64() >> 11) % n
    }
}
