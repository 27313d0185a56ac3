package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * Computes PinSage importance neighbourhoods one node at a time: walks with restarts from the node, the T most
 * visited nodes of the same side (itself excluded), weights = their visit counts normalised to sum 1.
 *
 * <p>Over a {@link WalkTable} the walks take one dependent read per hop instead of two (uniform choice only);
 * visits are counted by node key and only the T nodes kept are turned back into ids. The neighbourhoods have the
 * same distribution as over the graph, not the same walks for a seed.
 *
 * <p>Not thread-safe: one instance per thread (it owns a walker, a visit map and a selector); reuse it for many
 * nodes, it allocates nothing after the first. Deterministic: node u's neighbourhood depends only on the graph
 * (or table), the configuration and u. Cost: {@code stepsPerNode} walk steps plus O(distinct nodes visited), and
 * over a table T key-to-id lookups. Ties in visits go to the smaller id over the graph, to the smaller key (lower
 * degree, then smaller id) over a table.
 * {@link NeighborhoodBuilder} runs many of these in parallel and writes a store.
 */
public final class ImportanceNeighborhoods {

    private final BipartiteGraph graph;
    private final NeighborhoodConfig config;
    private final RandomWalker walker;
    private final WalkTable table;
    private final TableWalker tableWalker;
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
        this.config = walkKind(config);
        this.walker = new RandomWalker(graph, chooser, config.lanes());
        this.table = null;
        this.tableWalker = null;
    }

    /** Uniform walks over {@code table}, with {@code config.lanes()} lanes. */
    public ImportanceNeighborhoods(WalkTable table, NeighborhoodConfig config) {
        this.table = Objects.requireNonNull(table, "table");
        this.graph = table.graph();
        this.config = walkKind(config);
        this.walker = null;
        this.tableWalker = new TableWalker(table, config.lanes());
    }

    private static NeighborhoodConfig walkKind(NeighborhoodConfig config) {
        if (Objects.requireNonNull(config, "config").kind() != NeighborhoodKind.WALK) {
            throw new IllegalArgumentException("kind=" + config.kind() + ": importance neighbourhoods are WALK rows; "
                    + "NeighborhoodRows computes the other kinds");
        }
        return config;
    }

    public NeighborhoodConfig config() {
        return config;
    }

    /** Whether this instance walks a {@link WalkTable} rather than the graph. */
    public boolean walksTable() {
        return table != null;
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
        long seed = NeighborhoodConfig.nodeSeed(config.seed(), node);
        int n;
        if (tableWalker == null) {
            walker.random().reseed(seed);
            walker.walk(side, node, config.stepsPerNode(), config.alpha(), visits, null, 0, 0);
            self = node;
            n = selector.select(visits, config.topT(), notSelf, ids, weights);
            RandomWalker.checkReported(graph, side, ids, n);
        } else {
            tableWalker.random().reseed(seed);
            tableWalker.walk(side, node, config.stepsPerNode(), config.alpha(), visits, null, 0, 0);
            self = table.key(side, node);
            // Ties in visits go to the smaller key: the node of lower degree, then the smaller id.
            n = selector.select(visits, config.topT(), notSelf, ids, weights);
            for (int i = 0; i < n; i++) {
                ids[i] = table.node(side, ids[i]);
            }
        }
        ScoreVectors.normalize(weights, n);
        return n;
    }
}
