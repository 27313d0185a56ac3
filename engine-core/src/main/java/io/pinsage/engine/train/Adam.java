package io.pinsage.engine.train;

/**
 * Adam for the dense weights, and its lazy form for the id-embedding table: only the rows a step touched are
 * updated (their moments decay only when touched), so a step costs O(touched rows × dim) rather than
 * O(table). Bias correction uses the global step count.
 *
 * <p>State ({@link #step}, moments) is part of a checkpoint. Not thread-safe: the trainer thread owns it.
 */
public final class Adam {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    final float[] denseM;
    final float[] denseV;
    final float[] embM;
    final float[] embV;
    long step;

    /** Zero moments for parameters of the given sizes. */
    public Adam(int denseSize, int embeddingSize) {
        this(new float[denseSize], new float[denseSize], new float[embeddingSize], new float[embeddingSize], 0);
    }

    Adam(float[] denseM, float[] denseV, float[] embM, float[] embV, long step) {
        this.denseM = denseM;
        this.denseV = denseV;
        this.embM = embM;
        this.embV = embV;
        this.step = step;
    }

    /** Starts a step: advances the count used by bias correction. */
    public void beginStep() {
        step++;
    }

    /** Updates every dense weight from {@code grad} with learning rate {@code lr}. */
    public void updateDense(float[] w, float[] grad, float lr) {
        float c1 = 1f - (float) Math.pow(BETA1, step);
        float c2 = 1f - (float) Math.pow(BETA2, step);
        for (int i = 0; i < w.length; i++) {
            float g = grad[i];
            float m = denseM[i] = BETA1 * denseM[i] + (1 - BETA1) * g;
            float v = denseV[i] = BETA2 * denseV[i] + (1 - BETA2) * g * g;
            w[i] -= lr * (m / c1) / ((float) Math.sqrt(v / c2) + EPS);
        }
    }

    /**
     * Updates the embedding rows {@code rows[0..n)} from gradient rows at {@code grad[i·stride .. + dim)}.
     * Rows must be distinct.
     */
    public void updateRows(float[] table, int dim, int[] rows, int n, float[] grad, int stride, float lr, Parallel par) {
        float c1 = 1f - (float) Math.pow(BETA1, step);
        float c2 = 1f - (float) Math.pow(BETA2, step);
        par.forRange(n, 256, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                int base = rows[i] * dim;
                int gb = i * stride;
                for (int j = 0; j < dim; j++) {
                    float g = grad[gb + j];
                    float m = embM[base + j] = BETA1 * embM[base + j] + (1 - BETA1) * g;
                    float v = embV[base + j] = BETA2 * embV[base + j] + (1 - BETA2) * g * g;
                    table[base + j] -= lr * (m / c1) / ((float) Math.sqrt(v / c2) + EPS);
                }
            }
        });
    }
}
