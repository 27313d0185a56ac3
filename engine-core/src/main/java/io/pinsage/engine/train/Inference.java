package io.pinsage.engine.train;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.PinSageModel;

/**
 * Embeds every node of the node space in one forward pass of the model over a computation graph in which every
 * layer lists all nodes: each layer maps all nodes once ({@code ReLU(Q h + q)}), pools each node's neighbours'
 * rows and reduces them (concatenate, dense, normalise), so no node's computation is repeated as it would be in
 * per-node recursive evaluation. Runs on the model's backend, on the caller's thread (which must own it).
 * Cost: O(K · nodes · (T · d + d²)); memory O(nodes · d) per layer on the backend, O(nodes · T) on the heap.
 */
public final class Inference {

    private Inference() {
    }

    /**
     * Returns {@code nodeCount × outputDim} embeddings, row {@code u} for node {@code u}.
     *
     * @throws IllegalArgumentException if the neighbourhoods, inputs and model disagree on the node space
     */
    public static float[] embedAll(PinSageModel model, Neighbourhoods hood, NodeInputs inputs) {
        int n = hood.nodeCount();
        int ids = model.config().idEmbeddings();
        if (inputs.nodeCount() != n || (ids != 0 && ids != n)) {
            throw new IllegalArgumentException("neighbourhoods.nodeCount=" + n + " inputs.nodeCount=" + inputs.nodeCount()
                    + ": the model's id table has idEmbeddings=" + ids + " rows");
        }
        Tensor out = model.forward(allNodes(model.config().layers(), hood, inputs));
        return Tensors.toArray(out);
    }

    /** The graph whose every layer lists all {@code hood.nodeCount()} nodes in id order. */
    static ComputationGraph allNodes(int layers, Neighbourhoods hood, NodeInputs inputs) {
        int n = hood.nodeCount();
        int[] identity = new int[n];
        int[] offsets = new int[n + 1];
        for (int u = 0; u < n; u++) {
            identity[u] = u;
            offsets[u + 1] = offsets[u] + hood.size(u);
        }
        int[] neighbours = new int[offsets[n]];
        float[] weights = new float[offsets[n]];
        for (int u = 0; u < n; u++) {
            for (int s = 0, e = offsets[u]; s < hood.size(u); s++, e++) {
                neighbours[e] = hood.neighbour(u, s);
                weights[e] = hood.weight(u, s);
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
        float[] features = new float[n * f];
        float[] logDegrees = new float[n];
        for (int u = 0; u < n; u++) {
            inputs.copyFeatures(u, features, u * f);
            logDegrees[u] = inputs.logDegree(u);
        }
        return new ComputationGraph(counts, identity, off, nb, w, features, f, logDegrees);
    }
}
