/**
 * GCBench, Hans Boehm's collector benchmark (after John Ellis and Pete Kovac), as in
 * https://hboehm.info/gc/gc_bench/: the same program as benches/src/gcbench.rs, printing the
 * same check lines and then the time of the workload in nanoseconds. Run with
 * `java -XX:+UseSerialGC GCBench STRETCH_DEPTH` (18 in Boehm's program).
 */
public final class GCBench {
    private static final int ARRAY_SIZE = 500_000;
    private static final int MIN_TREE_DEPTH = 4;

    private static final class Node {
        Node left;
        Node right;
        int i;
        int j;

        Node(Node left, Node right) {
            this.left = left;
            this.right = right;
        }

        Node() {
        }

        long count() {
            return 1 + (left == null ? 0 : left.count()) + (right == null ? 0 : right.count());
        }
    }

    private static int treeSize(int depth) {
        return (1 << (depth + 1)) - 1;
    }

    private static void populate(int depth, Node node) {
        if (depth > 0) {
            node.left = new Node();
            node.right = new Node();
            populate(depth - 1, node.left);
            populate(depth - 1, node.right);
        }
    }

    private static Node makeTree(int depth) {
        return depth == 0 ? new Node() : new Node(makeTree(depth - 1), makeTree(depth - 1));
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        int stretch = Integer.parseInt(args[0]);
        int longLivedDepth = stretch - 2;
        System.out.println("Stretching memory with a binary tree of depth " + stretch);
        Node temp = makeTree(stretch);
        temp = null;
        System.out.println("Creating a long-lived binary tree of depth " + longLivedDepth);
        System.out.println("Creating a long-lived array of " + ARRAY_SIZE + " doubles");
        Node longLived = new Node();
        populate(longLivedDepth, longLived);
        double[] array = new double[ARRAY_SIZE];
        for (int i = 0; i < ARRAY_SIZE / 2; i++) {
            array[i] = 1.0 / i;
        }
        for (int depth = MIN_TREE_DEPTH; depth <= longLivedDepth; depth += 2) {
            int iterations = 2 * treeSize(stretch) / treeSize(depth);
            long topDown = 0;
            long bottomUp = 0;
            for (int i = 0; i < iterations; i++) {
                temp = new Node();
                populate(depth, temp);
                topDown = temp.count();
            }
            for (int i = 0; i < iterations; i++) {
                bottomUp = makeTree(depth).count();
            }
            System.out.println("Creating " + iterations + " trees of depth " + depth + ": last top-down "
                    + topDown + " nodes, last bottom-up " + bottomUp + " nodes");
        }
        System.out.println("Long-lived tree: " + longLived.count() + " nodes; array[1000] = " + array[1000]);
        System.out.println("elapsed_ns: " + (System.nanoTime() - start));
    }
}
