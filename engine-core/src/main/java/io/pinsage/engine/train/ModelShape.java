package io.pinsage.engine.train;

import java.util.Arrays;

/**
 * The shape of a PinSage network: input h⁰ = projection of [id embedding ; content features ; log-degree], then
 * {@code convDims.length} CONVOLVE layers (layer k pools {@code ReLU(Q_k h + q_k)} of width {@code convDims[k]}
 * over at most {@code width} neighbours and maps [self ; pooled] to {@code convDims[k]}, ReLU, L2 norm), then
 * G1 ({@code g1Dim}, ReLU) and G2 ({@code outDim}), optionally L2-normalised so that scores are cosines.
 *
 * @param nodeCount       nodes in the (unified) node space; id embeddings have one row per node
 * @param embedDim        width of learnable id embeddings, 0 for none (content-only, inductive)
 * @param featureDim      width of fixed content features, 0 for none
 * @param logDegree       whether log(1 + degree) joins the input
 * @param inputDim        width of h⁰ after the projection
 * @param convDims        output width of each CONVOLVE layer (K = length, at least 1)
 * @param g1Dim           width of G1
 * @param outDim          width of the final embedding
 * @param width           neighbourhood size T
 * @param normalizeOutput whether the final embedding is L2-normalised
 */
public record ModelShape(int nodeCount, int embedDim, int featureDim, boolean logDegree, int inputDim, int[] convDims,
                         int g1Dim, int outDim, int width, boolean normalizeOutput) {

    /** @throws IllegalArgumentException naming the first field out of range */
    public ModelShape {
        positive("nodeCount", nodeCount);
        positive("inputDim", inputDim);
        positive("g1Dim", g1Dim);
        positive("outDim", outDim);
        positive("width", width);
        if (embedDim < 0 || featureDim < 0) {
            throw new IllegalArgumentException("embedDim=" + embedDim + " featureDim=" + featureDim + ": must be >= 0");
        }
        if (embedDim + featureDim + (logDegree ? 1 : 0) == 0) {
            throw new IllegalArgumentException("embedDim=0 featureDim=0 logDegree=false: the input would be empty");
        }
        if (convDims == null || convDims.length == 0) {
            throw new IllegalArgumentException("convDims=" + Arrays.toString(convDims) + ": need at least one layer");
        }
        for (int d : convDims) {
            positive("convDims[]", d);
        }
        convDims = convDims.clone();
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + "=" + v + ": must be >= 1");
        }
    }

    /** Number of CONVOLVE layers K. */
    public int layers() {
        return convDims.length;
    }

    /** Width of the raw input row before the projection. */
    public int rawInputDim() {
        return embedDim + featureDim + (logDegree ? 1 : 0);
    }

    /** Width of h at layer {@code k} (0 = after the projection). */
    public int dim(int k) {
        return k == 0 ? inputDim : convDims[k - 1];
    }

    @Override
    public int[] convDims() {
        return convDims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelShape s && nodeCount == s.nodeCount && embedDim == s.embedDim && featureDim == s.featureDim
                && logDegree == s.logDegree && inputDim == s.inputDim && Arrays.equals(convDims, s.convDims)
                && g1Dim == s.g1Dim && outDim == s.outDim && width == s.width && normalizeOutput == s.normalizeOutput;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(convDims) * 31 + nodeCount;
    }

    @Override
    public String toString() {
        return "ModelShape[nodeCount=" + nodeCount + ", embedDim=" + embedDim + ", featureDim=" + featureDim + ", logDegree="
                + logDegree + ", inputDim=" + inputDim + ", convDims=" + Arrays.toString(convDims) + ", g1Dim=" + g1Dim
                + ", outDim=" + outDim + ", width=" + width + ", normalizeOutput=" + normalizeOutput + "]";
    }
}
