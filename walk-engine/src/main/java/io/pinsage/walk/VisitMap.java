package io.pinsage.walk;

import java.util.Arrays;

/**
 * A compact open-addressing map from node id to a float score (visit count, boosted score or weight), sized to
 * the nodes actually touched, never to the graph.
 *
 * <p>Entries live in two dense arrays ({@link #keyAt(int)}, {@link #valueAt(int)}, indices
 * {@code [0, size())} in insertion order, or key order after {@link #addSortedKeys} into an empty map) so that whole-map passes (boosting, normalisation, top-K selection)
 * run over contiguous memory and can use SIMD. A power-of-two table of {@code long} slots, each holding
 * {@code key << 32 | (index + 1)} (0 = empty), finds a key with linear probing in one cache line most of the
 * time. Counts held as floats are exact up to 2<sup>24</sup> per key. {@link #addSortedKeys} fills an empty map's
 * dense arrays in bulk and builds the slot index only if a lookup asks for it.
 *
 * <p>Not thread-safe: owned by one thread (a query's scratch). {@link #clear()} costs O(size()), not
 * O(capacity), so a map reused across queries allocates nothing once it has grown to the largest query;
 * growth doubles the arrays (amortised O(1) per insert).
 */
public final class VisitMap {

    private static final float MAX_LOAD = 0.5f;

    private long[] slots;
    private int mask;
    private int shift;
    private int[] keys;
    private float[] values;
    private int size;
    /** Whether the slots index the dense entries; false after a bulk fill until a lookup needs them. */
    private boolean indexed = true;

    /** A map that holds {@code expectedKeys} entries before it grows. */
    public VisitMap(int expectedKeys) {
        if (expectedKeys < 0) {
            throw new IllegalArgumentException("expectedKeys=" + expectedKeys + ": must be >= 0");
        }
        int want = (int) Math.min(1 << 30, Math.max(16L, (long) (expectedKeys / MAX_LOAD)));
        int cap = Integer.highestOneBit(want - 1) << 1;
        slots = new long[cap];
        mask = cap - 1;
        shift = 64 - Integer.numberOfTrailingZeros(cap);
        keys = new int[Math.max(8, expectedKeys)];
        values = new float[keys.length];
    }

    /** Number of keys held. */
    public int size() {
        return size;
    }

    /** The key at dense index {@code i}, {@code 0 <= i < size()}. */
    public int keyAt(int i) {
        return keys[i];
    }

    /** The value at dense index {@code i}, {@code 0 <= i < size()}. */
    public float valueAt(int i) {
        return values[i];
    }

    /**
     * The backing value array, valid in {@code [0, size())} until the next insert; for whole-map passes.
     * Owned by this map: callers may rewrite values in place but must not keep the reference.
     */
    float[] values() {
        return values;
    }

    /** Adds {@code delta} to {@code key}'s value (absent keys start at 0) and returns the new value. */
    public float add(int key, float delta) {
        assert key >= 0 : "key=" + key;
        if (!indexed) {
            index();
        }
        int i = slotOf(key);
        long s = slots[i];
        if (s != 0) {
            int idx = (int) s - 1;
            return values[idx] += delta;
        }
        return insert(i, key, delta);
    }

    /** The value held for {@code key}, or 0 when absent. */
    public float get(int key) {
        if (!indexed) {
            index();
        }
        long s = slots[slotOf(key)];
        return s == 0 ? 0f : values[(int) s - 1];
    }

    /** Whether {@code key} is held. */
    public boolean containsKey(int key) {
        if (!indexed) {
            index();
        }
        return slots[slotOf(key)] != 0;
    }

    /**
     * Adds 1 to the value of each key in {@code sorted[0..n)}, which must be in ascending order (repeats
     * allowed, each one a visit): one value per run of equal keys. Into an empty map this writes the dense
     * arrays directly, in key order, and leaves the slot index to the first lookup; otherwise it adds run by run.
     */
    public void addSortedKeys(int[] sorted, int n) {
        if (size > 0) {
            for (int i = 0; i < n; ) {
                int j = i + 1;
                while (j < n && sorted[j] == sorted[i]) {
                    j++;
                }
                add(sorted[i], j - i);
                i = j;
            }
            return;
        }
        if (keys.length < n) {
            int grown = Math.max(n, keys.length * 2);
            keys = new int[grown];
            values = new float[grown];
        }
        int m = 0;
        for (int i = 0; i < n; ) {
            int key = sorted[i];
            assert key >= 0 && (i == 0 || key > sorted[i - 1]) : "keys must ascend: " + key;
            int j = i + 1;
            while (j < n && sorted[j] == key) {
                j++;
            }
            keys[m] = key;
            values[m] = j - i;
            m++;
            i = j;
        }
        size = m;
        indexed = false; // the slots are all empty (the map was), so index() can fill them in place
    }

    /** Builds the slot index of the dense entries, growing the slots first if they would be over half full. */
    private void index() {
        indexed = true;
        int capacity = slots.length;
        while (size > capacity * MAX_LOAD) {
            capacity *= 2;
        }
        if (capacity != slots.length) {
            rehash(capacity);
            return;
        }
        for (int idx = 0; idx < size; idx++) {
            slots[slotOf(keys[idx])] = ((long) keys[idx] << 32) | (idx + 1);
        }
    }

    /** Removes every key in O(size()). */
    public void clear() {
        if (!indexed) {
            indexed = true; // nothing was ever put in the slots
        } else if (size > (slots.length >> 3)) {
            Arrays.fill(slots, 0L);
        } else {
            // Newest first: a key's probe chain holds only keys inserted (or rehashed) before it, so each one is
            // still intact when its key is looked up.
            for (int i = size - 1; i >= 0; i--) {
                slots[slotOf(keys[i])] = 0L;
            }
        }
        size = 0;
    }

    /** Index of the slot holding {@code key}, or of the empty slot where it would go. */
    private int slotOf(int key) {
        // Fibonacci hashing: the top bits of a 64-bit multiply spread nearby ids (a hub's neighbours often have
        // close ids) over the table better than the low bits of a 32-bit one, so probes stay short.
        int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        while (true) {
            long s = slots[i];
            if (s == 0 || (int) (s >>> 32) == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    private float insert(int slot, int key, float value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        slots[slot] = ((long) key << 32) | size;
        if (size > slots.length * MAX_LOAD) {
            rehash(slots.length * 2);
        }
        return value;
    }

    private void rehash(int capacity) {
        slots = new long[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (int idx = 0; idx < size; idx++) {
            slots[slotOf(keys[idx])] = ((long) keys[idx] << 32) | (idx + 1);
        }
    }
}
