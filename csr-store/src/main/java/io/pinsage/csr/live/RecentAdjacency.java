package io.pinsage.csr.live;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The recent edges of one side's nodes: for every node with recent edges, its neighbours, weights and the edges'
 * positions in arrival order (ascending), found through an open-addressing table sized to those nodes (load at most 1/2).
 * Base nodes also have a bit each (off-heap, 1/64 of the offsets' size) that says whether they have recent edges,
 * so that a walk through a base node without any reads one bit rather than probing the table.
 *
 * <p>Threading: one writer ({@link #append}); readers probe without locks. A node's list is written before its
 * count (volatile), the count before the bit, and all of them before the graph's published edge count, so a reader
 * that acquired that count sees them. The table, a node's array and the bits are only ever replaced or set, never
 * cleared, so a reader holding an older version still finds everything that version held.
 */
final class RecentAdjacency {

    /**
     * One node's recent edges: entries {@code [0, count)} of {@code data}, each {@link #ENTRY} ints (log position,
     * neighbour, weight's bits) side by side, so that a view's cut-off test and the neighbour it then reads share
     * cache lines; positions ascending. The array is replaced (copied, twice as long) when full, so a reader that
     * read the count and then the array finds every entry below that count.
     */
    static final class NodeEdges {
        volatile int[] data = new int[4 * ENTRY];
        volatile int count;

        int neighbor(int i) {
            return data[i * ENTRY + 1];
        }

        float weight(int i) {
            return Float.intBitsToFloat(data[i * ENTRY + 2]);
        }
    }

    /** Ints per entry of {@link NodeEdges#data}. */
    static final int ENTRY = 3;

    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(int[].class);

    /** Keys are {@code node + 1} (0 marks an empty slot); a value is written before its key. */
    private record Table(int[] keys, NodeEdges[] values) {
        Table(int slots) {
            this(new int[slots], new NodeEdges[slots]);
        }
    }

    private final int baseCount;
    private final MemorySegment hasRecent;
    private volatile Table table = new Table(64);
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

    /** The node's recent edges, or null if it has none yet. O(1) expected. */
    NodeEdges find(int node) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int slot = mix(node) & mask; ; slot = (slot + 1) & mask) {
            int key = (int) KEYS.getAcquire(t.keys, slot);
            if (key == node + 1) {
                return t.values[slot];
            }
            if (key == 0) {
                return null;
            }
        }
    }

    /**
     * The number of {@code e}'s recent edges at positions below {@code visible} (0 for null). O(1) expected (the
     * positions are ascending, so only entries written after the view was taken are skipped).
     */
    static int degree(NodeEdges e, long visible) {
        if (e == null) {
            return 0;
        }
        int d = e.count;
        int[] p = e.data;
        while (d > 0 && p[(d - 1) * ENTRY] >= visible) {
            d--;
        }
        return d;
    }

    /** Writer only: adds the edge at log {@code position} to {@code node}'s lists. Returns the node's new recent degree. */
    int append(int node, int position, int neighbor, float weight) {
        NodeEdges e = find(node);
        if (e == null) {
            e = insert(node);
        }
        int n = e.count;
        int[] d = e.data;
        if (n * ENTRY == d.length) {
            d = Arrays.copyOf(d, d.length * 2);
            e.data = d;
        }
        d[n * ENTRY] = position;
        d[n * ENTRY + 1] = neighbor;
        d[n * ENTRY + 2] = Float.floatToRawIntBits(weight);
        e.count = n + 1; // after the entry: a reader that sees the count sees the entry
        if (node < baseCount) {
            long offset = (long) (node >>> 6) * 8;
            hasRecent.set(ValueLayout.JAVA_LONG, offset, hasRecent.get(ValueLayout.JAVA_LONG, offset) | (1L << node));
        }
        return n + 1;
    }

    private NodeEdges insert(int node) {
        if (2 * (size + 1) > table.keys.length) {
            table = grown(table); // published whole: readers switch to it at their next probe
        }
        NodeEdges e = new NodeEdges();
        put(table, node, e);
        size++;
        return e;
    }

    private static Table grown(Table old) {
        Table t = new Table(old.keys.length * 2);
        for (int i = 0; i < old.keys.length; i++) {
            if (old.keys[i] != 0) {
                put(t, old.keys[i] - 1, old.values[i]);
            }
        }
        return t;
    }

    private static void put(Table t, int node, NodeEdges e) {
        int mask = t.keys.length - 1;
        int slot = mix(node) & mask;
        while (t.keys[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        t.values[slot] = e;
        KEYS.setRelease(t.keys, slot, node + 1); // after the value: a reader that finds the key finds the value
    }

    /** Nodes with recent edges. Writer only. */
    int nodes() {
        return size;
    }

    private static int mix(int node) {
        return (node * 0x9E3779B9) ^ (node * 0x9E3779B9 >>> 16);
    }
}
