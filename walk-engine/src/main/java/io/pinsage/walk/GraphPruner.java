package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Arrays;
import java.util.Objects;

/**
 * Pixie's graph pruning, which made its walks markedly more relevant: boards whose pins cover too many topics
 * are dropped, and nodes of extreme degree keep only their most relevant edges.
 *
 * <p>Topics come from the pins' content features, a row-major {@code pins × dim} float matrix: a pin's topic
 * distribution is its feature vector's absolute values normalised to sum 1; a board's is the mean over its
 * pins; a board's diversity is the entropy of that distribution divided by ln(dim) (0 = one topic, 1 = uniform
 * over all). Boards with at least two pins and diversity above {@code maxDiversity} lose all their edges.
 * Relevance of an edge is the cosine between the pin's features and its board's mean features; pins with more
 * than {@code maxPinDegree} edges keep that many of the most relevant, then boards with more than
 * {@code maxBoardDegree} likewise. Node ids do not change, so stores and features stay aligned; edge weights are
 * kept.
 *
 * <p>Produces an on-heap graph: for graphs of fewer than 2<sup>31</sup> edges. Cost: O(edges · dim) time,
 * O(boards · dim + edges) memory. Stateless and thread-safe.
 */
public final class GraphPruner {

    /** The pruned graph and what was removed. */
    public record Result(HeapBipartiteGraph graph, int boardsDropped, long edgesDropped) {
    }

    private GraphPruner() {
    }

    /**
     * @param features       pins × dim content features, row-major
     * @param maxDiversity   in (0, 1]; 1 keeps every board
     * @param maxPinDegree   edges kept per pin at most (Integer.MAX_VALUE: no cap)
     * @param maxBoardDegree edges kept per board at most (Integer.MAX_VALUE: no cap)
     * @throws IllegalArgumentException if the matrix does not have pins × dim entries, or a knob is out of range
     */
    public static Result prune(BipartiteGraph graph, float[] features, int dim, double maxDiversity, int maxPinDegree,
                               int maxBoardDegree) {
        Objects.requireNonNull(graph, "graph");
        int pins = graph.nodeCount(Side.LEFT);
        int boards = graph.nodeCount(Side.RIGHT);
        if (dim < 1 || features.length != (long) pins * dim) {
            throw new IllegalArgumentException("features.length=" + features.length + " dim=" + dim
                    + ": need pins (" + pins + ") x dim entries");
        }
        if (!(maxDiversity > 0 && maxDiversity <= 1)) {
            throw new IllegalArgumentException("maxDiversity=" + maxDiversity + ": must lie in (0, 1]");
        }
        if (maxPinDegree < 1 || maxBoardDegree < 1) {
            throw new IllegalArgumentException("maxPinDegree=" + maxPinDegree + " maxBoardDegree=" + maxBoardDegree
                    + ": must be >= 1");
        }
        if (graph.edgeCount() >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("edgeCount=" + graph.edgeCount() + ": pruning builds an on-heap graph of < 2^31 edges");
        }
        float[] boardMean = new float[boards * dim];
        float[] topics = new float[dim];
        boolean[] dropped = new boolean[boards];
        int boardsDropped = 0;
        for (int b = 0; b < boards; b++) {
            int d = graph.degree(Side.RIGHT, b);
            Arrays.fill(topics, 0f);
            for (int i = 0; i < d; i++) {
                int p = graph.neighbor(Side.RIGHT, b, i);
                float abs = 0;
                for (int k = 0; k < dim; k++) {
                    abs += Math.abs(features[p * dim + k]);
                    boardMean[b * dim + k] += features[p * dim + k] / d;
                }
                for (int k = 0; abs > 0 && k < dim; k++) {
                    topics[k] += Math.abs(features[p * dim + k]) / abs / d;
                }
            }
            if (d >= 2 && dim > 1 && entropy(topics) / Math.log(dim) > maxDiversity) {
                dropped[b] = true;
                boardsDropped++;
            }
        }

        // Pass 1: pins keep their most relevant edges to surviving boards.
        int m = (int) graph.edgeCount();
        int[] left = new int[m];
        int[] right = new int[m];
        float[] weight = graph.hasWeights() ? new float[m] : null;
        int kept = 0;
        long[] ranked = new long[graph.maxDegree(Side.LEFT)];
        for (int p = 0; p < pins; p++) {
            long first = graph.firstEdge(Side.LEFT, p);
            int n = 0;
            for (int i = 0, d = graph.degree(Side.LEFT, p); i < d; i++) {
                int b = graph.neighborAt(Side.LEFT, first + i);
                if (!dropped[b]) {
                    ranked[n++] = rankKey(cosine(features, p * dim, boardMean, b * dim, dim), i);
                }
            }
            int keep = selectMostRelevant(ranked, n, maxPinDegree);
            for (int j = 0; j < keep; j++) {
                long e = first + (int) ranked[j];
                left[kept] = p;
                right[kept] = graph.neighborAt(Side.LEFT, e);
                if (weight != null) {
                    weight[kept] = graph.weightAt(Side.LEFT, e);
                }
                kept++;
            }
        }

        // Pass 2: boards keep their most relevant remaining edges.
        int[] start = new int[boards + 1];
        int[] byBoard = groupBy(right, kept, start);
        boolean[] keepEdge = new boolean[kept];
        long[] boardRanked = new long[graph.maxDegree(Side.RIGHT)];
        for (int b = 0; b < boards; b++) {
            int n = 0;
            for (int j = start[b]; j < start[b + 1]; j++) {
                boardRanked[n++] = rankKey(cosine(features, left[byBoard[j]] * dim, boardMean, b * dim, dim), byBoard[j]);
            }
            int keep = selectMostRelevant(boardRanked, n, maxBoardDegree);
            for (int j = 0; j < keep; j++) {
                keepEdge[(int) boardRanked[j]] = true;
            }
        }
        int out = 0;
        for (int i = 0; i < kept; i++) {
            if (keepEdge[i]) {
                left[out] = left[i];
                right[out] = right[i];
                if (weight != null) {
                    weight[out] = weight[i];
                }
                out++;
            }
        }
        HeapBipartiteGraph pruned = HeapBipartiteGraph.of(pins, boards, Arrays.copyOf(left, out), Arrays.copyOf(right, out),
                weight == null ? null : Arrays.copyOf(weight, out));
        return new Result(pruned, boardsDropped, m - out);
    }

