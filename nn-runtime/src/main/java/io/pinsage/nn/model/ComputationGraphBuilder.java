package io.pinsage.nn.model;

import java.util.Arrays;

/**
 * Builds a {@link ComputationGraph} for a set of output nodes by expanding their neighbourhoods layer by layer
 * and re-indexing them into the nested-prefix node lists the model expects.
 *
 * <p>Expansion, from the top: layer {@code K} lists the outputs; for {@code k = K..1}, each listed node's
 * neighbours that are not yet listed are appended, and the list at that point is layer {@code k−1}'s. A node
 * is listed once however many targets reach it, so its lower layers are computed once. With {@code K = 0} the graph
 * lists the outputs alone and no neighbourhood is read.
 *
 * <p>Per-layer fan-out: {@link #ComputationGraphBuilder(int, int[], Neighborhoods, NodeInputs)} caps how many
 * neighbours the targets of each layer keep (the first ones: neighbourhoods list neighbours in decreasing
 * importance, as the walks' top-T lists do). Smaller caps at the lower layers shrink layer 0, which dominates
 * a step's cost (it grows with the product of the fan-outs).
 *
 * <p>Threading: one builder per thread (sampler threads each own one); it reuses its internal hash table and
 * buffers between builds, and each {@link #build} returns fresh arrays owned by the new graph. Cost:
 * O(total neighbours + layer-0 nodes · featureDim); {@link #buildWithoutInputs} leaves out the second term.
 */
public final class ComputationGraphBuilder {

    /**
     * Each node's importance neighbourhood (for example the walks' top-T visits, normalised), read a row at a time so
     * that a row stored contiguously (a mapped neighbourhood store) costs one pass. Implementations are read by the
     * sampler threads at once, so reads must be thread-safe.
     */
    public interface Neighborhoods {
        /** The most neighbours a node has: the room {@link #read} needs. */
        int width();

        /**
         * Copies {@code node}'s neighbour ids, most important first, into {@code ids[offset..offset+n)} and their
         * weights α (finite, {@code >= 0}) into {@code weights[offset..offset+n)}.
         *
         * @return n, {@code 0 <= n <= width()}
         */
        int read(int node, int[] ids, float[] weights, int offset);

        /** No rows: every node has no neighbour. What a model without CONVOLVE layers is given; it reads none. */
        static Neighborhoods none() {
            return NONE;
        }
    }

    private static final Neighborhoods NONE = new Neighborhoods() {
        @Override
        public int width() {
            return 0;
        }

        @Override
        public int read(int node, int[] ids, float[] weights, int offset) {
            return 0;
        }
    };

    /** Per-node inputs of layer 0. */
    public interface NodeInputs {
        /** Columns of the content features, possibly 0. */
        int featureDim();

        /** Writes {@code node}'s {@code featureDim()} features at {@code dst[offset..]}. */
        void copyFeatures(int node, float[] dst, int offset);

        /** {@code log(1 + degree)} of {@code node}. */
        float logDegree(int node);

        /**
         * Inputs held in arrays: {@code features} row-major, {@code dim} per node, and one log-degree per node. The
         * arrays are used as they are, not copied.
         */
        static NodeInputs of(float[] features, int dim, float[] logDegrees) {
            return new NodeInputs() {
                @Override
                public int featureDim() {
                    return dim;
                }

                @Override
                public void copyFeatures(int node, float[] dst, int offset) {
                    System.arraycopy(features, node * dim, dst, offset, dim);
                }

                @Override
                public float logDegree(int node) {
                    return logDegrees[node];
                }
            };
        }
    }

    private final int layers;
    private final int[] fanOut;
    private final Neighborhoods neighborhoods;
    private final NodeInputs inputs;
    private int[] rowIds = new int[1024];
    private float[] rowWeights = new float[1024];
    private int[] listed = new int[1024];
    private int listedCount;
    private int[] tableKeys = new int[2048];
    private int[] tableValues = new int[2048];

    /**
     * @param layers number of CONVOLVE layers {@code K >= 0}
     * @throws IllegalArgumentException if {@code layers < 0}
     */
    public ComputationGraphBuilder(int layers, Neighborhoods neighborhoods, NodeInputs inputs) {
        this(layers, null, neighborhoods, inputs);
    }

