package io.pinsage.walk;


import java.util.stream.IntStream;

/**
 * The machine's random-read rate: K independent pointer-chasing chains over memory that forms random cycles
 * (Sattolo's shuffle), so every read is a dependent, unpredictable load and K chains expose K loads at once. This
 * is the physical limit a walk step is measured against: a CSR walk step is one or two such reads, a walk-table
 * step one.
 *
 * <p>Entries are 4 bytes, as a walk table's slots and CSR's neighbour ids are. Memory beyond one Java array is cut into equal parts, each
 * its own cycle, and the chains are spread over the parts in contiguous blocks, so the inner loop is the same
 * four instructions per chain at any size.
 *
 * <p>Not thread-safe (it keeps the chains' positions). Building costs O(size) random writes (seconds per GiB),
 * parts in parallel; {@link #run} allocates nothing unless the chain count changes.
 */
public final class RandomReadProbe {

    /** Entries per part: the largest Java array. */
    static final int MAX_PART = Integer.MAX_VALUE - 8;

    private final int[][] parts;
    private int[] pos = new int[0];

    /** A probe over about {@code bytes} bytes (rounded down to whole entries, at least two per part), seeded. */
    public RandomReadProbe(long bytes, long seed) {
        this(bytes, seed, MAX_PART);
    }

    /** As above with parts of at most {@code maxPart} entries (tests cut small probes into parts). */
    RandomReadProbe(long bytes, long seed, int maxPart) {
        long entries = bytes / Integer.BYTES;
        if (entries < 2) {
            throw new IllegalArgumentException("bytes=" + bytes + ": must hold at least two 4-byte entries");
        }
        int count = (int) ((entries + maxPart - 1) / maxPart);
        int size = (int) (entries / count);
        parts = new int[count][];
        IntStream.range(0, count).parallel().forEach(j -> parts[j] = cycle(size, seed + j));
    }

    /**
     * The single chain has a loop of its own: had it shared {@link #chase}, the one-chain profile the JIT saw first
     * would leave that loop compiled for a trip count of one and halve the many-chain rate measured after it.
     */
    private void chaseOne(long steps) {
        int[] n = parts[0];
        int p = pos[0];
        for (long s = 0; s < steps; s++) {
            p = n[p];
        }
        pos[0] = p;
    }

    private void chase(int chains, long steps) {
        int[] p = pos;
        int count = parts.length;
        for (long s = 0; s < steps; s++) {
            for (int j = 0; j < count; j++) {
                int[] n = parts[j];
                for (int k = j * chains / count, end = (j + 1) * chains / count; k < end; k++) {
                    p[k] = n[p[k]];
                }
            }
        }
    }

    private static int[] cycle(int size, long seed) {
        int[] next = new int[size];
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
        return next;
    }

    /** Where chain {@code k} reads next, within its part (for tests). */
    int position(int k) {
        return pos[k];
    }

    /** Bytes probed. */
    public long bytes() {
        return (long) Integer.BYTES * parts.length * parts[0].length;
    }

    /**
     * Advances {@code chains} chains by {@code steps} reads each. The chains continue where the previous call
     * with the same chain count left them, so repeated calls keep reading new, uncached entries.
     *
     * @return a value depending on every read (so the reads cannot be optimised away)
     */
    public long run(int chains, long steps) {
        if (chains < 1) {
            throw new IllegalArgumentException("chains=" + chains + ": must be >= 1");
        }
        int size = parts[0].length;
        if (pos.length != chains) {
            pos = new int[chains];
            for (int k = 0; k < chains; k++) {
                pos[k] = (int) ((long) k * size / chains);
            }
        }
        if (chains == 1) {
            chaseOne(steps);
        } else {
            chase(chains, steps);
        }
        long sum = 0;
        for (int x : pos) {
            sum += x;
        }
        return sum;
    }
}
