package io.pinsage.engine.train;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageModel;

/**
 * Embeds every node of a node space small enough for the heap in one forward pass of the model over a computation graph in which every
 * layer lists all nodes: each layer maps all nodes once ({@code ReLU(Q h + q)}), pools each node's neighbours'
 * rows and reduces them (concatenate, dense, normalise), so no node's computation is repeated as it would be in
 * per-node recursive evaluation. Runs on the model's backend, on the caller's thread (which must own it).
 * Cost: O(K · nodes · (T · d + d²)); memory O(nodes · d) per layer on the backend, O(nodes · T) on the heap.
 * Node ids are those of {@code inputs}: {@code 0 .. inputs.nodeCount()-1}, with the neighbourhoods over the same space.
 * {@link #embedNodes} embeds only the nodes an evaluation scores, with memory bounded by their number, whatever the
 * node space's size; over every node of a store, {@link LayeredInference} runs the same math out of core.
 */
public final class Inference {

    private Inference() {
    }

    /**
     * Returns {@code nodeCount × outputDim} embeddings, row {@code u} for node {@code u}.
     *
     * @throws IllegalArgumentException if the inputs and the model disagree on the node space
     */
    public static float[] embedAll(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs) {
        int n = inputs.nodeCount();
        int ids = model.config().idEmbeddings();
        if (ids != 0 && !model.config().sharesIdRows() && ids != n) {
            throw new IllegalArgumentException("inputs.nodeCount=" + n + ": the model's id table has idEmbeddings=" + ids
                    + " rows");
        }
        Tensor out = model.forward(allNodes(model.config().layers(), hood, inputs));
        return Tensors.toArray(out);
    }

    /**
     * Embeds only {@code nodes}, in chunks of outputs, each by the model's forward over the chunk's own K-hop
     * computation graph. A node's row is the one {@link #embedAll} gives it, bit for bit on the CPU backend: each
     * row's arithmetic (its GEMM rows, its neighbours' pooling in row order, its normalisation) does not depend on
     * which other nodes share the pass. Memory: a chunk's graph, at most {@value #CHUNK_LAYER0_ROWS} layer-0 rows
     * where the neighbourhoods allow (one output per chunk at least), plus the result; nothing grows with the node
     * space. Cost: O(nodes · (T+1)^K) node computations, lower layers repeated across chunks.
     *
     * @param nodes node ids, distinct and ascending
     * @return {@code nodes.length × outputDim} floats, row i for {@code nodes[i]}
     * @throws IllegalArgumentException if {@code nodes} is not ascending and distinct, names a node outside
     *                                  {@code inputs}, or the result would pass 2^31 floats
     */
    public static float[] embedNodes(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                                     int[] nodes) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] < 0 || nodes[i] >= inputs.nodeCount() || (i > 0 && nodes[i] <= nodes[i - 1])) {
                throw new IllegalArgumentException("nodes[" + i + "]=" + nodes[i] + ": expected ascending distinct ids in [0, "
                        + inputs.nodeCount() + ")");
            }
        }
        int dim = model.config().outputDim();
        long floats = (long) nodes.length * dim;
        if (floats > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("nodes.length=" + nodes.length + ": " + floats + " embedding floats, at most 2^31 - 64");
        }
        int layers = model.config().layers();
        double perOutput = Math.pow(hood.width() + 1, layers);
        int chunk = (int) Math.max(1, Math.min(MAX_CHUNK, CHUNK_LAYER0_ROWS / perOutput));
        ComputationGraphBuilder graphs = new ComputationGraphBuilder(layers, hood, inputs);
        float[] out = new float[(int) floats];
        int[] outputs = new int[chunk];
        for (int from = 0; from < nodes.length; from += chunk) {
            int count = Math.min(chunk, nodes.length - from);
            System.arraycopy(nodes, from, outputs, 0, count);
            Tensor rows = model.forward(graphs.build(outputs, count));
            rows.backend().download(rows, out, from * dim);
        }
        return out;
    }

    /** Layer-0 rows a chunk of {@link #embedNodes} may reach, and the most outputs it takes. */
    static final int CHUNK_LAYER0_ROWS = 1 << 18;
    private static final int MAX_CHUNK = 1024;

    /**
     * The graph whose every layer lists all {@code inputs.nodeCount()} nodes in id order; without CONVOLVE layers no
     * row is read.
     */
    static ComputationGraph allNodes(int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs) {
        int n = inputs.nodeCount();
        int[] identity = new int[n];
        for (int u = 0; u < n; u++) {
            identity[u] = u;
        }
        int[] offsets = null;
        int[] neighbours = null;
        float[] weights = null;
        if (layers > 0) {
            offsets = new int[n + 1];
            int[] rowIds = new int[hood.width()];
            float[] rowWeights = new float[hood.width()];
            for (int u = 0; u < n; u++) {
                offsets[u + 1] = Math.addExact(offsets[u], hood.read(u, rowIds, rowWeights, 0));
            }
            neighbours = new int[offsets[n]];
            weights = new float[offsets[n]];
            for (int u = 0; u < n; u++) {
                int c = hood.read(u, rowIds, rowWeights, 0);
                System.arraycopy(rowIds, 0, neighbours, offsets[u], c);
                System.arraycopy(rowWeights, 0, weights, offsets[u], c);
            }
        }
        int[] counts = new int[layers + 1];
        int[][] off = new int[layers + 1][];
        int[][] nb = new int[layers + 1][];
        float[][] w = new float[layers + 1][];
        for (int k = 0; k <= layers; k++) {
            counts[k] = n;
            if (k > 0) {
                off[k] = offsets;
                nb[k] = neighbours;
                w[k] = weights;
            }
        }
        int f = inputs.featureDim();
        float[] features = new float[Math.multiplyExact(n, f)];
        float[] logDegrees = new float[n];
        for (int u = 0; u < n; u++) {
            inputs.copyFeatures(u, features, u * f);
            logDegrees[u] = inputs.logDegree(u);
        }
        return new ComputationGraph(counts, identity, off, nb, w, features, f, logDegrees);
    }
}
