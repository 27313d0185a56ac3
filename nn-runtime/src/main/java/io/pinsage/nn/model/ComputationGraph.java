package io.pinsage.nn.model;

import java.util.Arrays;

/**
 * The input of one forward pass of {@link PinSageModel}: the nodes each layer computes, each target's
 * neighbourhood as indices into the previous layer's node list with importance weights α, and the input
 * features of the bottom layer.
 *
 * <h2>Layout</h2>
 * Layer {@code k} ({@code 0 <= k <= K}) lists {@code nodeCount(k)} nodes, and the lists are <em>nested
 * prefixes</em>: the nodes of layer {@code k} are the first {@code nodeCount(k)} nodes of layer {@code k−1},
 * in the same order, so {@code nodeCount(0) >= nodeCount(1) >= ... >= nodeCount(K)}, and position {@code i}
 * means the same node in every layer that has it. Only layer 0's list is stored: {@link #nodeIds()}. The
 * minibatch's outputs are the first {@code nodeCount(K)} nodes (put queries, positives and negatives there).
 * A node's own previous representation is therefore row {@code i} of the previous layer, needing no index.
 *
 * <pre>
 *   layer 0  [ n0 n1 n2 n3 n4 n5 n6 n7 n8 ]   inputs: features, log-degree, ids of all nine
 *   layer 1  [ n0 n1 n2 n3 n4 ]               neighbours of n0..n4: indices into layer 0's list
 *   layer 2  [ n0 n1 ]                        neighbours of n0, n1: indices into layer 1's list
 * </pre>
 *
 * For layer {@code k >= 1}, target {@code u < nodeCount(k)} has the neighbours
 * {@code neighbours(k)[e]} for {@code e} in {@code [offsets(k)[u], offsets(k)[u+1])}, each in
 * {@code [0, nodeCount(k−1))}, with weights {@code weights(k)[e] >= 0} (normalised visit counts from the
 * walks; the model's pooling divides by their sum, so they need not sum to 1). To embed every node of a
 * graph at once (inference), make every layer list all nodes: each node's computation then happens once.
 *
 * <p>Input features: {@code features} is {@code nodeCount(0) x featureDim} row-major (empty when the data
 * has none), {@code logDegrees} has one value per layer-0 node (use {@code log(1 + degree)}), and
 * {@code nodeIds} index the model's learnable id embedding table when it has one.
 *
 * <p>A graph may also be made <em>without</em> its layer-0 inputs ({@link #hasInputs()} false): the ids and the
 * structure only, as a sampler sends a minibatch to a trainer that reads the same node inputs itself.
 * {@link #withInputs} gathers them; a model refuses a graph that has none ({@link #features()},
 * {@link #featureDim()} and {@link #logDegrees()} throw).
 *
 * <p>Immutable after construction (arrays are not copied: the builder hands them over and must not touch them
 * again); safe to pass between threads through a queue. {@link ComputationGraphBuilder} builds one from
 * per-node neighbourhoods.
 */
public final class ComputationGraph {

    private final int[] nodeCounts;
    private final int[] nodeIds;
    private final int[][] offsets;
    private final int[][] neighbours;
    private final float[][] weights;
    private final float[] features;
    private final int featureDim;
    private final float[] logDegrees;

    /**
     * Takes ownership of the arrays and validates them in O(total size).
     *
     * @param nodeCounts {@code K + 1} non-increasing counts, {@code nodeCounts[0] == nodeIds.length}
     * @param offsets    {@code K + 1} arrays, entry 0 unused (may be null); entry k has {@code nodeCounts[k] + 1}
     *                   non-decreasing values from 0 to {@code neighbours[k].length}
     * @param neighbours {@code K + 1} arrays, entry 0 unused; values in {@code [0, nodeCounts[k-1])}
     * @param weights    {@code K + 1} arrays, entry 0 unused; one finite value {@code >= 0} per neighbour
     * @throws IllegalArgumentException naming the layer, field and offending value
     */
    public ComputationGraph(int[] nodeCounts, int[] nodeIds, int[][] offsets, int[][] neighbours, float[][] weights,
                            float[] features, int featureDim, float[] logDegrees) {
        this.nodeCounts = nodeCounts;
        this.nodeIds = nodeIds;
        this.offsets = offsets;
        this.neighbours = neighbours;
        this.weights = weights;
        this.features = features;
        this.featureDim = featureDim;
        this.logDegrees = logDegrees;
        validate();
        validateInputs();
    }