    /**
     * @param layers number of CONVOLVE layers {@code K >= 0}
     * @param fanOut null, or {@code K + 1} caps where {@code fanOut[k]} (for {@code k >= 1}) is the most
     *               neighbours a target of layer {@code k} keeps; entry 0 is unused
     * @throws IllegalArgumentException if {@code layers < 0} or a cap is not {@code >= 1}
     */
    public ComputationGraphBuilder(int layers, int[] fanOut, Neighborhoods neighborhoods, NodeInputs inputs) {
        if (layers < 0) {
            throw new IllegalArgumentException("layers=" + layers + " (expected >= 0)");
        }
        this.fanOut = new int[layers + 1];
        for (int k = 1; k <= layers; k++) {
            if (fanOut != null && (fanOut.length != layers + 1 || fanOut[k] < 1)) {
                throw new IllegalArgumentException("fanOut=" + java.util.Arrays.toString(fanOut) + " (expected "
                        + (layers + 1) + " entries, entries 1.." + layers + " >= 1)");
            }
            this.fanOut[k] = fanOut == null ? Integer.MAX_VALUE : fanOut[k];
        }
        this.layers = layers;
        this.neighborhoods = neighborhoods;
        this.inputs = inputs;
    }

    /**
     * Builds the graph whose outputs are {@code outputs[0..count)}, in that order, with its layer-0 inputs
     * ({@link ComputationGraph#withInputs}).
     *
     * @throws IllegalArgumentException if an output id repeats or is negative
     */
    public ComputationGraph build(int[] outputs, int count) {
        return buildWithoutInputs(outputs, count).withInputs(inputs);
    }

    /**
     * Builds the graph whose outputs are {@code outputs[0..count)}, in that order, without its layer-0 inputs: what a
     * sampler sends to a trainer that gathers them from its own node inputs. Cost: O(total neighbours).
     *
     * @throws IllegalArgumentException if an output id repeats or is negative
     */
    public ComputationGraph buildWithoutInputs(int[] outputs, int count) {
        Arrays.fill(tableKeys, -1);
        listedCount = 0;
        for (int i = 0; i < count; i++) {
            if (outputs[i] < 0 || positionOf(outputs[i]) != listedCount - 1) {
                throw new IllegalArgumentException("outputs[" + i + "]=" + outputs[i]
                        + " (expected distinct ids >= 0)");
            }
        }
        int[] nodeCounts = new int[layers + 1];
        int[][] offsets = new int[layers + 1][];
        int[][] neighbours = new int[layers + 1][];
        float[][] weights = new float[layers + 1][];
        nodeCounts[layers] = count;
        for (int k = layers; k >= 1; k--) {
            int width = neighborhoods.width();
            int targets = nodeCounts[k];
            int[] off = new int[targets + 1];
            int edges = 0;
            int cap = fanOut[k];
            // each row is read once, into the layer's scratch, and its kept neighbours listed in order
            for (int u = 0; u < targets; u++) {
                int node = listed[u];
                if (edges + width > rowIds.length) {
                    int grown = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(2L * rowIds.length, (long) edges + width));
                    rowIds = Arrays.copyOf(rowIds, grown);
                    rowWeights = Arrays.copyOf(rowWeights, grown);
                }
                int n = neighborhoods.read(node, rowIds, rowWeights, edges);
                if (n < 0 || n > width) {
                    throw new IllegalArgumentException("row of node " + node + " has " + n + " neighbours (expected 0.."
                            + width + ")");
                }
                n = Math.min(cap, n);
                for (int i = 0, e = edges; i < n; i++, e++) {
                    int v = rowIds[e];
                    if (v < 0) {
                        throw new IllegalArgumentException("neighbour " + i + " of node " + node + " is " + v
                                + " (expected an id >= 0)");
                    }
                    rowIds[e] = positionOf(v);
                }
                edges += n;
                off[u + 1] = edges;
            }
            offsets[k] = off;
            neighbours[k] = Arrays.copyOf(rowIds, edges);
            weights[k] = Arrays.copyOf(rowWeights, edges);
            nodeCounts[k - 1] = listedCount;
        }
        return new ComputationGraph(nodeCounts, Arrays.copyOf(listed, listedCount), offsets, neighbours, weights);
    }

    /** Position of {@code id} in the node list, appended when absent. */
    private int positionOf(int id) {
        if (listedCount * 2 >= tableKeys.length) {
            rehash(tableKeys.length * 2);
        }
        int mask = tableKeys.length - 1;
        int slot = mix(id) & mask;
        while (true) {
            int key = tableKeys[slot];
            if (key == id) {
                return tableValues[slot];
            }
            if (key == -1) {
                if (listedCount == listed.length) {
                    listed = Arrays.copyOf(listed, listed.length * 2);
                }
                listed[listedCount] = id;
                tableKeys[slot] = id;
                tableValues[slot] = listedCount;
                return listedCount++;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void rehash(int capacity) {
        tableKeys = new int[capacity];
        tableValues = new int[capacity];
        Arrays.fill(tableKeys, -1);
        int mask = capacity - 1;
        for (int i = 0; i < listedCount; i++) {
            int slot = mix(listed[i]) & mask;
            while (tableKeys[slot] != -1) {
                slot = (slot + 1) & mask;
            }
            tableKeys[slot] = listed[i];
            tableValues[slot] = i;
        }
    }

    private static int mix(int x) {
        int h = x * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
