import java.util.ArrayList;

/**
 * growing-graph: the same program as benches/src/growing_graph.rs, printing the same check
 * lines and then the time of the workload in nanoseconds. Run with `java GrowingGraph NODES`.
 * A node's four edge slots are four fields, so that a node is one object, as in the Rust and
 * Go versions.
 */
public final class GrowingGraph {
    private static final int EDGES = 4;
    private static final int LINKS = 3;

    private static final class Node {
        final long id;
        Node e0, e1, e2, e3;

        Node(long id) {
            this.id = id;
        }

        Node edge(int k) {
            switch (k) {
                case 0: return e0;
                case 1: return e1;
                case 2: return e2;
                default: return e3;
            }
        }

        void setEdge(int k, Node target) {
            switch (k) {
                case 0: e0 = target; break;
                case 1: e1 = target; break;
                case 2: e2 = target; break;
                default: e3 = target; break;
            }
        }
    }


    public static void main(String[] args) {
        long start = System.nanoTime();
        int size = Integer.parseInt(args[0]);
        ArrayList<Node> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Node node = new Node(i);
            if (i > 0) {
                for (int k = 0; k < LINKS; k++) {
                    node.setEdge(k, nodes.get((int) Rng.below(i)));
                }
                Node old = nodes.get((int) Rng.below(i));
                old.setEdge((int) Rng.below(EDGES), node);
            }
            nodes.add(node);
        }

        long edges = 0;
        long checksum = 0;
        for (Node node : nodes) {
            for (int k = 0; k < EDGES; k++) {
                Node target = node.edge(k);
                if (target != null) {
                    edges++;
                    checksum = checksum * 31 + target.id * EDGES + k;
                }
            }
        }
        System.out.println(size + " nodes, " + edges + " edges, edge checksum "
                + Long.toUnsignedString(checksum));
        Node node = nodes.get(0);
        long sum = 0;
        for (int step = 0; step < size; step++) {
            sum += node.id;
            Node next = null;
            for (int k = 0; k < EDGES && next == null; k++) {
                next = node.edge((step + k) % EDGES);
            }
            node = next != null ? next : nodes.get(size - 1);
        }
        System.out.println("walk of " + size + " steps from node 0: ids sum to " + sum);
        System.out.println("elapsed_ns: " + (System.nanoTime() - start));
    }
}
