package io.pinsage.csr.prune;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.Side;

import java.util.Arrays;
import java.util.Objects;

/**
 * Pixie's graph pruning, which made its walks markedly more relevant: boards whose pins cover too many topics
 * are dropped, and nodes of extreme degree keep only their most relevant edges.
 *
 * <p>Topics come from the pins' content features ({@code pins × dim}): a pin's topic distribution is its feature
 * vector's absolute values normalised to sum 1; a board's is the mean over its pins; a board's diversity is the
 * entropy of that distribution divided by ln(dim) (0 = one topic, 1 = uniform over all). Relevance of an edge is the
 * cosine between the pin's features and its board's mean features; without features it is the edge weight divided
 * by log2(2 + the other endpoint's degree), so that a capped node keeps its heaviest and most specific edges.
 *
 * <p>Steps, on the input's degrees and board means: (1) boards of at least two pins whose diversity exceeds the limit
 * ({@link PruneSettings}) lose every edge; (2) pins with more edges to surviving boards than their cap keep the most
 * relevant; (3) boards with more remaining edges than their cap likewise; (4) a board that lost edges in steps 2–3 is
 * measured again on what it kept, and dropped if now too diverse. So the result satisfies the settings it was made
 * with: every degree is within its cap and every board of two or more pins within the diversity limit, measured on
 * the result itself. Pruning it again with a fixed {@code maxDiversity} therefore removes nothing (a
 * {@code diversityQuantile} is resolved afresh on each input, so it prunes again). Node ids never change, so feature
 * files, id maps and held-out pairs stay valid; kept edges keep their weights, and parallel edges are kept or cut
 * one by one.
 *
 * <p>Cost: O(edges · dim) time for feature-based relevance plus O(d log d) per capped node; memory
 * {@code boards · dim} floats of board means, one bit per edge, a few arrays of the largest degree, and, where
 * boards are capped or measured again, 8 bytes per pin. Reads the graph
 * through {@link BipartiteGraph} only, so it prunes memory-mapped stores of more than 2<sup>31</sup> edges. Stateless
 * and thread-safe; a plan runs on the calling thread.
 */
public final class GraphPruner {

    /** Reads one pin's feature row into a scratch array. */
    @FunctionalInterface
    private interface Rows {
        void copyRow(int pin, float[] dst, int offset);
    }

    private GraphPruner() {
    }

    /**
     * Decides which edges survive, with features from a store's pin feature matrix.
     *
     * @param features the pins' features, or {@code null} when the store has none (then only degree caps apply)
     * @throws IllegalArgumentException if the matrix does not have one row per pin, or diverse boards are to be
     *                                  dropped without features
     */
    public static PrunePlan plan(BipartiteGraph graph, FeatureMatrix features, PruneSettings settings) {
        Objects.requireNonNull(graph, "graph");
        if (features == null) {
            return planWith(graph, null, 0, settings);
        }
        if (features.rows() != graph.nodeCount(Side.LEFT)) {
            throw new IllegalArgumentException("features.rows=" + features.rows() + ": need one row per pin ("
                    + graph.nodeCount(Side.LEFT) + ")");
        }
        return planWith(graph, features::copyRow, features.dim(), settings);
    }

    /**
     * As {@link #plan(BipartiteGraph, FeatureMatrix, PruneSettings)} with a row-major {@code pins × dim} array.
     *
     * @throws IllegalArgumentException if the array does not have {@code pins × dim} entries
     */
    public static PrunePlan plan(BipartiteGraph graph, float[] features, int dim, PruneSettings settings) {
        requireShape(graph, features, dim);
        return planWith(graph, (p, dst, off) -> System.arraycopy(features, p * dim, dst, off, dim), dim, settings);
    }

    /**
     * The diversity of every board (entropy of its pins' mean topic distribution over ln(dim)), or NaN for boards of
     * fewer than two pins, which no diversity limit drops. Cost: O(edges · dim).
     */
    public static float[] diversities(BipartiteGraph graph, float[] features, int dim) {
        requireShape(graph, features, dim);
        Pass pass = new Pass(graph, (p, dst, off) -> System.arraycopy(features, p * dim, dst, off, dim), dim, true, false);
        return pass.diversity;
    }

