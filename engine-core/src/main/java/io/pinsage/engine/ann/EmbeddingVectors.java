package io.pinsage.engine.ann;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.pinsage.csr.embedding.EmbeddingStore;

/**
 * An embedding store's rows as jvector's vectors: row u is vector u. Each {@link #getVector} copies the row out of
 * the mapping into a fresh vector, so the values are never shared and one instance serves every thread. Valid while
 * the store is open.
 */
final class EmbeddingVectors implements RandomAccessVectorValues {

    private static final VectorTypeSupport TYPES = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final EmbeddingStore store;

    EmbeddingVectors(EmbeddingStore store) {
        this.store = store;
    }

    /** Row {@code node} as a jvector vector (a copy). */
    static VectorFloat<?> row(EmbeddingStore store, int node) {
        float[] values = new float[store.dim()];
        store.read(node, values, 0);
        return TYPES.createFloatVector(values);
    }

    /** {@code values} as a jvector vector (wrapped, not copied). */
    static VectorFloat<?> of(float[] values) {
        return TYPES.createFloatVector(values);
    }

    @Override
    public int size() {
        return store.nodeCount();
    }

    @Override
    public int dimension() {
        return store.dim();
    }

    @Override
    public VectorFloat<?> getVector(int node) {
        return row(store, node);
    }

    @Override
    public boolean isValueShared() {
        return false;
    }

    @Override
    public RandomAccessVectorValues copy() {
        return this; // stateless: every read makes its own vector
    }
}
