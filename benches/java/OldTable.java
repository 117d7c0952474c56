/**
 * old-table: the same program as benches/src/old_table.rs, printing the same check line and
 * then the time of the workload in nanoseconds. Run with `java OldTable STORES`.
 */
public final class OldTable {
    private static final int SLOTS = 1_000_000;

    private static final class Item {
        final long value;

        Item(long value) {
            this.value = value;
        }
    }


    public static void main(String[] args) {
        long start = System.nanoTime();
        long stores = Long.parseLong(args[0]);
        Item[] table = new Item[SLOTS];
        for (long i = 0; i < stores; i++) {
            table[(int) Rng.below(SLOTS)] = new Item(i);
        }
        long filled = 0;
        long sum = 0;
        for (Item item : table) {
            if (item != null) {
                filled++;
                sum += item.value;
            }
        }
        System.out.println(SLOTS + " slots, " + stores + " stores: " + filled
                + " slots filled, values sum to " + sum);
        System.out.println("elapsed_ns: " + (System.nanoTime() - start));
    }
}
