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
 * <p>A pin {@link PinSageEngine#addNewPin} added keeps the walk starts it was embedded from ({@link Starts}), so that
 * a later new pin saved with it walks from them: it stands for its boards as a pin of the graph does.
 *
 * <p>Threading: any number of searches and adds at once (a read-write lock). Cost: an add O(dim) amortised, a
 * search O(added × dim). Memory: {@code 4 × dim} bytes per pin plus its id and its starts (at most
 * {@value Starts#MAX} of each side, 8 bytes each), at most {@value #MAX} pins.
 */
final class NewPins {

    /** The most pins held: a scan of this many stays well under a millisecond per query. */
    static final int MAX = 100_000;

    private final int dim;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> rows = new HashMap<>();
    /** The starts of the pins added by {@link PinSageEngine#addNewPin}; pins of live edges have their own edges. */
    private final Map<String, Starts> starts = new HashMap<>();
    private float[] vectors = new float[0];

    NewPins(int dim) {
        this.dim = dim;
    }

    /**
     * The walk starts a new pin was embedded from: boards and pins of the graph (dense ids, the store's or added by
     * live edges; dense ids never change) with positive weights, the heaviest {@value #MAX} of each side kept, so
     * that a chain of pins saved with pins saved with pins stays bounded.
     */
    record Starts(int[] boards, float[] boardWeights, int[] pins, float[] pinWeights) {

        /** Starts kept per side, the HTTP server's bound on the boards one request may name. */
        static final int MAX = 1000;

        /** {@code count} starts of {@code ids}/{@code weights}, the heaviest {@link #MAX} if there are more. */
        static int[] heaviest(int[] ids, float[] weights, int count) {
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            if (count > MAX) {
                Arrays.sort(order, (a, b) -> Float.compare(weights[b], weights[a]));
            }
            int kept = Math.min(count, MAX);
            int[] out = new int[kept];
            for (int i = 0; i < kept; i++) {
                out[i] = order[i];
            }
            return out;
        }

        static Starts of(int[] boards, float[] boardWeights, int boardCount, int[] pins, float[] pinWeights, int pinCount) {
            int[] b = heaviest(boards, boardWeights, boardCount);
            int[] p = heaviest(pins, pinWeights, pinCount);
            Starts s = new Starts(new int[b.length], new float[b.length], new int[p.length], new float[p.length]);
            for (int i = 0; i < b.length; i++) {
                s.boards[i] = boards[b[i]];
                s.boardWeights[i] = boardWeights[b[i]];
            }
            for (int i = 0; i < p.length; i++) {
                s.pins[i] = pins[p[i]];
                s.pinWeights[i] = pinWeights[p[i]];
            }
            return s;
        }

        /** The sum of every start's weight. */
        double total() {
            double t = 0;
            for (float w : boardWeights) {
                t += w;
            }
            for (float w : pinWeights) {
                t += w;
            }
            return t;
        }
    }

    /**
     * Adds pin {@code id} with {@code embedding} and the {@code from} starts it was embedded from.
     *
     * @throws IllegalArgumentException it was added before
     * @throws IllegalStateException    {@value #MAX} pins are held already
     */
    void add(String id, float[] embedding, Starts from) {
        ReentrantReadWriteLock.WriteLock w = lock.writeLock();
        w.lock();
        try {
            add(id, embedding); // reentrant: the write lock is held
            starts.put(id, from);
        } finally {
            w.unlock();
        }
    }

    /** The starts new pin {@code id} was embedded from, or null if {@link PinSageEngine#addNewPin} did not add it. */
    Starts starts(String id) {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        try {
            return starts.get(id);
        } finally {
            r.unlock();
        }
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
