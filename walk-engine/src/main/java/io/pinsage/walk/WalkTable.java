package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A walk-oriented copy of a graph's adjacency in which every edge slot holds what the next hop needs, so that a
 * uniform walk hop is one dependent random read instead of two.
 *
 * <p>In CSR a hop from {@code u} reads u's offsets (first edge and degree), draws an edge, then reads the
 * neighbour id at that edge: two dependent cache misses. Here slot {@code e} of side S holds the neighbour v's
 * <em>state</em>, {@code firstEdge(S̄, v) << 32 | degree(S̄, v)}: a walker carries the state of the node it is
 * on, draws an edge inside that range and reads the slot, which is the next node's state. The walker never needs
 * v's id during a walk because the state names v too: v's <em>key</em>, its first edge position
 * ({@link #key(long)}), is unique among nodes with edges and increases with the id, so visits can be counted by
 * key, ordered and tie-broken as by id, and only the few nodes reported need {@link #node(Side, int)} to turn a
 * key back into an id.
 *
 * <p>Cost: 8 bytes per edge and direction, 16 bytes per edge in all, on the heap, next to the graph it was built
 * from (which it keeps for key-to-id lookups); CSR itself takes 8 bytes per edge plus the offsets. Building reads
 * every edge once with a random read of the opposite side's offsets, in parallel over the common fork-join pool
 * (seconds per hundred million edges). Each side must fit one Java array, fewer than 2<sup>31</sup> − 8 edges.
 * Uniform walks only: the table has no edge weights.
 *
 * <p>Immutable once built and safe to read from any number of threads. The graph must not change afterwards.
 */
public final class WalkTable {

    /** Edges a side may hold: the largest Java array. */
    public static final long MAX_EDGES = Integer.MAX_VALUE - 8;

    private static final long LOW = 0xFFFF_FFFFL;
    private static final int CHUNK = 1 << 20;

    private final BipartiteGraph graph;
    private final long[][] slots = new long[2][];

    private WalkTable(BipartiteGraph graph) {
        this.graph = graph;
        for (Side side : Side.values()) {
            slots[side.ordinal()] = fill(graph, side);
        }
    }

    /**
     * Builds the table of {@code graph}.
     *
     * @throws IllegalArgumentException if the graph has more than {@link #MAX_EDGES} edges
     */
    public static WalkTable of(BipartiteGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (graph.edgeCount() > MAX_EDGES) {
            throw new IllegalArgumentException("edges=" + graph.edgeCount() + ": a walk table holds each side in one "
                    + "Java array, at most " + MAX_EDGES + " edges");
        }
        return new WalkTable(graph);
    }

    /**
     * Whether a table of {@code graph} can be built (at most {@link #MAX_EDGES} edges) and its 16 bytes per edge
     * take at most a quarter of the heap still free: the policy of the commands that build one on their own.
     */
    public static boolean fitsHeap(BipartiteGraph graph) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return graph.edgeCount() <= MAX_EDGES && 16L * graph.edgeCount() <= free / 4;
    }

    private static long[] fill(BipartiteGraph graph, Side side) {
        Side other = side.opposite();
        long[] table = new long[(int) graph.edgeCount()];
        int chunks = (table.length + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            for (int e = c * CHUNK, end = Math.min(table.length, e + CHUNK); e < end; e++) {
                int v = graph.neighborAt(side, e);
                table[e] = pack(graph.firstEdge(other, v), graph.degree(other, v));
            }
        });
        return table;
    }

    private static long pack(long firstEdge, int degree) {
        return firstEdge << 32 | degree;
    }

    /** The graph this table was built from. */
    public BipartiteGraph graph() {
        return graph;
    }

    /** The state of {@code node} on {@code side}: its first edge and degree. O(1), one read of the graph. */
    public long state(Side side, int node) {
        return pack(graph.firstEdge(side, node), graph.degree(side, node));
    }

    /** The key of the node whose state this is: its first edge position. */
    public static int key(long state) {
        return (int) (state >>> 32);
    }

    /** The degree of the node whose state this is. */
    public static int degree(long state) {
        return (int) (state & LOW);
    }

    /** The key of {@code node} on {@code side}; increasing in the id among nodes with edges. O(1). */
    public int key(Side side, int node) {
        return (int) graph.firstEdge(side, node);
    }

    /**
     * The node on {@code side} that has edges and whose key is {@code key}, for turning the few reported keys back
     * into ids. Keys grow with ids by about the mean degree per node, so an interpolation search finds most in a
     * handful of reads of the graph's offsets where a binary search over tens of millions of nodes takes over
     * twenty, most of them cache misses; a step that fails to halve the range is followed by a bisection, which
     * bounds the worst case at twice the binary search's O(log nodes).
     *
     * @throws IllegalArgumentException if no node with edges has this key
     */
    public int node(Side side, int key) {
        // Invariant: the answer u, with firstEdge(u) <= key < firstEdge(u) + degree(u), lies in [lo, hi], and
        // below is firstEdge(lo) or less, above is firstEdge(hi) + degree(hi) or more.
        int lo = 0;
        int hi = graph.nodeCount(side) - 1;
        long below = 0;
        long above = graph.edgeCount();
        boolean bisect = false;
        while (lo <= hi && key >= below && key < above) {
            int mid;
            if (bisect || above <= below) {
                mid = (lo + hi) >>> 1;
            } else {
                mid = lo + (int) ((key - below) * (hi - lo + 1L) / (above - below));
                mid = Math.min(hi, Math.max(lo, mid));
            }
            long first = graph.firstEdge(side, mid);
            long end = first + graph.degree(side, mid);
            int width = hi - lo;
            if (first > key) {
                hi = mid - 1;
                above = first;
            } else if (end <= key) {
                lo = mid + 1;
                below = end;
            } else {
                if (first != key) {
                    break;
                }
                return mid;
            }
            bisect = !bisect && hi - lo > width / 2;
        }
        throw new IllegalArgumentException("key=" + key + ": no node on " + side + " with edges starts there");
    }

    /** Side {@code side}'s slots, indexed by edge position: the state of the neighbour at that edge. */
    long[] slots(Side side) {
        return slots[side.ordinal()];
    }

    /** Bytes held by the table's slots (not counting the graph). */
    public long bytes() {
        return 16L * graph.edgeCount();
    }
}
