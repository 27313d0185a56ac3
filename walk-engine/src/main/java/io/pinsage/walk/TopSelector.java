package io.pinsage.walk;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Selects the K highest-scored entries of a {@link VisitMap}, best first; ties go to the smaller node id so
 * that results are reproducible.
 *
 * <p>A bounded min-heap of K entries holds the current best; once it is full, a SIMD pass over the map's dense
 * value array skips whole vectors of entries that cannot beat the heap's weakest score, so most of a large
 * map is rejected at vector speed. Cost O(n + m log K) for n entries of which m reach the heap.
 *
 * <p>Not thread-safe: one instance per thread (part of a query's scratch). Grows its heap to the largest K
 * asked for, then allocates nothing.
 */
public final class TopSelector {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private int[] heapIds = new int[16];
    private float[] heapScores = new float[16];
    private int heapSize;

    /**
     * Writes the top {@code k} accepted entries of {@code map} into {@code outIds}/{@code outScores} (index 0 is
     * the best) and returns how many were written ({@code min(k, accepted entries)}). A {@code k} above the map's
     * size asks for every entry: the heap and the outputs need only {@code min(k, map.size())} slots, so a huge
     * {@code k} costs no more than the map.
     *
     * @throws IllegalArgumentException if {@code k < 0} or the output arrays are shorter than {@code min(k, map.size())}
     */
    public int select(VisitMap map, int k, NodeFilter filter, int[] outIds, float[] outScores) {
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        k = Math.min(k, map.size());
        if (outIds.length < k || outScores.length < k) {
            throw new IllegalArgumentException("k=" + k + " outIds.length=" + outIds.length
                    + " outScores.length=" + outScores.length + ": need min(k, map.size()) <= output lengths");
        }
        if (k == 0) {
            return 0;
        }
        if (heapIds.length < k) {
            heapIds = new int[k];
            heapScores = new float[k];
        }
        heapSize = 0;
        float[] values = map.values();
        int n = map.size();
        int i = 0;
        for (; i < n && heapSize < k; i++) {
            offer(map.keyAt(i), values[i], k, filter);
        }
        int bound = i + SPECIES.loopBound(n - i);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, values, i);
            // GE, not GT: an equal score with a smaller id still wins the tie.
            if (v.compare(VectorOperators.GE, heapScores[0]).anyTrue()) {
                for (int j = i; j < i + SPECIES.length(); j++) {
                    offer(map.keyAt(j), values[j], k, filter);
                }
            }
        }
        for (; i < n; i++) {
            offer(map.keyAt(i), values[i], k, filter);
        }
        int count = heapSize;
        for (int out = count - 1; out >= 0; out--) {
            outIds[out] = heapIds[0];
            outScores[out] = heapScores[0];
            heapIds[0] = heapIds[heapSize - 1];
            heapScores[0] = heapScores[heapSize - 1];
            heapSize--;
            siftDown(0);
        }
        return count;
    }

    private void offer(int id, float score, int k, NodeFilter filter) {
        if (heapSize == k && !better(id, score, heapIds[0], heapScores[0])) {
            return;
        }
        if (!filter.accept(id)) {
            return;
        }
        if (heapSize < k) {
            int i = heapSize++;
            heapIds[i] = id;
            heapScores[i] = score;
            siftUp(i);
        } else {
            heapIds[0] = id;
            heapScores[0] = score;
            siftDown(0);
        }
    }

    /** Whether (a, sa) ranks above (b, sb): higher score, then smaller id. */
    private static boolean better(int a, float sa, int b, float sb) {
        return sa > sb || (sa == sb && a < b);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(heapIds[parent], heapScores[parent], heapIds[i], heapScores[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= heapSize) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < heapSize && better(heapIds[l], heapScores[l], heapIds[r], heapScores[r])) {
                worst = r;
            }
            if (!better(heapIds[i], heapScores[i], heapIds[worst], heapScores[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int id = heapIds[a];
        heapIds[a] = heapIds[b];
        heapIds[b] = id;
        float s = heapScores[a];
        heapScores[a] = heapScores[b];
        heapScores[b] = s;
    }
}
