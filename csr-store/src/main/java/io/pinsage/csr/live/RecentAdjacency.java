package io.pinsage.csr.live;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The recent edges of one side's nodes: for every node with recent edges, its neighbours, weights and the edges'
 * positions in arrival order (ascending). An open-addressing table (load at most 1/2) holds per node, in one
 * 16-byte slot, its key, its count and where its list lies in a shared arena, so that a reader's probe lands on
 * everything it needs but the edges, and an edge costs the probe's line and its list's line. Base nodes also have a
 * bit each (off-heap, 1/64 of the offsets' size) that says whether they have recent edges, so that a walk through a
 * base node without any reads one bit rather than probing the table.
 *
 * <p>The arena is a sequence of entries of {@link #ENTRY} ints (log position, neighbour, weight's bits), addressed by
 * a long index and stored in pages of {@value #PAGE} entries; a list is a range of it, {@value #MIN_CAPACITY} entries
 * at first, copied to a new range twice as long when full (or extended in place when it is the arena's last). Old
 * ranges are not reused (a reader may still be reading one), so a list of {@code n} entries holds fewer than
 * {@code 4 n} of the arena's (its range and the ones it left) until the generation is replaced: at most 48 bytes per
 * recent edge, and the live graph's limit on recent edges bounds them.
 *
 * <p>Threading: one writer ({@link #append}); readers probe without locks. An edge's entry is written before the
 * slot that counts it, a list's new range (its copy and new entry) before the slot's location, the location before
 * the count (release stores, read with acquire), the count before the bit, and all of them before the graph's
 * published edge count, so a reader that acquired that count sees them. A reader that reads a count and then the
 * location finds every entry below that count at that location: a later location is a copy holding at least as
 * many. The table and the page array are replaced whole when they grow, the old ones no longer written, so a reader
 * holding one still finds everything it held.
 */
final class RecentAdjacency {

    /**
     * Ints per arena entry: log position, neighbour, weight's bits, side by side so that a view's cut-off test and the
     * neighbour it then reads share a cache line.
     */
    static final int ENTRY = 3;
    /** Entries per arena page. */
    static final int PAGE = 1 << 14;
    private static final int PAGE_SHIFT = 14;
    static final int MIN_CAPACITY = 2;
    /**
     * Slot word 0: {@code (node + 1) << 32 | count} (0 marks an empty slot); word 1: {@code lastPosition << 33 | list},
     * the log position of the node's last edge (so that a reader whose view shows it knows its degree without reading
     * the list) and the list's first entry in the arena (below {@code 2^33}: fewer than 4 entries per recent edge, at
     * most {@link Integer#MAX_VALUE} of them).
     */
    private static final int LIST_BITS = 33;
    private static final long LIST_MASK = (1L << LIST_BITS) - 1;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int baseCount;
    private final MemorySegment hasRecent;
    private volatile long[] table = new long[2 * 64];
    private volatile int[][] pages = new int[0][];
    /** Arena entries handed out to lists (writer only). */
    private long allocated;
    /** Pages allocated, the first ones of {@link #pages} (writer only). */
    private int pageCount;
    private int size;

    RecentAdjacency(int baseCount) {
        this.baseCount = baseCount;
        // Freed by the collector once no view refers to it: a reader can never outlive its memory.
        hasRecent = Arena.ofAuto().allocate(Math.max(8, ((baseCount + 63L) >>> 6) * 8), 8);
    }

    /** Whether base node {@code node} may have recent edges. O(1): one bit. */
    boolean baseHasRecent(int node) {
        return (hasRecent.getAtIndex(ValueLayout.JAVA_LONG, node >>> 6) & (1L << node)) != 0;
    }

    /** The index of {@code node}'s slot's first word in {@code t}, or -1 if it has none. O(1) expected. */
    private static int slot(long[] t, int node) {
        int mask = (t.length >>> 1) - 1;
        long key = node + 1L;
        for (int s = mix(node) & mask; ; s = (s + 1) & mask) {
            long w = (long) WORDS.getAcquire(t, 2 * s);
            if (w >>> 32 == key) {
                return 2 * s;
            }
            if (w == 0) {
                return -1;
            }
        }
    }

    /**
     * The number of {@code node}'s recent edges at positions below {@code visible} (0 if it has none). O(1)
     * expected: the positions are ascending, so only entries written after the view was taken are skipped.
     */
    int degree(int node, long visible) {
        long[] t = table;
        int s = slot(t, node);
        if (s < 0) {
            return 0;
        }
        int d = (int) (long) WORDS.getAcquire(t, s);
        long word = (long) WORDS.getAcquire(t, s + 1);
        if (word >>> LIST_BITS < visible) {
            return d; // the last edge is shown, so all are: no read of the list
        }
        long list = word & LIST_MASK;
        int[][] p = pages;
        while (d > 0 && entry(p, list + d - 1, 0) >= visible) {
            d--;
        }
        return d;
    }

    /**
     * Where {@code node}'s list lies (for {@link #neighbor} and {@link #weight}), or -1 if it has none; valid for
     * every entry the reader's view counts, for as long as the reader holds the generation.
     */
    long list(int node) {
        long[] t = table;
        int s = slot(t, node);
        return s < 0 ? -1 : (long) WORDS.getAcquire(t, s + 1) & LIST_MASK;
    }

    /** The neighbour of entry {@code i} of the list at {@code list}. */
    int neighbor(long list, int i) {
        return entry(pages, list + i, 1);
    }

    /** The weight of entry {@code i} of the list at {@code list}. */
    float weight(long list, int i) {
        return Float.intBitsToFloat(entry(pages, list + i, 2));
    }

    private static int entry(int[][] pages, long entry, int field) {
        return pages[(int) (entry >>> PAGE_SHIFT)][(int) (entry & (PAGE - 1)) * ENTRY + field];
    }

    /** Writer only: adds the edge at log {@code position} to {@code node}'s list. Returns the node's new recent degree. */
    int append(int node, int position, int neighbor, float weight) {
        long[] t = table;
        int s = slot(t, node);
        if (s < 0) {
            s = insert(node);
            t = table;
        }
        long word = t[s];
        int n = (int) word;
        long list = t[s + 1] & LIST_MASK;
        if (n >= MIN_CAPACITY && (n & (n - 1)) == 0) { // full: capacities are powers of two
            if (list + n == allocated) {
                allocate(n); // the arena's last range grows in place
            } else {
                long old = list;
                list = allocate(2L * n);
                copy(old, list, n);
            }
        }
        int[] page = pages[(int) ((list + n) >>> PAGE_SHIFT)];
        int at = (int) ((list + n) & (PAGE - 1)) * ENTRY;
        page[at] = position;
        page[at + 1] = neighbor;
        page[at + 2] = Float.floatToRawIntBits(weight);
        // before the count: a reader that sees the count finds the entries at the list it reads after it
        WORDS.setRelease(t, s + 1, (long) position << LIST_BITS | list);
        WORDS.setRelease(t, s, word + 1); // after the entry: a reader that sees the count sees the entry
        if (node < baseCount) {
            long offset = (long) (node >>> 6) * 8;
            hasRecent.set(ValueLayout.JAVA_LONG, offset, hasRecent.get(ValueLayout.JAVA_LONG, offset) | (1L << node));
        }
        return n + 1;
    }

    /** Gives {@code node} a slot with an empty list of {@link #MIN_CAPACITY} entries; returns the slot's index. */
    private int insert(int node) {
        long[] t = table;
        if (2 * (size + 1) > t.length >>> 1) {
            t = grown(t);
            table = t; // published whole: readers switch to it at their next probe
        }
        size++;
        return put(t, (long) (node + 1L) << 32, allocate(MIN_CAPACITY));
    }

    private static long[] grown(long[] old) {
        long[] t = new long[old.length * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                put(t, old[i], old[i + 1]);
            }
        }
        return t;
    }

    private static int put(long[] t, long word, long list) {
        int mask = (t.length >>> 1) - 1;
        int s = mix((int) ((word >>> 32) - 1)) & mask;
        while (t[2 * s] != 0) {
            s = (s + 1) & mask;
        }
        t[2 * s + 1] = list;
        WORDS.setRelease(t, 2 * s, word); // after the location: a reader that finds the key finds the list
        return 2 * s;
    }

    /** Hands out {@code entries} arena entries, adding pages (published before any slot points into them). */
    private long allocate(long entries) {
        long start = allocated;
        allocated += entries;
        int needed = (int) ((allocated + PAGE - 1) >>> PAGE_SHIFT);
        if (needed > pageCount) {
            int[][] p = pages;
            if (needed > p.length) {
                p = Arrays.copyOf(p, Math.max(needed, 2 * p.length));
            }
            for (int i = pageCount; i < needed; i++) {
                p[i] = new int[PAGE * ENTRY];
            }
            pageCount = needed;
            pages = p;
        }
        return start;
    }

    /** Copies {@code n} entries of the arena from {@code from} to {@code to}, page piece by page piece. */
    private void copy(long from, long to, int n) {
        int[][] p = pages;
        int done = 0;
        while (done < n) {
            long a = from + done;
            long b = to + done;
            int ia = (int) (a & (PAGE - 1));
            int ib = (int) (b & (PAGE - 1));
            int len = Math.min(n - done, PAGE - Math.max(ia, ib));
            System.arraycopy(p[(int) (a >>> PAGE_SHIFT)], ia * ENTRY,
                    p[(int) (b >>> PAGE_SHIFT)], ib * ENTRY, len * ENTRY);
            done += len;
        }
    }

    /** Nodes with recent edges. Writer only. */
    int nodes() {
        return size;
    }

    /** Arena entries handed out to lists, filled or not, left behind by a move or not. Writer only. */
    long arenaEntries() {
        return allocated;
    }

    private static int mix(int node) {
        return (node * 0x9E3779B9) ^ (node * 0x9E3779B9 >>> 16);
    }
}
