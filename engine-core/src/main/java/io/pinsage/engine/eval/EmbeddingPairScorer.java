package io.pinsage.engine.eval;

/**
 * Scores candidates by the dot product of query and candidate rows of one embedding table (a unified node
 * space). Read-only; thread-safe.
 */
public final class EmbeddingPairScorer implements PairScorer {

    private final float[] embeddings;
    private final int dim;

    /** @param embeddings row-major {@code nodes × dim}; not copied, the caller must not modify it */
    public EmbeddingPairScorer(float[] embeddings, int dim) {
        if (dim < 1 || embeddings.length % dim != 0) {
            throw new IllegalArgumentException("dim=" + dim + " embeddings.length=" + embeddings.length);
        }
        this.embeddings = embeddings;
        this.dim = dim;
    }

    @Override
    public void score(int query, int[] candidates, int count, float[] out) {
        int q = query * dim;
        for (int i = 0; i < count; i++) {
            int c = candidates[i] * dim;
            float s = 0;
            for (int j = 0; j < dim; j++) {
                s += embeddings[q + j] * embeddings[c + j];
            }
            out[i] = s;
        }
    }
}
