package io.pinsage.csr.prune;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;

import java.io.IOException;

/**
 * The outcome of {@link GraphPruner#plan}: which edges of a graph survive (one bit per edge, by left edge position)
 * and what was removed. It reads the graph it was planned on, which must stay open while the plan is used. Node ids
 * and counts are those of the input graph.
 *
 * <p>Immutable; any number of threads may read it. Cost: {@link #keeps} O(1); the writers one pass over the edges.
 */
public final class PrunePlan {

    private final BipartiteGraph graph;
    private final long[] keep;
    private final PruneStats stats;

    PrunePlan(BipartiteGraph graph, long[] keep, PruneStats stats) {
        this.graph = graph;
        this.keep = keep;
        this.stats = stats;
    }

    public PruneStats stats() {
        return stats;
    }

    /** Whether the edge at position {@code leftEdge} of the input's left side survives. */
    public boolean keeps(long leftEdge) {
        return (keep[(int) (leftEdge >>> 6)] & (1L << leftEdge)) != 0;
    }

    /**
     * Streams the surviving edges, pin by pin, into a builder's sink (with their weights when the graph has them; the
     * builder must then be a weighted one).
     */
    public void writeTo(CsrBuilder.Sink sink) throws IOException {
        boolean weighted = graph.hasWeights();
        for (int p = 0, pins = graph.nodeCount(Side.LEFT); p < pins; p++) {
            long first = graph.firstEdge(Side.LEFT, p);
            for (long e = first, end = first + graph.degree(Side.LEFT, p); e < end; e++) {
                if (keeps(e)) {
                    if (weighted) {
                        sink.add(p, graph.neighborAt(Side.LEFT, e), graph.weightAt(Side.LEFT, e));
                    } else {
                        sink.add(p, graph.neighborAt(Side.LEFT, e));
                    }
                }
            }
        }
    }

    /**
     * The pruned graph on the heap.
     *
     * @throws IllegalArgumentException if it has 2<sup>31</sup> edges or more
     */
    public HeapBipartiteGraph toHeapGraph() {
        long kept = stats.edgesKept();
        if (kept >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("edgesKept=" + kept + ": a heap graph holds fewer than 2^31 edges");
        }
        int[] left = new int[(int) kept];
        int[] right = new int[(int) kept];
        float[] weight = graph.hasWeights() ? new float[(int) kept] : null;
        int n = 0;
        for (int p = 0, pins = graph.nodeCount(Side.LEFT); p < pins; p++) {
            long first = graph.firstEdge(Side.LEFT, p);
            for (long e = first, end = first + graph.degree(Side.LEFT, p); e < end; e++) {
                if (keeps(e)) {
                    left[n] = p;
                    right[n] = graph.neighborAt(Side.LEFT, e);
                    if (weight != null) {
                        weight[n] = graph.weightAt(Side.LEFT, e);
                    }
                    n++;
                }
            }
        }
        return HeapBipartiteGraph.of(graph.nodeCount(Side.LEFT), graph.nodeCount(Side.RIGHT), left, right, weight);
    }
}
