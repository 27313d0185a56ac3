package io.pinsage.walk;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Selects the K highest-scored entries of a {@link VisitMap}, best first; ties go to the smaller node id so
 * that results are reproducible.
 *
 * <p>A {@link TopKHeap} of K entries holds the current best (its tie rule is the one above); once it is full,
 * a SIMD pass over the map's dense value array skips whole vectors of entries that cannot beat the heap's
 * weakest score, so most of a large map is rejected at vector speed. Cost O(n + m log K) for n entries of which
 * m reach the heap.
 *
 * <p>Not thread-safe: one instance per thread (part of a query's scratch). Grows its heap to the largest K
 * asked for, then allocates nothing.
 */
public final class TopSelector {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final TopKHeap heap = new TopKHeap(16);

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
        heap.reset(k);
        float[] values = map.values();
        int n = map.size();
        int i = 0;
        for (; i < n && heap.size() < k; i++) {
            offer(map.keyAt(i), values[i], filter);
        }
        int bound = i + SPECIES.loopBound(n - i);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, values, i);
            // GE, not GT: an equal score with a smaller id still wins the tie.
            if (v.compare(VectorOperators.GE, heap.weakestScore()).anyTrue()) {
                for (int j = i; j < i + SPECIES.length(); j++) {
                    offer(map.keyAt(j), values[j], filter);
                }
            }
        }
        for (; i < n; i++) {
            offer(map.keyAt(i), values[i], filter);
        }
        return heap.drainBestFirst(outIds, outScores);
    }

    /** The filter runs only for entries that would enter the heap: most entries never pay for it. */
    private void offer(int id, float score, NodeFilter filter) {
        if (heap.admits(id, score) && filter.accept(id)) {
            heap.offer(id, score);
        }
    }
}
