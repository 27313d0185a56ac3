package io.pinsage.csr;

/**
 * Read-only view of a bipartite graph in compressed sparse row form, in both directions.
 *
 * <p>Every node {@code u} on side {@code s} owns the contiguous edge range
 * {@code [firstEdge(s, u), firstEdge(s, u) + degree(s, u))} of that side's adjacency; the neighbour at edge
 * position {@code e} is {@code neighborAt(s, e)} and lives on {@code s.opposite()}. Edge positions are
 * {@code long} so that a side may hold more than 2<sup>31</sup> edges.
 *
 * <p>Algorithms see only this interface, never a file layout. Every accessor is O(1) except
 * {@link #copyNeighbors} (O(degree)), allocates nothing and is safe to call from any number of threads at once:
 * implementations are immutable once published. Ids get no checks of their own on this hot path: callers pass
 * ids in {@code [0, nodeCount(side))} and edge positions in {@code [0, edgeCount())}; one outside is caught
 * only by the underlying array's or memory segment's own check ({@link IndexOutOfBoundsException}), if any.
 * An algorithm that meets such an exception while following ids the graph returned turns it into the graph's
 * own account of the damage ({@link #explain}, {@link #corruptNeighbor}).
 */
public interface BipartiteGraph {

    /** Number of nodes on {@code side}. O(1). */
    int nodeCount(Side side);

    /** Number of edges; each edge appears once in each direction. O(1). */
    long edgeCount();

    /** Number of neighbours of {@code node} on {@code side}. O(1). */
    int degree(Side side, int node);

    /** Position of {@code node}'s first edge in {@code side}'s adjacency. O(1). */
    long firstEdge(Side side, int node);

    /** Neighbour id (on {@code side.opposite()}) stored at edge position {@code edge} of {@code side}. O(1). */
    int neighborAt(Side side, long edge);

    /** The {@code i}-th neighbour of {@code node}, {@code 0 <= i < degree(side, node)}. O(1). */
    default int neighbor(Side side, int node, int i) {
        return neighborAt(side, firstEdge(side, node) + i);
    }

    /** Whether the graph carries edge weights; without them every weight reads as 1. O(1). */
    boolean hasWeights();

    /** Weight of the edge at position {@code edge} of {@code side}; 1 when {@link #hasWeights()} is false. O(1). */
    float weightAt(Side side, long edge);

    /** Largest degree on {@code side}. O(1). */
    int maxDegree(Side side);

    /**
     * Copies the neighbours of {@code node} into {@code dst} starting at {@code offset}.
     * O(degree); allocates nothing.
     *
     * @return the number of ids copied, which is {@code degree(side, node)}
     * @throws IndexOutOfBoundsException if {@code dst} has no room for them
     */
    default int copyNeighbors(Side side, int node, int[] dst, int offset) {
        int d = degree(side, node);
        java.util.Objects.checkFromIndexSize(offset, d, dst.length);
        long first = firstEdge(side, node);
        for (int i = 0; i < d; i++) {
            dst[offset + i] = neighborAt(side, first + i);
        }
        return d;
    }

    /**
     * The exception for a reader that met an impossible neighbour: the id stored at {@code edge} of {@code side}
     * ({@code problem} says what is wrong with it, for example that it lies outside the opposite side). A graph
     * kept in files returns an {@link java.io.UncheckedIOException} whose cause is a
     * {@link io.pinsage.csr.format.CorruptStoreException} naming the file that holds the edge; the default, for
     * graphs built in memory, an {@link IllegalStateException}. O(1); the caller throws what it returns.
     */
    default RuntimeException corruptNeighbor(Side side, long edge, String problem) {
        return new IllegalStateException("neighbour id " + neighborAt(side, edge) + " at edge " + edge + " of side "
                + side + " " + problem);
    }

    /**
     * Explains an {@link IndexOutOfBoundsException} thrown while following ids this graph returned: looks for the
     * first neighbour id outside the opposite side and returns {@link #corruptNeighbor} for it, or {@code failure}
     * itself when every id is in range (then the caller passed a bad id: a bug). Algorithms catch the exception
     * around a whole walk or pass, never per read (a handler costs nothing until it runs), and throw what this
     * returns. Cost: may read every neighbour id; call it only after a failure.
     */
    default RuntimeException explain(IndexOutOfBoundsException failure) {
        for (Side side : Side.values()) {
            int bound = nodeCount(side.opposite());
            for (long e = 0, m = edgeCount(); e < m; e++) {
                int v = neighborAt(side, e);
                if (v < 0 || v >= bound) {
                    RuntimeException damage = corruptNeighbor(side, e, "lies outside [0, " + bound + ")");
                    damage.addSuppressed(failure);
                    return damage;
                }
            }
        }
        return failure;
    }
}
