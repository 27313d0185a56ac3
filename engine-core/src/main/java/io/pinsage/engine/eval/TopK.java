package io.pinsage.engine.eval;

import io.pinsage.walk.TopKHeap;

/**
 * The {@code k} best (score, item) pairs of one user: a {@link TopKHeap} (among equal scores the lower item id
 * wins) that never admits items scored {@code -infinity}, the mark of a masked training item. Not thread-safe;
 * reused across users via {@link #clear()} and allocation-free in {@link #offer}.
 */
final class TopK {

    private final TopKHeap heap;
    private final int k;

    TopK(int k) {
        this.heap = new TopKHeap(k);
        this.k = k;
        heap.reset(k);
    }

    void clear() {
        heap.reset(k);
    }

    /** O(1) when {@code score} loses against the current minimum, O(log k) otherwise. */
    void offer(float score, int item) {
        if (score != Float.NEGATIVE_INFINITY) {
            heap.offer(item, score);
        }
    }

    /** The kept items, best first; leaves the heap empty. Allocates; called once per user. */
    int[] sortedItems() {
        int[] out = new int[heap.size()];
        heap.drainBestFirst(out, null);
        return out;
    }
}
