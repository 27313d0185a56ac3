package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * Computes PinSage importance neighbourhoods one node at a time: walks with restarts from the node, the T most
 * visited nodes of the same side (itself excluded), weights = their visit counts normalised to sum 1.
 *
 * <p>Not thread-safe: one instance per thread (it owns a walker, a visit map and a selector); reuse it for many
 * nodes, it allocates nothing after the first. Deterministic: node u's neighbourhood depends only on the graph,
 * the configuration and u. Cost: {@code stepsPerNode} walk steps plus O(distinct nodes visited).
 * {@link NeighborhoodBuilder} runs many of these in parallel and writes a store.
 */
public final class ImportanceNeighborhoods {

    private final BipartiteGraph graph;
    private final NeighborhoodConfig config;
    private final RandomWalker walker;
    private final VisitMap visits = new VisitMap(1 << 12);
    private final TopSelector selector = new TopSelector();
    private int self;
    private final NodeFilter notSelf = node -> node != self;

    /** Uniform neighbour choice. */
    public ImportanceNeighborhoods(BipartiteGraph graph, NeighborhoodConfig config) {
        this(graph, config, UniformEdgeChooser.INSTANCE);
    }

    public ImportanceNeighborhoods(BipartiteGraph graph, NeighborhoodConfig config, EdgeChooser chooser) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.config = Objects.requireNonNull(config, "config");
        this.walker = new RandomWalker(graph, chooser, config.lanes());
    }

    public NeighborhoodConfig config() {
        return config;
    }

    /**
     * Writes node {@code node}'s neighbourhood into {@code ids[0..n)} and {@code weights[0..n)}, most visited
     * first, weights summing to 1 (up to float rounding).
     *
     * @return n, at most T; 0 for a node without edges or whose walks only return to itself
     * @throws IllegalArgumentException if {@code node} is not a node of the configured side, or the outputs are
     *                                  shorter than T
     */
    public int compute(int node, int[] ids, float[] weights) {
        Side side = config.side();
        if (node < 0 || node >= graph.nodeCount(side)) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + graph.nodeCount(side)
                    + ") of side " + side);
        }
        visits.clear();
        walker.random().reseed(NeighborhoodConfig.nodeSeed(config.seed(), node));
        walker.walk(side, node, config.stepsPerNode(), config.alpha(), visits, null, 0, 0);
        self = node;
        int n = selector.select(visits, config.topT(), notSelf, ids, weights);
        ScoreVectors.normalize(weights, n);
        return n;
    }
}