    /** Packs relevance (high bits, order-preserving) and an index (low 32 bits) into one sortable long. */
    private static long rankKey(float relevance, int index) {
        int bits = Float.floatToIntBits(relevance);
        int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // IEEE order as signed ints
        return ((long) ordered << 32) | (index & 0xFFFFFFFFL);
    }

    /** Moves the {@code keep} most relevant keys to the front (as indices) and returns how many were kept. */
    private static int selectMostRelevant(long[] keys, int n, int keep) {
        if (n <= keep) {
            for (int i = 0; i < n; i++) {
                keys[i] = keys[i] & 0xFFFFFFFFL;
            }
            return n;
        }
        Arrays.sort(keys, 0, n);
        for (int j = 0; j < keep; j++) {
            keys[j] = keys[n - 1 - j] & 0xFFFFFFFFL;
        }
        return keep;
    }

    /**
     * Positions of the edges {@code 0..count} ordered by board (a counting sort); board b's edges end up at
     * {@code [start[b], start[b + 1])} of the result.
     */
    private static int[] groupBy(int[] board, int count, int[] start) {
        for (int i = 0; i < count; i++) {
            start[board[i] + 1]++;
        }
        for (int b = 0; b + 1 < start.length; b++) {
            start[b + 1] += start[b];
        }
        int[] next = Arrays.copyOf(start, start.length);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[next[board[i]]++] = i;
        }
        return order;
    }

    private static double entropy(float[] p) {
        double h = 0;
        for (float x : p) {
            if (x > 0) {
                h -= x * Math.log(x);
            }
        }
        return h;
    }

    private static float cosine(float[] a, int ao, float[] b, int bo, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < dim; k++) {
            dot += a[ao + k] * b[bo + k];
            na += a[ao + k] * a[ao + k];
            nb += b[bo + k] * b[bo + k];
        }
        return na == 0 || nb == 0 ? 0f : (float) (dot / Math.sqrt(na * nb));
    }
}
