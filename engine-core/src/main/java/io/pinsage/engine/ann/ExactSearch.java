package io.pinsage.engine.ann;

import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.walk.TopKHeap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Exact nearest rows by dot product: a SIMD scan of every row of an embedding store, straight from its mapping (no
 * copy of the matrix, so it works for any row count). The reference that {@link AnnIndex} is measured against.
 * Cost: {@code nodeCount × dim} multiply-adds per query, read sequentially. Thread-safe; allocates the answer only.
 */
public final class ExactSearch {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final EmbeddingStore store;

    /** Searches {@code store}'s rows; the store must stay open while this is used. */
    public ExactSearch(EmbeddingStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The {@code k} rows with the largest dot product with {@code query}, best first, among those {@code accept}
     * admits ({@code null}: all); ties go to the lower row.
     *
     * @throws IllegalArgumentException {@code query.length != dim} or {@code k < 0}
     */
    public Neighbors search(float[] query, int k, IntPredicate accept) {
        int dim = store.dim();
        if (query.length != dim) {
            throw new IllegalArgumentException("query.length=" + query.length + ": expected dim=" + dim);
        }
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        TopKHeap heap = new TopKHeap(Math.max(k, 1));
        heap.reset(k);
        MemorySegment rows = store.vectors();
        long rowBytes = 4L * dim;
        int n = store.nodeCount();
        for (int row = 0; row < n; row++) {
            if (accept == null || accept.test(row)) {
                heap.offer(row, dot(rows, row * rowBytes, query));
            }
        }
        int[] ids = new int[heap.size()];
        float[] scores = new float[ids.length];
        heap.drainBestFirst(ids, scores);
        return new Neighbors(ids, scores);
    }

    /** The dot product of {@code query} with the row at byte {@code offset} of {@code rows}. */
    static float dot(MemorySegment rows, long offset, float[] query) {
        int dim = query.length;
        int bound = S.loopBound(dim);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector r = FloatVector.fromMemorySegment(S, rows, offset + 4L * j, ByteOrder.LITTLE_ENDIAN);
            acc = r.fma(FloatVector.fromArray(S, query, j), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < dim; j++) {
            sum += rows.get(StoreFileFormat.FLOAT, offset + 4L * j) * query[j];
        }
        return sum;
    }
}
