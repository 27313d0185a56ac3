package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.IndexBuffer;

/**
 * A CSR neighbourhood turned around: for each source row, the edges that name it (their targets and edge numbers),
 * in target order. {@link CpuBackend#aggregateBackward} gathers each source's gradient from its targets' rows once,
 * instead of scattering every edge into a random source row (half the random traffic, and source rows split between
 * threads without conflict). It depends only on the index buffers, not on the weights, so it is built once per
 * minibatch ({@link CpuBackend#prepareNeighborhood}, or the first backward pass) and reused by every later backward
 * pass over the same buffers until one of them is written again.
 *
 * <p>Immutable once built; read by the backend's worker threads. Cost: O(edges + sources) to build, single-threaded,
 * {@code 8·edges + 4·sources} bytes, bounded by a minibatch's size.
 */
final class ReversedNeighborhood {

    /** The buffers it was built from: identity of the arrays and windows, so any other buffer misses. */
    private final int[] offsetsData;
    private final int offsetsOffset;
    private final int[] neighboursData;
    private final int neighboursOffset;
    private final int edgeCount;
    /** Targets of the forward pass: {@code offsets.length() - 1}. */
    final int targets;
    /** One more than the largest source row named; rows from here on have no edges. */
    final int sources;
    /** Source {@code v}'s edges are slots {@code [start[v], start[v + 1])}. */
    final int[] start;
    /** Per slot, the target the edge belongs to. */
    final int[] target;
    /** Per slot, the edge's position in the forward neighbour list (where its weight is). */
    final int[] edge;

    private ReversedNeighborhood(CpuIndexBuffer offsets, CpuIndexBuffer neighbours, int sources, int[] start,
                                  int[] target, int[] edge) {
        this.offsetsData = offsets.data;
        this.offsetsOffset = offsets.offset;
        this.neighboursData = neighbours.data;
        this.neighboursOffset = neighbours.offset;
        this.edgeCount = neighbours.length();
        this.targets = offsets.length() - 1;
        this.sources = sources;
        this.start = start;
        this.target = target;
        this.edge = edge;
    }

    /**
     * Counting sort of the edges by source.
     *
     * @throws IndexOutOfBoundsException if an offset leaves {@code [0, edges]} or decreases, or a neighbour is negative
     */
    static ReversedNeighborhood build(CpuIndexBuffer offsets, CpuIndexBuffer neighbours) {
        int[] off = offsets.data;
        int ob = offsets.offset;
        int[] nb = neighbours.data;
        int nbb = neighbours.offset;
        int edges = neighbours.length();
        int targets = offsets.length() - 1;
        for (int u = 0; u <= targets; u++) {
            int o = off[ob + u];
            if (o < 0 || o > edges || (u > 0 && o < off[ob + u - 1])) {
                throw new IndexOutOfBoundsException("offsets " + IndexBuffer.describe(offsets) + " holds " + o + " at " + u
                        + ": offsets must be non-decreasing within [0, " + edges + "]");
            }
        }
        int sources = 0;
        for (int e = 0; e < edges; e++) {
            int v = nb[nbb + e];
            if (v < 0) {
                throw new IndexOutOfBoundsException("neighbours " + IndexBuffer.describe(neighbours) + " holds " + v
                        + " at " + e);
            }
            sources = Math.max(sources, v + 1);
        }
        int[] start = new int[sources + 1];
        for (int e = 0; e < edges; e++) {
            start[nb[nbb + e] + 1]++;
        }
        for (int v = 0; v < sources; v++) {
            start[v + 1] += start[v];
        }
        int[] target = new int[edges];
        int[] edge = new int[edges];
        int[] next = start.clone();
        for (int u = 0; u < targets; u++) {
            for (int e = off[ob + u]; e < off[ob + u + 1]; e++) {
                int at = next[nb[nbb + e]]++;
                target[at] = u;
                edge[at] = e;
            }
        }
        return new ReversedNeighborhood(offsets, neighbours, sources, start, target, edge);
    }

    /** Whether this was built from exactly these two buffers (same arrays, same windows). */
    boolean matches(CpuIndexBuffer offsets, CpuIndexBuffer neighbours) {
        return offsets.data == offsetsData && offsets.offset == offsetsOffset && offsets.length() - 1 == targets
                && neighbours.data == neighboursData && neighbours.offset == neighboursOffset
                && neighbours.length() == edgeCount;
    }

    /** Whether it was built from an array that {@code written} shares, so a write to it may have made it stale. */
    boolean reads(CpuIndexBuffer written) {
        return written.data == offsetsData || written.data == neighboursData;
    }
}