    /**
     * A graph without its layer-0 inputs: the node ids and the structure, which {@link #withInputs} completes. Takes
     * ownership of the arrays and validates them in O(total size), as the other constructor does.
     *
     * @throws IllegalArgumentException naming the layer, field and offending value, or a node id below 0
     */
    public ComputationGraph(int[] nodeCounts, int[] nodeIds, int[][] offsets, int[][] neighbours, float[][] weights) {
        this.nodeCounts = nodeCounts;
        this.nodeIds = nodeIds;
        this.offsets = offsets;
        this.neighbours = neighbours;
        this.weights = weights;
        this.features = null;
        this.featureDim = -1;
        this.logDegrees = null;
        validate();
        for (int i = 0; i < nodeIds.length; i++) {
            if (nodeIds[i] < 0) {
                throw new IllegalArgumentException("computation graph: nodeIds[" + i + "]=" + nodeIds[i]
                        + " (expected an id >= 0)");
            }
        }
    }

    /**
     * This graph with its layer-0 inputs read from {@code inputs}: each node's features and log-degree, in node order.
     * The one gather of a minibatch's inputs, wherever the batch was built. The structure arrays are shared, not
     * copied. Cost: O(nodeCount(0) · featureDim).
     *
     * @throws IllegalArgumentException when the features would not fit one array (more than 2^31 − 9 floats)
     */
    public ComputationGraph withInputs(ComputationGraphBuilder.NodeInputs inputs) {
        int n0 = nodeCounts[0];
        int dim = inputs.featureDim();
        long size = (long) n0 * dim;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("computation graph: " + n0 + " layer-0 nodes x featureDim=" + dim + " = "
                    + size + " features, more than one array holds");
        }
        float[] gathered = new float[(int) size];
        float[] degrees = new float[n0];
        for (int i = 0; i < n0; i++) {
            if (dim > 0) {
                inputs.copyFeatures(nodeIds[i], gathered, i * dim);
            }
            degrees[i] = inputs.logDegree(nodeIds[i]);
        }
        return new ComputationGraph(this, gathered, dim, degrees);
    }

    /**
     * {@code structure}'s arrays, already validated by its constructor, with inputs: only the inputs are checked (the
     * structure's O(edges) check again was a twentieth of a minibatch producer's time).
     */
    private ComputationGraph(ComputationGraph structure, float[] features, int featureDim, float[] logDegrees) {
        this.nodeCounts = structure.nodeCounts;
        this.nodeIds = structure.nodeIds;
        this.offsets = structure.offsets;
        this.neighbours = structure.neighbours;
        this.weights = structure.weights;
        this.features = features;
        this.featureDim = featureDim;
        this.logDegrees = logDegrees;
        validateInputs();
    }

    private void validateInputs() {
        if (featureDim < 0 || features.length != (long) nodeCounts[0] * featureDim) {
            throw new IllegalArgumentException("computation graph: features.length=" + features.length
                    + " (expected nodeCount(0)=" + nodeCounts[0] + " x featureDim=" + featureDim + ")");
        }
        if (logDegrees.length != nodeCounts[0]) {
            throw new IllegalArgumentException("computation graph: logDegrees.length=" + logDegrees.length
                    + " (expected nodeCount(0)=" + nodeCounts[0] + ")");
        }
    }

    private void validate() {
        int layers = nodeCounts.length - 1;
        if (layers < 0 || offsets.length != layers + 1 || neighbours.length != layers + 1
                || weights.length != layers + 1) {
            throw new IllegalArgumentException("computation graph: nodeCounts has " + nodeCounts.length
                    + " entries but offsets/neighbours/weights have " + offsets.length + "/" + neighbours.length + "/"
                    + weights.length + " (expected K + 1 each)");
        }
        if (nodeCounts[0] != nodeIds.length) {
            throw new IllegalArgumentException("computation graph: nodeCounts[0]=" + nodeCounts[0]
                    + " but nodeIds.length=" + nodeIds.length);
        }
        for (int k = 1; k <= layers; k++) {
            int n = nodeCounts[k];
            if (n < 0 || n > nodeCounts[k - 1]) {
                throw new IllegalArgumentException("computation graph: nodeCounts[" + k + "]=" + n
                        + " (expected 0 <= count <= nodeCounts[" + (k - 1) + "]=" + nodeCounts[k - 1] + ")");
            }
            int[] off = offsets[k];
            if (off == null || off.length != n + 1 || off[0] != 0 || off[n] != neighbours[k].length) {
                throw new IllegalArgumentException("computation graph: layer " + k + " offsets must have " + (n + 1)
                        + " entries from 0 to neighbours.length=" + neighbours[k].length);
            }
            for (int u = 0; u < n; u++) {
                if (off[u + 1] < off[u]) {
                    throw new IllegalArgumentException("computation graph: layer " + k + " offsets decrease at target "
                            + u + ": " + off[u] + " > " + off[u + 1]);
                }
            }
            if (weights[k].length != neighbours[k].length) {
                throw new IllegalArgumentException("computation graph: layer " + k + " has " + neighbours[k].length
                        + " neighbours but " + weights[k].length + " weights");
            }
            for (int e = 0; e < neighbours[k].length; e++) {
                int v = neighbours[k][e];
                if (v < 0 || v >= nodeCounts[k - 1]) {
                    throw new IllegalArgumentException("computation graph: layer " + k + " neighbour[" + e + "]=" + v
                            + " (expected an index in [0, " + nodeCounts[k - 1] + "))");
                }
                float w = weights[k][e];
                if (!(w >= 0) || !Float.isFinite(w)) {
                    throw new IllegalArgumentException("computation graph: layer " + k + " weight[" + e + "]=" + w
                            + " (expected a finite value >= 0)");
                }
            }
        }
    }

    /** Number of CONVOLVE layers {@code K}. */
    public int layers() {
        return nodeCounts.length - 1;
    }

    /** Number of nodes layer {@code k} computes ({@code k = 0}: the inputs). */
    public int nodeCount(int k) {
        return nodeCounts[k];
    }

    /** Number of output nodes, {@code nodeCount(K)}. */
    public int outputCount() {
        return nodeCounts[layers()];
    }

    /** Layer 0's node list (ids in the caller's id space); read-only by contract. */
    public int[] nodeIds() {
        return nodeIds;
    }

    /** CSR offsets of layer {@code k >= 1}; read-only by contract. */
    public int[] offsets(int k) {
        return offsets[k];
    }

    /** Neighbour indices (into layer {@code k−1}) of layer {@code k >= 1}; read-only by contract. */
    public int[] neighbours(int k) {
        return neighbours[k];
    }

    /** Importance weights of layer {@code k >= 1}; read-only by contract. */
    public float[] weights(int k) {
        return weights[k];
    }

    /** Whether the layer-0 inputs are here; false for a graph made without them, until {@link #withInputs}. */
    public boolean hasInputs() {
        return features != null;
    }

    /**
     * Layer-0 content features, {@code nodeCount(0) x featureDim} row-major; read-only by contract.
     *
     * @throws IllegalStateException when the graph has no inputs
     */
    public float[] features() {
        requireInputs();
        return features;
    }

    /**
     * Columns of {@link #features()}, possibly 0.
     *
     * @throws IllegalStateException when the graph has no inputs
     */
    public int featureDim() {
        requireInputs();
        return featureDim;
    }

    /**
     * One {@code log(1 + degree)} per layer-0 node; read-only by contract.
     *
     * @throws IllegalStateException when the graph has no inputs
     */
    public float[] logDegrees() {
        requireInputs();
        return logDegrees;
    }

    private void requireInputs() {
        if (features == null) {
            throw new IllegalStateException("computation graph " + Arrays.toString(nodeCounts)
                    + " has no layer-0 inputs: gather them with withInputs");
        }
    }

    @Override
    public String toString() {
        return "ComputationGraph" + Arrays.toString(nodeCounts)
                + (hasInputs() ? " featureDim=" + featureDim : " without inputs");
    }
}
