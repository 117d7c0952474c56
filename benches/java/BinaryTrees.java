/**
 * binary-trees, from the Computer Language Benchmarks Game, single-threaded: the same program
 * as benches/src/binary_trees.rs, printing the same check lines and then the time of the
 * workload in nanoseconds. Run with `java -XX:+UseSerialGC BinaryTrees DEPTH`.
 */
public final class BinaryTrees {
    private static final int MIN_DEPTH = 4;

    private static final class Node {
        final Node left;
        final Node right;

        Node(Node left, Node right) {
            this.left = left;
            this.right = right;
        }

        long check() {
            return 1 + (left == null ? 0 : left.check()) + (right == null ? 0 : right.check());
        }
    }

    private static Node tree(int depth) {
        return depth == 0 ? new Node(null, null) : new Node(tree(depth - 1), tree(depth - 1));
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        int maxDepth = Integer.parseInt(args[0]);
        int stretch = maxDepth + 1;
        System.out.println("stretch tree of depth " + stretch + "\t check: " + tree(stretch).check());
        Node longLived = tree(maxDepth);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            int iterations = 1 << (maxDepth - depth + MIN_DEPTH);
            long check = 0;
            for (int i = 0; i < iterations; i++) {
                check += tree(depth).check();
            }
            System.out.println(iterations + "\t trees of depth " + depth + "\t check: " + check);
        }
        System.out.println("long lived tree of depth " + maxDepth + "\t check: " + longLived.check());
        System.out.println("elapsed_ns: " + (System.nanoTime() - start));
    }
}
