package io.pinsage.engine.train;

/**
 * {@link NodeInputs} held in heap arrays, for graphs whose inputs fit there (user–item data, tests): content
 * features ({@code featureDim} floats per node, may be 0) and log(1 + degree) when enabled. Immutable; thread-safe.
 */
final class ArrayNodeInputs implements NodeInputs {

    private final int nodeCount;
    private final int featureDim;
    private final float[] features;
    private final float[] logDegree;

    /**
     * @param features  {@code nodeCount × featureDim} row-major, or {@code null} when {@code featureDim} is 0
     * @param logDegree {@code nodeCount} values, or {@code null} to leave degree out
     * @throws IllegalArgumentException if a length does not match, naming both
     */
    ArrayNodeInputs(int nodeCount, int featureDim, float[] features, float[] logDegree) {
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

    @Override
    public int nodeCount() {
        return nodeCount;
    }

    /** Content feature width (0 when none). */
    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    public boolean hasLogDegree() {
        return logDegree != null;
    }

    @Override
    public void copyFeatures(int node, float[] dst, int offset) {
        if (featureDim > 0) {
            System.arraycopy(features, node * featureDim, dst, offset, featureDim);
        }
    }

    /** {@code log(1 + degree)} of {@code node}, or 0 when degree is left out. */
    @Override
    public float logDegree(int node) {
        return logDegree != null ? logDegree[node] : 0f;
    }
}