    private static PrunePlan planWith(BipartiteGraph graph, Rows rows, int dim, PruneSettings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.dropsDiverseBoards() && rows == null) {
            throw new IllegalArgumentException("diversity limit " + (settings.maxDiversity() < 1 ? "maxDiversity="
                    + settings.maxDiversity() : "diversityQuantile=" + settings.diversityQuantile())
                    + ": dropping diverse boards needs the pins' content features, and there are none");
        }
        boolean capsPins = settings.maxPinDegree() < graph.maxDegree(Side.LEFT);
        boolean capsBoards = settings.maxBoardDegree() < graph.maxDegree(Side.RIGHT);
        try {
            Pass pass = new Pass(graph, rows, dim, settings.dropsDiverseBoards(), rows != null && (capsPins || capsBoards));
            return pass.run(settings, capsPins, capsBoards);
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e); // a neighbour id outside its side indexed a per-node array
        }
    }

    /** One pruning run's state: scratch arrays sized by the largest degrees, the kept-edge bits, the counters. */
    private static final class Pass {
        private final BipartiteGraph graph;
        private final Rows rows;
        private final int dim;
        private final float[] diversity;
        private final float[] boardMean;
        private final float[] row;
        private final double[] topics;
        private final int[] pins;
        private long[] keep;

        Pass(BipartiteGraph graph, Rows rows, int dim, boolean needDiversity, boolean needMeans) {
            this.graph = graph;
            this.rows = rows;
            this.dim = dim;
            int boards = graph.nodeCount(Side.RIGHT);
            if (needMeans && (long) boards * dim > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("boards=" + boards + " dim=" + dim + ": board means need fewer than 2^31 floats");
            }
            this.row = new float[Math.max(dim, 1)];
            this.topics = new double[Math.max(dim, 1)];
            this.pins = new int[graph.maxDegree(Side.RIGHT)];
            this.boardMean = needMeans ? new float[boards * dim] : null;
            this.diversity = needDiversity ? new float[boards] : null;
            for (int b = 0; (needDiversity || needMeans) && b < boards; b++) {
                int d = graph.copyNeighbors(Side.RIGHT, b, pins, 0);
                if (needDiversity) {
                    diversity[b] = d < 2 ? Float.NaN : diversity(pins, d);
                }
                if (needMeans) {
                    mean(b, d);
                }
            }
        }

        /** Entropy of the mean topic distribution of {@code pins[0, n)} over ln(dim); the same code and order always. */
        private float diversity(int[] pins, int n) {
            if (dim < 2) {
                return 0f;
            }
            Arrays.fill(topics, 0);
            for (int i = 0; i < n; i++) {
                rows.copyRow(pins[i], row, 0);
                double abs = 0;
                for (int k = 0; k < dim; k++) {
                    abs += Math.abs(row[k]);
                }
                for (int k = 0; abs > 0 && k < dim; k++) {
                    topics[k] += Math.abs(row[k]) / abs / n;
                }
            }
            double h = 0;
            for (double x : topics) {
                if (x > 0) {
                    h -= x * Math.log(x);
                }
            }
            return (float) (h / Math.log(dim));
        }

        private void mean(int b, int d) {
            int at = b * dim;
            for (int i = 0; i < d; i++) {
                rows.copyRow(pins[i], row, 0);
                for (int k = 0; k < dim; k++) {
                    boardMean[at + k] += row[k] / d;
                }
            }
        }

        PrunePlan run(PruneSettings s, boolean capsPins, boolean capsBoards) {
            int pinCount = graph.nodeCount(Side.LEFT);
            int boards = graph.nodeCount(Side.RIGHT);
            long edges = graph.edgeCount();
            int multiPin = 0;
            for (int b = 0; diversity != null && b < boards; b++) {
                multiPin += Float.isNaN(diversity[b]) ? 0 : 1;
            }
            double threshold = threshold(s, multiPin);
            boolean[] dropped = new boolean[boards];
            int boardsDropped = 0;
            long edgesOfDropped = 0;
            for (int b = 0; diversity != null && b < boards; b++) {
                if (diversity[b] > threshold) {
                    dropped[b] = true;
                    boardsDropped++;
                    edgesOfDropped += graph.degree(Side.RIGHT, b);
                }
            }

            // Pins keep their most relevant edges to surviving boards.
            keep = new long[(int) ((edges + 63) >>> 6)];
            long[] ranked = new long[graph.maxDegree(Side.LEFT)];
            int pinsCapped = 0;
            long cutAtPins = 0;
            for (int p = 0; p < pinCount; p++) {
                long first = graph.firstEdge(Side.LEFT, p);
                int d = graph.degree(Side.LEFT, p);
                int n = 0;
                for (int i = 0; i < d; i++) {
                    if (!dropped[graph.neighborAt(Side.LEFT, first + i)]) {
                        ranked[n++] = i;
                    }
                }
                if (n > s.maxPinDegree()) {
                    pinsCapped++;
                    cutAtPins += n - s.maxPinDegree();
                    loadRow(p);
                    for (int j = 0; j < n; j++) {
                        long e = first + ranked[j];
                        int b = graph.neighborAt(Side.LEFT, e);
                        ranked[j] = rankKey(relevance(b, e, graph.degree(Side.RIGHT, b)), (int) ranked[j]);
                    }
                    n = selectMostRelevant(ranked, n, s.maxPinDegree());
                }
                for (int j = 0; j < n; j++) {
                    set(first + ranked[j]);
                }
            }

            // Boards keep their most relevant remaining edges; a board that lost edges is measured again.
            int boardsCapped = 0;
            long cutAtBoards = 0;
            boolean recheck = diversity != null && s.dropsDiverseBoards();
            if (capsBoards || (recheck && capsPins)) {
                long[] leftEdge = new long[graph.maxDegree(Side.RIGHT)];
                long[] boardRanked = new long[graph.maxDegree(Side.RIGHT)];
                boolean[] survives = new boolean[graph.maxDegree(Side.RIGHT)];
                long[] cursor = leftCursors(pinCount);
                for (int b = 0; b < boards; b++) {
                    int d = graph.degree(Side.RIGHT, b);
                    long first = graph.firstEdge(Side.RIGHT, b);
                    if (dropped[b]) {
                        for (int j = 0; j < d; j++) {
                            cursor[graph.neighborAt(Side.RIGHT, first + j)]++;
                        }
                        continue;
                    }
                    int n = 0;
                    for (int j = 0; j < d; j++) {
                        int p = graph.neighborAt(Side.RIGHT, first + j);
                        long e = cursor[p]++;
                        assert graph.neighborAt(Side.LEFT, e) == b : "pin " + p + "'s edge " + e + " is not to board " + b;
                        if (kept(e)) {
                            pins[n] = p;
                            leftEdge[n++] = e;
                        }
                    }
                    if (n > s.maxBoardDegree()) {
                        boardsCapped++;
                        cutAtBoards += n - s.maxBoardDegree();
                        for (int j = 0; j < n; j++) {
                            loadRow(pins[j]);
                            boardRanked[j] = rankKey(relevance(b, leftEdge[j], graph.degree(Side.LEFT, pins[j])), j);
                        }
                        int kept = selectMostRelevant(boardRanked, n, s.maxBoardDegree());
                        Arrays.fill(survives, 0, n, false);
                        for (int j = 0; j < kept; j++) {
                            survives[(int) boardRanked[j]] = true;
                        }
                        int m = 0;
                        for (int j = 0; j < n; j++) {
                            if (survives[j]) {
                                pins[m] = pins[j];
                                leftEdge[m++] = leftEdge[j];
                            } else {
                                clear(leftEdge[j]);
                            }
                        }
                        n = m;
                    }
                    if (recheck && n < d && n >= 2 && diversity(pins, n) > threshold) {
                        boardsDropped++;
                        edgesOfDropped += n;
                        for (int j = 0; j < n; j++) {
                            clear(leftEdge[j]);
                        }
                    }
                }
            }
            long removed = edgesOfDropped + cutAtPins + cutAtBoards;
            PruneStats stats = new PruneStats(threshold, multiPin, boardsDropped, edgesOfDropped, pinsCapped, cutAtPins,
                    boardsCapped, cutAtBoards, edges, edges - removed);
            return new PrunePlan(graph, keep, stats);
        }

        /** The diversity above which boards are dropped: the given limit, or the given quantile of the boards' values. */
        private double threshold(PruneSettings s, int multiPin) {
            if (s.maxDiversity() < 1 || s.diversityQuantile() >= 1 || multiPin == 0) {
                return s.maxDiversity();
            }
            float[] sorted = new float[multiPin];
            int n = 0;
            for (float v : diversity) {
                if (!Float.isNaN(v)) {
                    sorted[n++] = v;
                }
            }
            Arrays.sort(sorted);
            return sorted[(int) Math.ceil(s.diversityQuantile() * multiPin) - 1];
        }

        private void loadRow(int pin) {
            if (boardMean != null) {
                rows.copyRow(pin, row, 0);
            }
        }

        /**
         * Relevance of the edge to {@code board} at left position {@code leftEdge}: the cosine of the pin's row (loaded by
         * {@link #loadRow}) and the board's mean, or without features its weight over log2(2 + {@code otherDegree}).
         */
        private float relevance(int board, long leftEdge, int otherDegree) {
            if (boardMean == null) {
                return (float) (graph.weightAt(Side.LEFT, leftEdge) / (Math.log(2 + otherDegree) / Math.log(2)));
            }
            double dot = 0;
            double na = 0;
            double nb = 0;
            int at = board * dim;
            for (int k = 0; k < dim; k++) {
                dot += row[k] * boardMean[at + k];
                na += row[k] * row[k];
                nb += boardMean[at + k] * boardMean[at + k];
            }
            return na == 0 || nb == 0 ? 0f : (float) (dot / Math.sqrt(na * nb));
        }

        /**
         * Each pin's first left edge position: the cursors of a pass over the boards in ascending order. Neighbour
         * lists are sorted by id, so a pin's edges come up in the order of its own list as the boards go by (copies
         * of a parallel edge one after another), and {@code cursor[p]++} is the left position of the board edge
         * just read: one read of an 8-byte-per-pin array instead of a binary search in the pin's list, which took
         * over 70% of pruning a 200 M-edge store (BENCHMARKS.md).
         */
        private long[] leftCursors(int pinCount) {
            long[] cursor = new long[pinCount];
            for (int p = 0; p < pinCount; p++) {
                cursor[p] = graph.firstEdge(Side.LEFT, p);
            }
            return cursor;
        }

        private boolean kept(long e) {
            return (keep[(int) (e >>> 6)] & (1L << e)) != 0;
        }

        private void set(long e) {
            keep[(int) (e >>> 6)] |= 1L << e;
        }

        private void clear(long e) {
            keep[(int) (e >>> 6)] &= ~(1L << e);
        }
    }

    /** Packs relevance (high bits, order-preserving) and an index (low 32 bits) into one sortable long. */
    private static void requireShape(BipartiteGraph graph, float[] features, int dim) {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(features, "features");
        if (dim < 1 || features.length != (long) graph.nodeCount(Side.LEFT) * dim) {
            throw new IllegalArgumentException("features.length=" + features.length + " dim=" + dim
                    + ": need pins (" + graph.nodeCount(Side.LEFT) + ") x dim entries");
        }
    }

    private static long rankKey(float relevance, int index) {
        int bits = Float.floatToIntBits(relevance);
        int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // IEEE order as signed ints
        return ((long) ordered << 32) | (index & 0xFFFFFFFFL);
    }

    /** Moves the indices of the {@code keep} most relevant of {@code n > keep} keys to the front, in any order. */
    private static int selectMostRelevant(long[] keys, int n, int keep) {
        Arrays.sort(keys, 0, n);
        System.arraycopy(keys, n - keep, keys, 0, keep);
        for (int j = 0; j < keep; j++) {
            keys[j] &= 0xFFFFFFFFL;
        }
        return keep;
    }
}
