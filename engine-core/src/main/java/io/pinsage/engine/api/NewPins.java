package io.pinsage.engine.api;

import io.pinsage.engine.ann.ExactSearch;
import io.pinsage.engine.ann.Neighbors;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The pins {@link PinSageEngine#addNewPin} added since the engine opened, searched beside the store's on-disk index
 * (which jvector cannot add to): their ids and embeddings on the heap, scanned exactly. They last until the engine
 * closes; {@code ./pinsage embed} and {@code ./pinsage index} over a store that holds them make them permanent.
 *
 * <p>Threading: any number of searches and adds at once (a read-write lock). Cost: an add O(dim) amortised, a
 * search O(added × dim). Memory: {@code 4 × dim} bytes per pin plus its id, at most {@value #MAX} pins.
 */
final class NewPins {

    /** The most pins held: a scan of this many stays well under a millisecond per query. */
    static final int MAX = 100_000;

    private final int dim;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> rows = new HashMap<>();
    private float[] vectors = new float[0];

    NewPins(int dim) {
        this.dim = dim;
    }

    /**
     * Adds pin {@code id} with {@code embedding}.
     *
     * @throws IllegalArgumentException it was added before
     * @throws IllegalStateException    {@value #MAX} pins are held already
     */
    void add(String id, float[] embedding) {
        ReentrantReadWriteLock.WriteLock w = lock.writeLock();
        w.lock();
        try {
            if (rows.containsKey(id)) {
                throw new IllegalArgumentException("pin=" + id + ": a new pin of that id was added already");
            }
            int row = ids.size();
            if (row == MAX) {
                throw new IllegalStateException(MAX + " new pins held in memory: embed and index the store again to add more");
            }
            if ((row + 1) * dim > vectors.length) {
                vectors = Arrays.copyOf(vectors, Math.max(dim, 2 * vectors.length));
            }
            System.arraycopy(embedding, 0, vectors, row * dim, dim);
            ids.add(id);
            rows.put(id, row);
        } finally {
            w.unlock();
        }
    }

    /**
     * Adds pin {@code id} with {@code embedding}, or replaces the embedding it holds (a pin of live edges embedded again
     * once more of its edges arrived).
     *
     * @throws IllegalStateException {@value #MAX} pins are held already and {@code id} is not among them
     */
    void put(String id, float[] embedding) {
        ReentrantReadWriteLock.WriteLock w = lock.writeLock();
        w.lock();
        try {
            Integer row = rows.get(id);
            if (row == null) {
                add(id, embedding); // reentrant: the write lock is held
            } else {
                System.arraycopy(embedding, 0, vectors, row * dim, dim);
            }
        } finally {
            w.unlock();
        }
    }

    /** The embedding of new pin {@code id}, or null if it was not added. */
    float[] vector(String id) {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        try {
            Integer row = rows.get(id);
            return row == null ? null : Arrays.copyOfRange(vectors, row * dim, (row + 1) * dim);
        } finally {
            r.unlock();
        }
    }

    /** Up to {@code k} new pins by largest dot product with {@code query}, best first, among those {@code accept} admits by id. */
    List<ScoredPin> search(float[] query, int k, Predicate<String> accept) {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        try {
            if (ids.isEmpty()) {
                return List.of();
            }
            IntPredicate byRow = row -> accept.test(ids.get(row));
            Neighbors n = new ExactSearch(MemorySegment.ofArray(vectors), ids.size(), dim, false).search(query, k, byRow);
            List<ScoredPin> out = new ArrayList<>(n.size());
            for (int i = 0; i < n.size(); i++) {
                out.add(new ScoredPin(ids.get(n.rows()[i]), n.scores()[i]));
            }
            return out;
        } finally {
            r.unlock();
        }
    }
}
