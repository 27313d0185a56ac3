package io.pinsage.engine.train;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageModel;

/**
 * Embeds every node of the node space in one forward pass of the model over a computation graph in which every
 * layer lists all nodes: each layer maps all nodes once ({@code ReLU(Q h + q)}), pools each node's neighbours'
 * rows and reduces them (concatenate, dense, normalise), so no node's computation is repeated as it would be in
 * per-node recursive evaluation. Runs on the model's backend, on the caller's thread (which must own it).
 * Cost: O(K · nodes · (T · d + d²)); memory O(nodes · d) per layer on the backend, O(nodes · T) on the heap.
 * Node ids are those of {@code inputs}: {@code 0 .. inputs.nodeCount()-1}, with the neighbourhoods over the same space.
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
        if (ids != 0 && ids != n) {
            throw new IllegalArgumentException("inputs.nodeCount=" + n + ": the model's id table has idEmbeddings=" + ids
                    + " rows");
        }
        Tensor out = model.forward(allNodes(model.config().layers(), hood, inputs));
        return Tensors.toArray(out);
    }

    /** The graph whose every layer lists all {@code inputs.nodeCount()} nodes in id order. */
    static ComputationGraph allNodes(int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs) {
        int n = inputs.nodeCount();
        int[] identity = new int[n];
        int[] offsets = new int[n + 1];
        int width = hood.width();
        int[] rowIds = new int[width];
        float[] rowWeights = new float[width];
        for (int u = 0; u < n; u++) {
            identity[u] = u;
            offsets[u + 1] = Math.addExact(offsets[u], hood.read(u, rowIds, rowWeights, 0));
        }
        int[] neighbours = new int[offsets[n]];
        float[] weights = new float[offsets[n]];
        for (int u = 0; u < n; u++) {
            int c = hood.read(u, rowIds, rowWeights, 0);
            System.arraycopy(rowIds, 0, neighbours, offsets[u], c);
            System.arraycopy(rowWeights, 0, weights, offsets[u], c);
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
