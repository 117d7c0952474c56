import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * lru-cache: the same program as benches/src/lru_cache.rs, printing the same check lines and
 * then the time of the workload in nanoseconds. Run with `java LruCache REQUESTS`. The cache
 * is a LinkedHashMap in access order that removes its eldest entry past its capacity.
 */
public final class LruCache {
    private static final int CAPACITY = 100_000;
    private static final long KEY_BITS = 22;

    private static final class Lru extends LinkedHashMap<Long, Long> {
        Lru() {
            super(16, 0.75f, true);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > CAPACITY;
        }
    }


    public static void main(String[] args) {
        long start = System.nanoTime();
        long requests = Long.parseLong(args[0]);
        Lru cache = new Lru();
        long hits = 0, misses = 0, puts = 0, sum = 0;
        for (long i = 0; i < requests; i++) {
            long bits = Rng.below(KEY_BITS + 1);
            long key = Rng.below(1L << bits);
            if (Rng.below(10) == 0) {
                puts++;
                cache.put(key, i);
                continue;
            }
            Long value = cache.get(key);
            if (value != null) {
                hits++;
                sum += value;
            } else {
                misses++;
                cache.put(key, key * 7 + 1);
            }
        }
        System.out.println(hits + " hits, " + misses + " misses, " + puts
                + " puts; values read sum to " + sum);
        // The map iterates from the least recently used; the checksum runs newest first.
        ArrayList<Long> keys = new ArrayList<>(cache.keySet());
        long checksum = 0;
        for (int i = keys.size() - 1; i >= 0; i--) {
            checksum = checksum * 31 + keys.get(i);
        }
        System.out.println(keys.size() + " entries at the end (capacity " + CAPACITY
                + "); newest-first key checksum " + Long.toUnsignedString(checksum));
        System.out.println("elapsed_ns: " + (System.nanoTime() - start));
    }
}
