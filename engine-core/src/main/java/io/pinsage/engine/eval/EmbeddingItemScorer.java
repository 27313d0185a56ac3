package io.pinsage.engine.eval;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scores items by the dot product of user and item embeddings, as a SIMD matrix product.
 *
 * <p>At construction the item matrix is transposed into panels of one vector's width of items
 * ({@code panel[dim][lane]}), so that one user times one panel is {@code dim} broadcast-FMAs with no
 * horizontal reduction; four users share each panel load. Cost: {@code users × items × dim} FMAs and one copy
 * of the item matrix. Immutable after construction; {@link #score} is thread-safe and allocation-free.
 */
public final class EmbeddingItemScorer implements ItemScorer {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final float[] users;
    private final float[] panels;
    private final int dim;
    private final int itemCount;

    /**
     * @param userEmbeddings row-major {@code userCount × dim}
     * @param itemEmbeddings row-major {@code itemCount × dim}; copied (transposed), so the caller keeps ownership
     * @throws IllegalArgumentException if a length is not a multiple of {@code dim}
     */
    public EmbeddingItemScorer(float[] userEmbeddings, float[] itemEmbeddings, int dim) {
        if (dim < 1 || userEmbeddings.length % dim != 0 || itemEmbeddings.length % dim != 0) {
            throw new IllegalArgumentException("dim=" + dim + " userEmbeddings.length=" + userEmbeddings.length
                    + " itemEmbeddings.length=" + itemEmbeddings.length + ": lengths must be multiples of dim");
        }
        this.users = userEmbeddings;
        this.dim = dim;
        this.itemCount = itemEmbeddings.length / dim;
        int panelCount = (itemCount + L - 1) / L;
        this.panels = new float[panelCount * dim * L];
        for (int i = 0; i < itemCount; i++) {
            int p = i / L;
            int lane = i % L;
            for (int j = 0; j < dim; j++) {
                panels[(p * dim + j) * L + lane] = itemEmbeddings[i * dim + j];
            }
        }
    }

    @Override
    public int itemCount() {
        return itemCount;
    }

    @Override
    public int preferredItemChunk() {
        return 64 * L;
    }

    @Override
    public void score(int[] userIds, int userCount, int itemFrom, int itemTo, float[] out) {
        if (itemFrom % L != 0) {
            throw new IllegalArgumentException("itemFrom=" + itemFrom + ": must be a multiple of " + L);
        }
        int width = itemTo - itemFrom;
        int r = 0;
        for (; r + 4 <= userCount; r += 4) {
            int u0 = userIds[r] * dim;
            int u1 = userIds[r + 1] * dim;
            int u2 = userIds[r + 2] * dim;
            int u3 = userIds[r + 3] * dim;
            for (int item = itemFrom; item < itemTo; item += L) {
                int base = (item / L) * dim * L;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                for (int j = 0; j < dim; j++) {
                    FloatVector p = FloatVector.fromArray(S, panels, base + j * L);
                    a0 = p.fma(FloatVector.broadcast(S, users[u0 + j]), a0);
                    a1 = p.fma(FloatVector.broadcast(S, users[u1 + j]), a1);
                    a2 = p.fma(FloatVector.broadcast(S, users[u2 + j]), a2);
                    a3 = p.fma(FloatVector.broadcast(S, users[u3 + j]), a3);
                }
                int col = item - itemFrom;
                store(a0, out, r * width + col, width - col);
                store(a1, out, (r + 1) * width + col, width - col);
                store(a2, out, (r + 2) * width + col, width - col);
                store(a3, out, (r + 3) * width + col, width - col);
            }
        }
        for (; r < userCount; r++) {
            int u = userIds[r] * dim;
            for (int item = itemFrom; item < itemTo; item += L) {
                int base = (item / L) * dim * L;
                FloatVector a = FloatVector.zero(S);
                for (int j = 0; j < dim; j++) {
                    a = FloatVector.fromArray(S, panels, base + j * L).fma(FloatVector.broadcast(S, users[u + j]), a);
                }
                int col = item - itemFrom;
                store(a, out, r * width + col, width - col);
            }
        }
    }

    /** Stores a full vector, or only the lanes that remain in the row at the chunk's ragged end. */
    private static void store(FloatVector v, float[] out, int offset, int remaining) {
        if (remaining >= L) {
            v.intoArray(out, offset);
        } else {
            v.intoArray(out, offset, VectorMask.fromLong(S, (1L << remaining) - 1));
        }
    }
}
