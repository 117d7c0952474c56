/** The harness's xorshift64 (benches/src/rng.rs), with its fixed seed. */
final class Rng {
    private static long state = 0x9E3779B97F4A7C15L;

    private Rng() {}

    /** A pseudo-random number below `n`, the same sequence as the Rust programs draw. */
    static long below(long n) {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state = x;
        return (x >>> 11) % n;
    }
}
