package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

/**
 * Follows edges with probability proportional to the graph's edge weights ({@link BipartiteGraph#weightAt}),
 * by binary search over per-node cumulative weights: O(log degree) per step.
 *
 * <p>Built once per graph in O(edges) time and 4 bytes per edge per side; cumulative sums restart at every node
 * so float precision depends on one node's degree, not the graph's size. Holds on-heap arrays, so a side may
 * have at most 2<sup>31</sup> − 1 edges. Immutable and thread-safe once built.
 */
public final class WeightedEdgeChooser implements EdgeChooser {

    private final float[][] cumulative = new float[2][];

    /**
     * @throws IllegalArgumentException if the graph has more edges than an array can index
     */
    public WeightedEdgeChooser(BipartiteGraph graph) {
        if (graph.edgeCount() >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("edgeCount=" + graph.edgeCount()
                    + ": weighted walks need fewer than 2^31 edges per side");
        }
        for (Side side : Side.values()) {
            float[] c = new float[(int) graph.edgeCount()];
            for (int u = 0, n = graph.nodeCount(side); u < n; u++) {
                long first = graph.firstEdge(side, u);
                float sum = 0;
                for (int i = 0, d = graph.degree(side, u); i < d; i++) {
                    sum += graph.weightAt(side, first + i);
                    c[(int) first + i] = sum;
                }
            }
            cumulative[side.ordinal()] = c;
        }
    }

    @Override
    public long choose(Side side, int node, long firstEdge, int degree, WalkRandom rnd) {
        float[] c = cumulative[side.ordinal()];
        int lo = (int) firstEdge;
        int hi = lo + degree - 1;
        float target = rnd.nextFloat() * c[hi];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (c[mid] > target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
