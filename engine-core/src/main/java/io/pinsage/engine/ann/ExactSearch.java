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
 * Exact nearest rows by dot product (or cosine): a SIMD scan of every row of a mapped row-major float32 matrix (an
 * embedding store, a feature matrix), straight from its mapping (no copy, so it works for any row count). The
 * reference that {@link AnnIndex} is measured against. Cost: {@code rows × dim} multiply-adds per query (twice that
 * for cosine), read sequentially. Thread-safe; allocates the answer only.
 */
public final class ExactSearch {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final MemorySegment rows;
    private final int count;
    private final int dim;
    private final boolean cosine;

    /** Searches {@code store}'s rows by dot product; the store must stay open while this is used. */
    public ExactSearch(EmbeddingStore store) {
        this(store.vectors(), store.nodeCount(), store.dim(), false);
    }

    /**
     * Searches {@code count} rows of {@code dim} little-endian floats in {@code rows}, by dot product or, with
     * {@code cosine}, by the cosine (rows of norm 0 score 0). {@code rows} must stay valid while this is used.
     */
    public ExactSearch(MemorySegment rows, int count, int dim, boolean cosine) {
        this.rows = Objects.requireNonNull(rows, "rows");
        if (count < 0 || dim < 1 || rows.byteSize() < 4L * count * dim) {
            throw new IllegalArgumentException("count=" + count + " dim=" + dim + ": expected a matrix within the "
                    + rows.byteSize() + " bytes given");
        }
        this.count = count;
        this.dim = dim;
        this.cosine = cosine;
    }

    /**
     * The {@code k} rows with the largest dot product with {@code query}, best first, among those {@code accept}
     * admits ({@code null}: all); ties go to the lower row.
     *
     * @throws IllegalArgumentException {@code query.length != dim} or {@code k < 0}
     */
    public Neighbors search(float[] query, int k, IntPredicate accept) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query.length=" + query.length + ": expected dim=" + dim);
        }
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        TopKHeap heap = new TopKHeap(Math.max(k, 1));
        heap.reset(k);
        long rowBytes = 4L * dim;
        MemorySegment q = MemorySegment.ofArray(query);
        double queryNorm = cosine ? Math.sqrt(dot(q, 0, q, 0, dim)) : 1;
        for (int row = 0; row < count; row++) {
            if (accept == null || accept.test(row)) {
                long at = row * rowBytes;
                float score = dot(rows, at, q, 0, dim);
                if (cosine) {
                    double norm = Math.sqrt(dot(rows, at, rows, at, dim)) * queryNorm;
                    score = norm == 0 ? 0f : (float) (score / norm);
                }
                heap.offer(row, score);
            }
        }
        int[] ids = new int[heap.size()];
        float[] scores = new float[ids.length];
        heap.drainBestFirst(ids, scores);
        return new Neighbors(ids, scores);
    }

    /** The dot product of two rows of {@code dim} floats at byte offsets of two segments, with SIMD. */
    static float dot(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        int bound = S.loopBound(dim);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += S.length()) {
            acc = FloatVector.fromMemorySegment(S, a, aOffset + 4L * j, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromMemorySegment(S, b, bOffset + 4L * j, ByteOrder.LITTLE_ENDIAN), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < dim; j++) {
            sum += a.get(StoreFileFormat.FLOAT, aOffset + 4L * j) * b.get(StoreFileFormat.FLOAT, bOffset + 4L * j);
        }
        return sum;
    }

    /** The dot product of {@code query} with the row at byte {@code offset} of {@code rows}. */
    static float dot(MemorySegment rows, long offset, float[] query) {
        return dot(rows, offset, MemorySegment.ofArray(query), 0, query.length);
    }
}
