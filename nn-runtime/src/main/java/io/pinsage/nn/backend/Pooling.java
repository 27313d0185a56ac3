package io.pinsage.nn.backend;

/**
 * How {@link Backend#aggregate} reduces the rows of a node's neighbours, given per-edge weights α.
 *
 * <p>An empty neighbourhood yields a zero row for every mode.
 */
public enum Pooling {
    /** Importance pooling: {@code Σ α_e x_e / Σ α_e}; a zero weight sum yields a zero row. */
    MEAN,
    /** {@code Σ α_e x_e}. */
    SUM,
    /**
     * Element-wise {@code max_e α_e x_e}; the backward pass sends each output element's gradient (times
     * α) to the one neighbour that attained the maximum (the first one on ties), recorded by the forward pass.
     */
    MAX
}
