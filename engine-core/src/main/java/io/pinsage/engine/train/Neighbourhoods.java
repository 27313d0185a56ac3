package io.pinsage.engine.train;

import java.util.Arrays;

/**
 * Fixed-width neighbourhood table over a node space of {@code nodeCount} nodes: node {@code u} has
 * {@code count(u) <= width} neighbours {@code neighbor(u, s)} with importance weights {@code alpha(u, s)} that sum
 * to 1 (or no neighbours at all). This is what a CONVOLVE layer pools over; training and inference share one
 * table so that both see the same graph.
 *
 * <p>Immutable once built; thread-safe. Memory: {@code nodeCount × width × 8} bytes.
 */
public final class Neighbourhoods {

    /** Fills one node's neighbourhood; returns how many entries it wrote (at most {@code ids.length}). */
    @FunctionalInterface
    public interface Source {
        int fill(int node, int[] ids, float[] weights);
    }

    private final int nodeCount;
    private final int width;
    private final int[] ids;
    private final float[] alpha;
    private final int[] count;

    private Neighbourhoods(int nodeCount, int width, int[] ids, float[] alpha, int[] count) {
        this.nodeCount = nodeCount;
        this.width = width;
        this.ids = ids;
        this.alpha = alpha;
        this.count = count;
    }

    /**
     * Builds the table by asking {@code source} for every node, then normalising each node's weights to sum 1.
     * Single-threaded over nodes; the source decides the cost.
     *
     * @throws IllegalArgumentException if the source returns an id outside {@code [0, nodeCount)} or a weight that
     *                                  is negative or not finite
     */
    public static Neighbourhoods build(int nodeCount, int width, Source source) {
        if (width < 1) {
            throw new IllegalArgumentException("width=" + width + ": must be >= 1");
        }
        int[] ids = new int[Math.multiplyExact(nodeCount, width)];
        float[] alpha = new float[ids.length];
        int[] count = new int[nodeCount];
        int[] rowIds = new int[width];
        float[] rowW = new float[width];
        for (int u = 0; u < nodeCount; u++) {
            int c = source.fill(u, rowIds, rowW);
            double sum = 0;
            for (int s = 0; s < c; s++) {
                if (rowIds[s] < 0 || rowIds[s] >= nodeCount) {
                    throw new IllegalArgumentException("neighbourhood of node " + u + " names node " + rowIds[s]
                            + ": must lie in [0, " + nodeCount + ")");
                }
                if (!(rowW[s] >= 0) || !Float.isFinite(rowW[s])) {
                    throw new IllegalArgumentException("neighbourhood of node " + u + " weight=" + rowW[s] + ": must be >= 0 and finite");
                }
                sum += rowW[s];
            }
            count[u] = c;
            for (int s = 0; s < c; s++) {
                ids[u * width + s] = rowIds[s];
                alpha[u * width + s] = sum > 0 ? (float) (rowW[s] / sum) : 1f / c;
            }
        }
        return new Neighbourhoods(nodeCount, width, ids, alpha, count);
    }

    /** Number of nodes the table covers. */
    public int nodeCount() {
        return nodeCount;
    }

    /** The most neighbours a node may have (T). */
    public int width() {
        return width;
    }

    /** Number of neighbours of {@code node}. O(1). */
    public int count(int node) {
        return count[node];
    }

    /** The {@code s}-th neighbour of {@code node}. O(1). */
    public int neighbor(int node, int s) {
        return ids[node * width + s];
    }

    /** The importance weight of the {@code s}-th neighbour of {@code node}. O(1). */
    public float alpha(int node, int s) {
        return alpha[node * width + s];
    }

    /** Raw rows for persistence: ids, weights and counts (copies). */
    int[] idsCopy() {
        return Arrays.copyOf(ids, ids.length);
    }

    float[] alphaCopy() {
        return Arrays.copyOf(alpha, alpha.length);
    }

    int[] countCopy() {
        return Arrays.copyOf(count, count.length);
    }

    /** Rebuilds a table from persisted rows; checks lengths and id ranges. */
    static Neighbourhoods fromRows(int nodeCount, int width, int[] ids, float[] alpha, int[] count) {
        if (ids.length != nodeCount * width || alpha.length != ids.length || count.length != nodeCount) {
            throw new IllegalArgumentException("neighbourhood rows: ids.length=" + ids.length + " alpha.length=" + alpha.length
                    + " count.length=" + count.length + " for nodeCount=" + nodeCount + " width=" + width);
        }
        for (int u = 0; u < nodeCount; u++) {
            if (count[u] < 0 || count[u] > width) {
                throw new IllegalArgumentException("neighbourhood count of node " + u + "=" + count[u] + ": must lie in [0, " + width + "]");
            }
            for (int s = 0; s < count[u]; s++) {
                int v = ids[u * width + s];
                if (v < 0 || v >= nodeCount) {
                    throw new IllegalArgumentException("neighbourhood of node " + u + " names node " + v);
                }
            }
        }
        return new Neighbourhoods(nodeCount, width, ids, alpha, count);
    }
}
