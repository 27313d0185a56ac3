package io.pinsage.engine.eval;

import java.util.Arrays;

/**
 * The {@code k} best (score, item) pairs seen so far, in a binary min-heap keyed by score then by descending
 * item id, so that among equal scores the lower item id wins. Not thread-safe; reused across users via
 * {@link #clear()} and allocation-free in {@link #offer}. Items scored {@code -infinity} (masked) never enter.
 */
final class TopK {

    private final float[] scores;
    private final int[] items;
    private int size;

    TopK(int k) {
        scores = new float[k];
        items = new int[k];
    }

    void clear() {
        size = 0;
    }

    /** O(1) when {@code score} loses against the current minimum, O(log k) otherwise. */
    void offer(float score, int item) {
        if (score == Float.NEGATIVE_INFINITY) {
            return;
        }
        if (size < scores.length) {
            int i = size++;
            scores[i] = score;
            items[i] = item;
            siftUp(i);
        } else if (worse(scores[0], items[0], score, item)) {
            scores[0] = score;
            items[0] = item;
            siftDown(0);
        }
    }

    /** The kept items, best first. Allocates; called once per user. */
    int[] sortedItems() {
        Integer[] idx = new Integer[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> a.equals(b) ? 0 : worse(scores[a], items[a], scores[b], items[b]) ? 1 : -1);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = items[idx[i]];
        }
        return out;
    }

    /** Whether (s1, i1) ranks below (s2, i2): lower score, or equal score and higher id. */
    private static boolean worse(float s1, int i1, float s2, int i2) {
        return s1 < s2 || (s1 == s2 && i1 > i2);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(scores[i], items[i], scores[parent], items[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int m = l + 1 < size && worse(scores[l + 1], items[l + 1], scores[l], items[l]) ? l + 1 : l;
            if (!worse(scores[m], items[m], scores[i], items[i])) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int t = items[a];
        items[a] = items[b];
        items[b] = t;
    }
}
