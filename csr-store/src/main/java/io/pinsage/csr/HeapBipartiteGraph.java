package io.pinsage.csr;

import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link BipartiteGraph} held in Java arrays: for graphs of fewer than 2<sup>31</sup> edges that fit the
 * heap (tests, small datasets, freshly ingested deltas). Immutable and thread-safe once built.
 *
 * <p>Neighbours of each node are sorted by id; parallel edges are kept (a multigraph), so callers that want
 * a simple graph deduplicate first.
 */
public final class HeapBipartiteGraph implements BipartiteGraph {

    private final int[] nodeCount = new int[2];
    private final long[][] offsets = new long[2][];
    private final int[][] neighbors = new int[2][];
    private final float[][] weights = new float[2][];
    private final int[] maxDegree = new int[2];

    private HeapBipartiteGraph(int leftCount, int rightCount, int[] left, int[] right, float[] weight) {
        nodeCount[Side.LEFT.ordinal()] = leftCount;
        nodeCount[Side.RIGHT.ordinal()] = rightCount;
        fill(Side.LEFT, leftCount, left, right, weight);
        fill(Side.RIGHT, rightCount, right, left, weight);
    }

    /**
     * Builds a graph from parallel edge arrays.
     *
     * @param leftCount  number of left nodes; every {@code left[i]} must be below it
     * @param rightCount number of right nodes; every {@code right[i]} must be below it
     * @param left       left endpoint of each edge
     * @param right      right endpoint of each edge
     * @param weight     positive finite weight of each edge, or {@code null} for an unweighted graph
     * @throws IllegalArgumentException naming the first offending edge if an id is out of range or a weight is
     *                                  not positive and finite, or naming the counts if the graph could not fit the
     *                                  heap (checked before anything is allocated, see {@link ResourceLimits})
     */
    public static HeapBipartiteGraph of(int leftCount, int rightCount, int[] left, int[] right, float[] weight) {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        if (leftCount < 0 || rightCount < 0) {
            throw new IllegalArgumentException("leftCount=" + leftCount + " rightCount=" + rightCount + ": must be >= 0");
        }
        if (left.length != right.length || (weight != null && weight.length != left.length)) {
            throw new IllegalArgumentException("left.length=" + left.length + " right.length=" + right.length
                    + (weight == null ? "" : " weight.length=" + weight.length) + ": must be equal");
        }
        // Per side: offsets and a fill cursor (8 + 8 bytes a node), neighbours and weights (4 + 4 bytes an edge).
        long nodes = (long) leftCount + rightCount + 2;
        long bytes = ResourceLimits.plus(ResourceLimits.bytes(nodes, 16),
                ResourceLimits.bytes(left.length, weight == null ? 8 : 16));
        ResourceLimits.requireHeap("leftCount=" + leftCount + " rightCount=" + rightCount + " edges=" + left.length, bytes,
                "node counts come from the largest ids, so ids must be dense (0..n-1)");
        for (int i = 0; i < left.length; i++) {
            if (left[i] < 0 || left[i] >= leftCount || right[i] < 0 || right[i] >= rightCount) {
                throw new IllegalArgumentException("edge " + i + " = (" + left[i] + ", " + right[i]
                        + "): ids must lie in [0, " + leftCount + ") x [0, " + rightCount + ")");
            }
            if (weight != null && !(weight[i] > 0 && Float.isFinite(weight[i]))) {
                throw new IllegalArgumentException("edge " + i + " weight=" + weight[i] + ": must be positive and finite");
            }
        }
        return new HeapBipartiteGraph(leftCount, rightCount, left, right, weight);
    }

    private void fill(Side side, int count, int[] from, int[] to, float[] weight) {
        int s = side.ordinal();
        long[] off = new long[count + 1];
        for (int u : from) {
            off[u + 1]++;
        }
        int max = 0;
        for (int u = 0; u < count; u++) {
            max = (int) Math.max(max, off[u + 1]);
            off[u + 1] += off[u];
        }
        int[] nbr = new int[from.length];
        float[] w = weight == null ? null : new float[from.length];
        long[] cursor = Arrays.copyOf(off, count);
        for (int i = 0; i < from.length; i++) {
            int pos = (int) cursor[from[i]]++;
            nbr[pos] = to[i];
            if (w != null) {
                w[pos] = weight[i];
            }
        }
        for (int u = 0; u < count; u++) {
            sortSlice(nbr, w, (int) off[u], (int) off[u + 1]);
        }
        offsets[s] = off;
        neighbors[s] = nbr;
        weights[s] = w;
        maxDegree[s] = max;
    }

    /** Sorts one node's neighbours by id, carrying their weights along. */
    private static void sortSlice(int[] nbr, float[] w, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        if (w == null) {
            Arrays.sort(nbr, from, to);
            return;
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) nbr[from + i] << 32) | i;
        }
        Arrays.sort(keys);
        float[] ws = Arrays.copyOfRange(w, from, to);
        for (int i = 0; i < n; i++) {
            nbr[from + i] = (int) (keys[i] >>> 32);
            w[from + i] = ws[(int) keys[i]];
        }
    }

    @Override
    public int nodeCount(Side side) {
        return nodeCount[side.ordinal()];
    }

    @Override
    public long edgeCount() {
        return neighbors[0].length;
    }

    @Override
    public int degree(Side side, int node) {
        long[] off = offsets[side.ordinal()];
        return (int) (off[node + 1] - off[node]);
    }

    @Override
    public long firstEdge(Side side, int node) {
        return offsets[side.ordinal()][node];
    }

    @Override
    public int neighborAt(Side side, long edge) {
        return neighbors[side.ordinal()][(int) edge];
    }

    @Override
    public boolean hasWeights() {
        return weights[0] != null;
    }

    @Override
    public float weightAt(Side side, long edge) {
        float[] w = weights[side.ordinal()];
        return w == null ? 1f : w[(int) edge];
    }

    @Override
    public int maxDegree(Side side) {
        return maxDegree[side.ordinal()];
    }
}
