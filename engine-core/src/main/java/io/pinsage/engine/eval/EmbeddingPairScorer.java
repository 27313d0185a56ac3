package io.pinsage.engine.eval;

import java.util.Arrays;

/**
 * Scores candidates by the dot product of query and candidate rows of one embedding table: a row per node of a
 * unified node space, or rows for only the nodes an evaluation scores ({@link #EmbeddingPairScorer(int[], float[], int)},
 * found by binary search). Read-only; thread-safe.
 */
public final class EmbeddingPairScorer implements PairScorer {

    private final float[] embeddings;
    private final int dim;
    /** The node of each row, ascending; null when row u is node u. */
    private final int[] nodes;

    /** @param embeddings row-major {@code nodes × dim}; not copied, the caller must not modify it */
    public EmbeddingPairScorer(float[] embeddings, int dim) {
        if (dim < 1 || embeddings.length % dim != 0) {
            throw new IllegalArgumentException("dim=" + dim + " embeddings.length=" + embeddings.length);
        }
        this.embeddings = embeddings;
        this.dim = dim;
        this.nodes = null;
    }

    /**
     * Rows for some nodes only: row i holds {@code nodes[i]}; scoring a node not listed throws.
     *
     * @param nodes ascending and distinct; not copied
     * @param rows  {@code nodes.length × dim} row-major; not copied
     */
    public EmbeddingPairScorer(int[] nodes, float[] rows, int dim) {
        if (dim < 1 || rows.length != (long) nodes.length * dim) {
            throw new IllegalArgumentException("dim=" + dim + " rows.length=" + rows.length + " nodes.length=" + nodes.length);
        }
        this.embeddings = rows;
        this.dim = dim;
        this.nodes = nodes;
    }

    @Override
    public void score(int query, int[] candidates, int count, float[] out) {
        int q = rowOf(query) * dim;
        for (int i = 0; i < count; i++) {
            int c = rowOf(candidates[i]) * dim;
            float s = 0;
            for (int j = 0; j < dim; j++) {
                s += embeddings[q + j] * embeddings[c + j];
            }
            out[i] = s;
        }
    }

    private int rowOf(int node) {
        if (nodes == null) {
            return node;
        }
        int r = Arrays.binarySearch(nodes, node);
        if (r < 0) {
            throw new IllegalArgumentException("node " + node + " has no row: the scorer holds " + nodes.length + " nodes' rows");
        }
        return r;
    }
}
