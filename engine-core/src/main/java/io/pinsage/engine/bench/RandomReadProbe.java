package io.pinsage.engine.bench;

import io.pinsage.walk.WalkRandom;

/**
 * The machine's random-read rate: K independent pointer-chasing chains over one int array that forms a single
 * random cycle (Sattolo's shuffle), so every read is a dependent, unpredictable load and K chains expose K
 * loads at once. This is the physical limit a walk step is measured against: a CSR walk step is one or two such
 * reads.
 *
 * <p>Not thread-safe (it keeps the chains' positions). Building costs O(size) random writes (seconds for
 * hundreds of millions of entries); {@link #run} allocates nothing unless the chain count changes.
 */
public final class RandomReadProbe {

    private final int[] next;
    private int[] pos = new int[0];

    /** A probe over {@code size} ints (4·size bytes), seeded. */
    public RandomReadProbe(int size, long seed) {
        if (size < 2) {
            throw new IllegalArgumentException("size=" + size + ": must be >= 2");
        }
        next = new int[size];
        for (int i = 0; i < size; i++) {
            next[i] = i;
        }
        WalkRandom rnd = new WalkRandom(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = rnd.nextInt(i);
            int t = next[i];
            next[i] = next[j];
            next[j] = t;
        }
    }

    /** Bytes probed. */
    public long bytes() {
        return 4L * next.length;
    }

    /**
     * Advances {@code chains} chains by {@code steps} reads each. The chains continue where the previous call
     * with the same chain count left them, so repeated calls keep reading new, uncached entries.
     *
     * @return a value depending on every read (so the reads cannot be optimised away)
     */
    public long run(int chains, long steps) {
        if (pos.length != chains) {
            pos = new int[chains];
            for (int k = 0; k < chains; k++) {
                pos[k] = (int) ((long) k * next.length / chains);
            }
        }
        int[] p = pos;
        int[] n = next;
        for (long s = 0; s < steps; s++) {
            for (int k = 0; k < chains; k++) {
                p[k] = n[p[k]];
            }
        }
        long sum = 0;
        for (int x : p) {
            sum += x;
        }
        return sum;
    }
}
