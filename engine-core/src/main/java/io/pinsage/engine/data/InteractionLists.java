package io.pinsage.engine.data;

import java.util.Arrays;

/**
 * Per-user item lists in compressed form: user {@code u}'s items are {@code items[offsets[u] .. offsets[u+1])},
 * sorted ascending and free of duplicates. Immutable and thread-safe; every accessor is O(1) except
 * {@link #contains}, which is O(log degree).
 */
public final class InteractionLists {

    private final int[] offsets;
    private final int[] items;

    /**
     * @param offsets {@code userCount + 1} non-decreasing positions into {@code items}, starting at 0
     * @param items   item ids; each user's slice must already be sorted and deduplicated
     */
    InteractionLists(int[] offsets, int[] items) {
        this.offsets = offsets;
        this.items = items;
    }

    /** Number of users, including those without items. */
    public int userCount() {
        return offsets.length - 1;
    }

    /** Number of (user, item) pairs over all users. */
    public int size() {
        return items.length;
    }

    /** Number of items of {@code user}. */
    public int count(int user) {
        return offsets[user + 1] - offsets[user];
    }

    /** Position of {@code user}'s first item in {@link #item(int)}'s index space. */
    public int start(int user) {
        return offsets[user];
    }

    /** The item at flat position {@code position}, {@code 0 <= position < size()}. */
    public int item(int position) {
        return items[position];
    }

    /** Whether {@code user} has {@code item}; binary search over the user's sorted slice. */
    public boolean contains(int user, int item) {
        return Arrays.binarySearch(items, offsets[user], offsets[user + 1], item) >= 0;
    }

    /** A copy of {@code user}'s items, ascending. Allocates; for tests and tooling. */
    public int[] itemsOf(int user) {
        return Arrays.copyOfRange(items, offsets[user], offsets[user + 1]);
    }

    /**
     * Builds lists from parallel (user, item) arrays, sorting and deduplicating each user's items.
     *
     * @param userCount every {@code users[i]} must lie in {@code [0, userCount)}
     */
    public static InteractionLists of(int userCount, int[] users, int[] items, int pairCount) {
        int[] off = new int[userCount + 1];
        for (int i = 0; i < pairCount; i++) {
            off[users[i] + 1]++;
        }
        for (int u = 0; u < userCount; u++) {
            off[u + 1] += off[u];
        }
        int[] flat = new int[pairCount];
        int[] cursor = Arrays.copyOf(off, userCount);
        for (int i = 0; i < pairCount; i++) {
            flat[cursor[users[i]]++] = items[i];
        }
        // Sort each slice, then compact duplicates in place, shifting later slices left.
        int write = 0;
        int[] newOff = new int[userCount + 1];
        for (int u = 0; u < userCount; u++) {
            int from = off[u];
            int to = off[u + 1];
            Arrays.sort(flat, from, to);
            newOff[u] = write;
            for (int p = from; p < to; p++) {
                if (p == from || flat[p] != flat[p - 1]) {
                    flat[write++] = flat[p];
                }
            }
        }
        newOff[userCount] = write;
        return new InteractionLists(newOff, write == pairCount ? flat : Arrays.copyOf(flat, write));
    }
}
