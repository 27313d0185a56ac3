package io.pinsage.nn.model;

import java.util.Arrays;

/**
 * Builds a {@link ComputationGraph} for a set of output nodes by expanding their neighbourhoods layer by layer
 * and re-indexing them into the nested-prefix node lists the model expects.
 *
 * <p>Expansion, from the top: layer {@code K} lists the outputs; for {@code k = K..1}, each listed node's
 * neighbours that are not yet listed are appended, and the list at that point is layer {@code k−1}'s. A node
 * is listed once however many targets reach it, so its lower layers are computed once.
 *
 * <p>Per-layer fan-out: {@link #ComputationGraphBuilder(int, int[], Neighbourhoods, NodeInputs)} caps how many
 * neighbours the targets of each layer keep (the first ones: neighbourhoods list neighbours in decreasing
 * importance, as the walks' top-T lists do). Smaller caps at the lower layers shrink layer 0, which dominates
 * a step's cost (it grows with the product of the fan-outs).
 *
 * <p>Threading: one builder per thread (sampler threads each own one); it reuses its internal hash table and
 * buffers between builds, and each {@link #build} returns fresh arrays owned by the new graph. Cost:
 * O(total neighbours + layer-0 nodes · featureDim).
 */
public final class ComputationGraphBuilder {

    /** Each node's importance neighbourhood (for example the walks' top-T visits, normalised). */
    public interface Neighbourhoods {
        /** Number of neighbours of {@code node}. */
        int size(int node);

        /** The {@code i}-th neighbour's id. */
        int neighbour(int node, int i);

        /** The {@code i}-th neighbour's weight α, finite and {@code >= 0}. */
        float weight(int node, int i);
    }

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
    private final Neighbourhoods neighbourhoods;
    private final NodeInputs inputs;
    private int[] listed = new int[1024];
    private int listedCount;
    private int[] tableKeys = new int[2048];
    private int[] tableValues = new int[2048];

    /**
     * @param layers number of CONVOLVE layers {@code K >= 1}
     * @throws IllegalArgumentException if {@code layers < 1}
     */
    public ComputationGraphBuilder(int layers, Neighbourhoods neighbourhoods, NodeInputs inputs) {
        this(layers, null, neighbourhoods, inputs);
    }

    /**
     * @param layers number of CONVOLVE layers {@code K >= 1}
     * @param fanOut null, or {@code K + 1} caps where {@code fanOut[k]} (for {@code k >= 1}) is the most
     *               neighbours a target of layer {@code k} keeps; entry 0 is unused
     * @throws IllegalArgumentException if {@code layers < 1} or a cap is not {@code >= 1}
     */
    public ComputationGraphBuilder(int layers, int[] fanOut, Neighbourhoods neighbourhoods, NodeInputs inputs) {
        if (layers < 1) {
            throw new IllegalArgumentException("layers=" + layers + " (expected >= 1)");
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
        this.neighbourhoods = neighbourhoods;
        this.inputs = inputs;
    }

    /**
     * Builds the graph whose outputs are {@code outputs[0..count)}, in that order.
     *
     * @throws IllegalArgumentException if an output id repeats or is negative
     */
    public ComputationGraph build(int[] outputs, int count) {
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
            int targets = nodeCounts[k];
            int[] off = new int[targets + 1];
            int edges = 0;
            int cap = fanOut[k];
            for (int u = 0; u < targets; u++) {
                edges += Math.min(cap, neighbourhoods.size(listed[u]));
                off[u + 1] = edges;
            }
            int[] nb = new int[edges];
            float[] w = new float[edges];
            for (int u = 0; u < targets; u++) {
                int node = listed[u];
                int e = off[u];
                for (int i = 0, n = Math.min(cap, neighbourhoods.size(node)); i < n; i++, e++) {
                    int v = neighbourhoods.neighbour(node, i);
                    if (v < 0) {
                        throw new IllegalArgumentException("neighbour " + i + " of node " + node + " is " + v
                                + " (expected an id >= 0)");
                    }
                    nb[e] = positionOf(v);
                    w[e] = neighbourhoods.weight(node, i);
                }
            }
            offsets[k] = off;
            neighbours[k] = nb;
            weights[k] = w;
            nodeCounts[k - 1] = listedCount;
        }
        int n0 = listedCount;
        int[] nodeIds = Arrays.copyOf(listed, n0);
        int dim = inputs.featureDim();
        float[] features = new float[n0 * dim];
        float[] logDegrees = new float[n0];
        for (int i = 0; i < n0; i++) {
            if (dim > 0) {
                inputs.copyFeatures(nodeIds[i], features, i * dim);
            }
            logDegrees[i] = inputs.logDegree(nodeIds[i]);
        }
        return new ComputationGraph(nodeCounts, nodeIds, offsets, neighbours, weights, features, dim, logDegrees);
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
