package io.pinsage.engine.train;

import io.pinsage.nn.model.ComputationGraphBuilder;

/**
 * The fixed (non-trainable) inputs of the nodes {@code 0 .. nodeCount()-1} of a node space: what
 * {@link ComputationGraphBuilder} copies into a minibatch's layer 0, plus the two facts the trainer checks against
 * the model (how many nodes there are, and whether log-degree is an input). Implementations read their rows where
 * they lie: {@link StoreNodeInputs} from a graph store's mapped files (nothing per node on the heap),
 * {@link #of} from heap arrays. Reads must be thread-safe: the sampler threads read at once.
 */
public interface NodeInputs extends ComputationGraphBuilder.NodeInputs {

    /** Number of nodes. */
    int nodeCount();

    /** Whether log-degree is part of the row ({@link #logDegree} is 0 otherwise). */
    boolean hasLogDegree();

    /**
     * Inputs held in heap arrays, used as they are (not copied).
     *
     * @param features  {@code nodeCount × featureDim} row-major, or {@code null} when {@code featureDim} is 0
     * @param logDegree {@code nodeCount} values, or {@code null} to leave degree out
     * @throws IllegalArgumentException if a length does not match (naming both) or a feature is not finite
     */
    static NodeInputs of(int nodeCount, int featureDim, float[] features, float[] logDegree) {
        return new ArrayNodeInputs(nodeCount, featureDim, features, logDegree);
    }
}
