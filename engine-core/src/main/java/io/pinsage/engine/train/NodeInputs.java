package io.pinsage.engine.train;

/**
 * The fixed (non-trainable) part of every node's input row: content features ({@code featureDim} floats per
 * node, may be 0) followed by log(1 + degree) when enabled. Immutable; thread-safe.
 */
public final class NodeInputs {

    private final int nodeCount;
    private final int featureDim;
    private final float[] features;
    private final float[] logDegree;

    /**
     * @param features  {@code nodeCount × featureDim} row-major, or {@code null} when {@code featureDim} is 0
     * @param logDegree {@code nodeCount} values, or {@code null} to leave degree out
     * @throws IllegalArgumentException if a length does not match, naming both
     */
    public NodeInputs(int nodeCount, int featureDim, float[] features, float[] logDegree) {
        if (featureDim > 0 && (features == null || features.length != (long) nodeCount * featureDim)) {
            throw new IllegalArgumentException("features.length=" + (features == null ? "null" : features.length)
                    + ": expected nodeCount × featureDim = " + nodeCount + " × " + featureDim);
        }
        if (logDegree != null && logDegree.length != nodeCount) {
            throw new IllegalArgumentException("logDegree.length=" + logDegree.length + ": expected nodeCount=" + nodeCount);
        }
        if (features != null) {
            for (int i = 0; i < features.length; i++) {
                if (!Float.isFinite(features[i])) {
                    throw new IllegalArgumentException("feature of node " + (i / featureDim) + " column " + (i % featureDim)
                            + " is " + features[i] + ": features must be finite");
                }
            }
        }
        this.nodeCount = nodeCount;
        this.featureDim = featureDim;
        this.features = features;
        this.logDegree = logDegree;
    }

    /** Number of nodes. */
    public int nodeCount() {
        return nodeCount;
    }

    /** Content feature width (0 when none). */
    public int featureDim() {
        return featureDim;
    }

    /** Whether log-degree is part of the row. */
    public boolean hasLogDegree() {
        return logDegree != null;
    }

    /** Width of one fixed row: features then log-degree. */
    public int width() {
        return featureDim + (logDegree != null ? 1 : 0);
    }

    /** Copies node {@code node}'s fixed row into {@code dst} at {@code offset}. */
    public void copyRow(int node, float[] dst, int offset) {
        if (featureDim > 0) {
            System.arraycopy(features, node * featureDim, dst, offset, featureDim);
        }
        if (logDegree != null) {
            dst[offset + featureDim] = logDegree[node];
        }
    }

    /** The content features of {@code node} (no copy is made of the backing array; do not modify). */
    public float feature(int node, int column) {
        return features[node * featureDim + column];
    }
}
