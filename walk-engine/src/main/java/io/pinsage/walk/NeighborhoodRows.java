package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * Computes the neighbourhood rows of one {@link NeighborhoodConfig} one node at a time, whatever its
 * {@link NeighborhoodKind}: importance walks ({@link ImportanceNeighborhoods}, over the graph or a
 * {@link WalkTable}), uniform two-hop draws ({@link UniformNeighborSampler}) or the node's own neighbours. Rows list
 * at most T ids of {@link NeighborhoodConfig#neighborSide()}, most important first, with weights summing to 1.
 *
 * <p>Not thread-safe: one instance per thread ({@link NeighborhoodBuilder}'s workers own one each); reuse it for many
 * nodes, it allocates nothing after the first. Deterministic: node u's row depends only on the graph (or table), the
 * configuration and u, seeded by {@link NeighborhoodConfig#nodeSeed}. Cost: {@code stepsPerNode} walk steps or draws
 * per node, or O(min(T, degree)) for {@link NeighborhoodKind#ADJACENT}.
 *
 * <p>Errors: {@link IllegalArgumentException} for a node outside the configured side or outputs shorter than T; a
 * neighbour id outside its side (a damaged store) throws {@link BipartiteGraph#explain}'s account of it.
 */
public final class NeighborhoodRows {

    private final BipartiteGraph graph;
    private final NeighborhoodConfig config;
    private final ImportanceNeighborhoods walks;
    private final UniformNeighborSampler uniform;
    private final WalkRandom random = new WalkRandom(0);
    private final VisitMap chosen = new VisitMap(64);

    /**
     * @param table   a walk table to walk over instead of the graph (WALK rows only), or null
     * @param chooser the walks' neighbour choice over the graph (WALK rows without a table)
     */
    public NeighborhoodRows(BipartiteGraph graph, WalkTable table, NeighborhoodConfig config, EdgeChooser chooser) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.config = Objects.requireNonNull(config, "config");
        if (config.kind() == NeighborhoodKind.WALK) {
            walks = table != null ? new ImportanceNeighborhoods(table, config)
                    : new ImportanceNeighborhoods(graph, config, Objects.requireNonNull(chooser, "chooser"));
        } else {
            walks = null;
        }
        uniform = config.kind() == NeighborhoodKind.UNIFORM ? new UniformNeighborSampler(graph) : null;
    }

    /** Uniform neighbour choice, over the graph. */
    public NeighborhoodRows(BipartiteGraph graph, NeighborhoodConfig config) {
        this(graph, null, config, UniformEdgeChooser.INSTANCE);
    }

    public NeighborhoodConfig config() {
        return config;
    }

    /**
     * Writes node {@code node}'s row into {@code ids[0..n)} and {@code weights[0..n)}.
     *
     * @return n, at most T; 0 for a node without edges
     */
    public int compute(int node, int[] ids, float[] weights) {
        Side side = config.side();
        if (node < 0 || node >= graph.nodeCount(side)) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + graph.nodeCount(side)
                    + ") of side " + side);
        }
        if (ids.length < config.topT() || weights.length < config.topT()) {
            throw new IllegalArgumentException("ids.length=" + ids.length + " weights.length=" + weights.length
                    + ": must be >= topT=" + config.topT());
        }
        return switch (config.kind()) {
            case WALK -> walks.compute(node, ids, weights);
            case UNIFORM -> {
                uniform.reseed(NeighborhoodConfig.nodeSeed(config.seed(), node));
                yield uniform.sampleSameSide(side, node, config.topT(), (int) config.stepsPerNode(), ids, weights);
            }
            case ADJACENT -> adjacent(side, node, ids, weights);
        };
    }

    /**
     * Up to T of the node's own neighbours: all of them, in edge order, when it has at most T; else T edge positions
     * drawn without replacement by Floyd's method, which remembers only the T positions drawn (no array of the
     * degree's size).
     */
    private int adjacent(Side side, int node, int[] ids, float[] weights) {
        int d = graph.degree(side, node);
        long first = graph.firstEdge(side, node);
        int t = config.topT();
        int n = 0;
        try {
            if (d <= t) {
                for (; n < d; n++) {
                    ids[n] = graph.neighborAt(side, first + n);
                }
            } else {
                random.reseed(NeighborhoodConfig.nodeSeed(config.seed(), node));
                chosen.clear();
                for (int j = d - t; j < d; j++) {
                    int r = random.nextInt(j + 1);
                    int pick = chosen.containsKey(r) ? j : r;
                    chosen.add(pick, 1f);
                    ids[n++] = graph.neighborAt(side, first + pick);
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e);
        }
        RandomWalker.checkReported(graph, side.opposite(), ids, n);
        for (int i = 0; i < n; i++) {
            weights[i] = 1f / n;
        }
        return n;
    }
}
