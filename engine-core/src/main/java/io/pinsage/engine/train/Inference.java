package io.pinsage.engine.train;

/**
 * Embeds every node of the node space, layer by layer: each layer maps all nodes once
 * ({@code ReLU(Q h + q)}), joins each node with its neighbours' rows and reduces them (pool, concatenate, dense,
 * normalise), so no node's computation is repeated as it would be in per-node recursive evaluation.
 * Cost: O(K · nodes · (T · d + d²)); memory O(nodes · d) per layer.
 */
public final class Inference {

    private Inference() {
    }

    /** Returns {@code nodeCount × outDim} embeddings, row {@code u} for unified node {@code u}. */
    public static float[] embedAll(ModelParams params, Neighbourhoods hood, NodeInputs inputs, Parallel par) {
        ModelShape shape = params.shape();
        if (hood.nodeCount() != shape.nodeCount() || inputs.nodeCount() != shape.nodeCount()) {
            throw new IllegalArgumentException("neighbourhoods.nodeCount=" + hood.nodeCount() + " inputs.nodeCount="
                    + inputs.nodeCount() + ": the model has nodeCount=" + shape.nodeCount());
        }
        if (hood.width() != shape.width()) {
            throw new IllegalArgumentException("neighbourhoods.width=" + hood.width() + ": the model was trained with width="
                    + shape.width());
        }
        PinSageNetwork net = new PinSageNetwork(shape, par);
        net.forward(ComputationGraph.allNodes(shape.layers(), hood, inputs), params);
        float[] out = net.output();
        int len = shape.nodeCount() * shape.outDim();
        return out.length == len ? out : java.util.Arrays.copyOf(out, len);
    }
}
