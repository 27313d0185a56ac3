package io.pinsage.engine.train;

import java.util.Random;

/**
 * The trainable state of a PinSage network: one flat array of dense weights and biases (offsets below) and
 * the id-embedding table ({@code nodeCount × embedDim}). Weights are stored {@code in × out} row-major, so
 * a forward product is {@code h · W}.
 *
 * <p>Not thread-safe: the trainer owns it; inference reads it after training.
 */
public final class ModelParams {

    final ModelShape shape;
    /** Dense weights and biases, laid out by the offsets below. */
    final float[] dense;
    /** Id embeddings, {@code nodeCount × embedDim} (empty when embedDim is 0). */
    final float[] embedding;

    final int projW;
    final int projB;
    final int[] qW;
    final int[] qB;
    final int[] wW;
    final int[] wB;
    final int g1W;
    final int g1B;
    final int g2W;
    final int g2B;

    private ModelParams(ModelShape shape, float[] dense, float[] embedding) {
        this.shape = shape;
        int k = shape.layers();
        qW = new int[k];
        qB = new int[k];
        wW = new int[k];
        wB = new int[k];
        int at = 0;
        projW = at;
        at += shape.rawInputDim() * shape.inputDim();
        projB = at;
        at += shape.inputDim();
        for (int l = 0; l < k; l++) {
            int in = shape.dim(l);
            int out = shape.dim(l + 1);
            qW[l] = at;
            at += in * out;
            qB[l] = at;
            at += out;
            wW[l] = at;
            at += (in + out) * out;
            wB[l] = at;
            at += out;
        }
        g1W = at;
        at += shape.dim(k) * shape.g1Dim();
        g1B = at;
        at += shape.g1Dim();
        g2W = at;
        at += shape.g1Dim() * shape.outDim();
        g2B = at;
        at += shape.outDim();
        this.dense = dense == null ? new float[at] : dense;
        if (this.dense.length != at) {
            throw new IllegalArgumentException("dense.length=" + this.dense.length + ": shape " + shape + " needs " + at);
        }
        long embLen = (long) shape.nodeCount() * shape.embedDim();
        this.embedding = embedding == null ? new float[Math.toIntExact(embLen)] : embedding;
        if (this.embedding.length != embLen) {
            throw new IllegalArgumentException("embedding.length=" + this.embedding.length + ": shape " + shape + " needs " + embLen);
        }
    }

    /**
     * Fresh parameters: Glorot-uniform weights, zero biases, id embeddings N(0, 0.1²). Deterministic for a seed.
     */
    public static ModelParams initialize(ModelShape shape, long seed) {
        ModelParams p = new ModelParams(shape, null, null);
        Random rnd = new Random(seed);
        glorot(p.dense, p.projW, shape.rawInputDim(), shape.inputDim(), rnd);
        for (int l = 0; l < shape.layers(); l++) {
            int in = shape.dim(l);
            int out = shape.dim(l + 1);
            glorot(p.dense, p.qW[l], in, out, rnd);
            glorot(p.dense, p.wW[l], in + out, out, rnd);
        }
        glorot(p.dense, p.g1W, shape.dim(shape.layers()), shape.g1Dim(), rnd);
        glorot(p.dense, p.g2W, shape.g1Dim(), shape.outDim(), rnd);
        for (int i = 0; i < p.embedding.length; i++) {
            p.embedding[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return p;
    }

    /** Parameters wrapping existing arrays (from a checkpoint); lengths are checked against the shape. */
    static ModelParams wrap(ModelShape shape, float[] dense, float[] embedding) {
        return new ModelParams(shape, dense, embedding);
    }

    /** A gradient buffer with the same layout (dense part only; embedding gradients are sparse). */
    float[] newDenseGradient() {
        return new float[dense.length];
    }

    /** The network's shape. */
    public ModelShape shape() {
        return shape;
    }

    /** Deep copy, for keeping the best model seen during early stopping. */
    public ModelParams copy() {
        return new ModelParams(shape, dense.clone(), embedding.clone());
    }

    private static void glorot(float[] w, int offset, int in, int out, Random rnd) {
        double limit = Math.sqrt(6.0 / (in + out));
        for (int i = 0; i < in * out; i++) {
            w[offset + i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
    }
}
