package io.pinsage.engine.train;

import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageModel;

import java.util.Arrays;
import java.util.Objects;

/**
 * Embeds a node that is not in the node space the model was run over (a pin added after the last {@code embed}):
 * from its content features, its log-degree and its neighbourhood row (ids of existing nodes, with importance
 * weights), the model's own forward over the node's K-hop computation graph, the same evaluation that gives an
 * existing node its row of the embedding store. The node is given the id {@code nodeCount}, one past the existing
 * ones, for the length of one call; nothing is stored.
 *
 * <p>Only for models without an id embedding table of a row per node, where an unseen node has no row (the paper's
 * inductive model uses features and log-degree only); a hashed table gives the new id a row like any other.
 *
 * <p>Threading: confined to the model's backend thread (one instance per thread). Cost per call: the forward over
 * the new node's computation graph, up to {@code 1 + T + T² + ... + T^K} nodes; allocation O(that graph).
 */
public final class NewNodeEmbedding {

    private final PinSageModel model;
    private final ComputationGraphBuilder.Neighborhoods hood;
    private final ComputationGraphBuilder.NodeInputs inputs;
    private final int nodeCount;

    /**
     * @param hood      neighbourhood rows of the existing nodes {@code 0 .. nodeCount-1}
     * @param inputs    their layer-0 inputs
     * @throws IllegalArgumentException if the model has an id embedding table of a row per node (a hashed one gives
     *                                  the new node a row) or expects another feature width
     */
    public NewNodeEmbedding(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood,
                            ComputationGraphBuilder.NodeInputs inputs, int nodeCount) {
        if (model.config().idEmbeddings() != 0 && !model.config().sharesIdRows()) {
            throw new IllegalArgumentException("idEmbeddings=" + model.config().idEmbeddings()
                    + ": a model with an id table cannot embed a node it has no row for (expected idEmbeddings=0 or a hashed table)");
        }
        if (inputs.featureDim() != model.config().featureDim()) {
            throw new IllegalArgumentException("featureDim=" + inputs.featureDim() + ": the model expects featureDim="
                    + model.config().featureDim());
        }
        if (nodeCount < 0 || nodeCount == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nodeCount=" + nodeCount + ": must lie in [0, 2^31 - 1)");
        }
        this.model = model;
        this.hood = Objects.requireNonNull(hood, "hood");
        this.inputs = inputs;
        this.nodeCount = nodeCount;
    }

    /**
     * @param features   the new node's {@code featureDim} content features
     * @param logDegree  {@code log(1 + degree)} of the new node (ignored by a model without log-degree)
     * @param neighbours {@code count} ids of existing nodes, most important first
     * @param weights    their importance weights α, finite and {@code >= 0}
     * @return the embedding, {@code outputDim} floats
     * @throws IllegalArgumentException naming the bad argument: wrong feature count, an id outside
     *                                  {@code [0, nodeCount)}, a negative or non-finite weight
     */
    public float[] embed(float[] features, float logDegree, int[] neighbours, float[] weights, int count) {
        int f = inputs.featureDim();
        if (features.length != f) {
            throw new IllegalArgumentException("features.length=" + features.length + ": the model expects " + f);
        }
        Objects.checkFromIndexSize(0, count, Math.min(neighbours.length, weights.length));
        for (int i = 0; i < count; i++) {
            if (neighbours[i] < 0 || neighbours[i] >= nodeCount) {
                throw new IllegalArgumentException("neighbours[" + i + "]=" + neighbours[i] + ": must lie in [0, "
                        + nodeCount + ")");
            }
            if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weights[" + i + "]=" + weights[i] + ": must be finite and >= 0");
            }
        }
        int[] rowIds = Arrays.copyOf(neighbours, count);
        float[] rowWeights = Arrays.copyOf(weights, count);
        float[] ownFeatures = features.clone();
        int newId = nodeCount;
        int width = Math.max(hood.width(), count);
        ComputationGraphBuilder.Neighborhoods withNew = new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int read(int node, int[] ids, float[] w, int offset) {
                if (node != newId) {
                    return hood.read(node, ids, w, offset);
                }
                System.arraycopy(rowIds, 0, ids, offset, count);
                System.arraycopy(rowWeights, 0, w, offset, count);
                return count;
            }
        };
        ComputationGraphBuilder.NodeInputs inputsWithNew = new ComputationGraphBuilder.NodeInputs() {
            @Override
            public int featureDim() {
                return f;
            }

            @Override
            public void copyFeatures(int node, float[] dst, int offset) {
                if (node == newId) {
                    System.arraycopy(ownFeatures, 0, dst, offset, f);
                } else {
                    inputs.copyFeatures(node, dst, offset);
                }
            }

            @Override
            public float logDegree(int node) {
                return node == newId ? logDegree : inputs.logDegree(node);
            }
        };
        ComputationGraphBuilder graphs = new ComputationGraphBuilder(model.config().layers(), withNew, inputsWithNew);
        return Tensors.toArray(model.forward(graphs.build(new int[] {newId}, 1)));
    }
}
