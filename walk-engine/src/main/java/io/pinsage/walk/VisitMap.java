package io.pinsage.walk;

import java.util.Arrays;

/**
 * A compact open-addressing map from node id to a float score (visit count, boosted score or weight), sized to
 * the nodes actually touched, never to the graph.
 *
 * <p>Entries live in two dense arrays ({@link #keyAt(int)}, {@link #valueAt(int)}, indices
 * {@code [0, size())} in insertion order) so that whole-map passes (boosting, normalisation, top-K selection)
 * run over contiguous memory and can use SIMD. A power-of-two table of {@code long} slots, each holding
 * {@code key << 32 | (index + 1)} (0 = empty), finds a key with linear probing in one cache line most of the
 * time. Counts held as floats are exact up to 2<sup>24</sup> per key.
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
        long s = slots[slotOf(key)];
        return s == 0 ? 0f : values[(int) s - 1];
    }

    /** Whether {@code key} is held. */
    public boolean containsKey(int key) {
        return slots[slotOf(key)] != 0;
    }

    /** Removes every key in O(size()). */
    public void clear() {
        if (size > (slots.length >> 3)) {
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
