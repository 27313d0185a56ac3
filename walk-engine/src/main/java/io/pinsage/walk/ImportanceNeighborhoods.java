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
    /** Opposite-side nodes a walk from a new node's neighbours lands on; counted by the walker, not used. */
    private final VisitMap passed = new VisitMap(1 << 10);
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

    /**
     * The row {@link #compute} would give a node that is not in the graph, whose edges go to {@code neighbors[0..count)}
     * (nodes of the opposite side, e.g. the boards a new pin is saved on) with {@code edgeWeights}: a walk from a node
     * first steps to one of its neighbours, so here the {@code stepsPerNode} walks start at the neighbours, shared
     * among them in proportion to the weights, restart to the neighbour they started from, and count the nodes of the
     * configured side they pass. Same-side nodes, most visited first, weights summing to 1; the new node never
     * appears, not being in the graph. Deterministic in the graph, the configuration, the arguments and {@code seed}.
     * The same as {@link #computeForNewNode(int[], float[], int, int[], float[], int, long, int[], float[])} with no
     * same-side nodes.
     *
     * <p>Graph walks only: an instance over a {@link WalkTable} throws {@link IllegalStateException}.
     * Cost: {@code stepsPerNode} walk steps plus O(distinct nodes visited).
     *
     * @return n, at most T; 0 when no neighbour has an edge
     * @throws IllegalArgumentException naming the first neighbour outside the opposite side or weight that is not
     *                                  finite and {@code > 0}, or outputs shorter than T
     */
    public int computeForNewNode(int[] neighbors, float[] edgeWeights, int count, long seed, int[] ids, float[] weights) {
        return computeForNewNode(neighbors, edgeWeights, count, new int[0], new float[0], 0, seed, ids, weights);
    }

    /**
     * The row of a node that is not in the graph, known by its neighbours {@code neighbors[0..count)} (opposite side,
     * e.g. the boards a new pin is saved on) and by nodes of its own side it is saved with,
     * {@code sameSide[0..sameCount)} (e.g. the pins on the board it was saved to, whose boards it would share). The
     * {@code stepsPerNode} walks are shared among all of these starts in proportion to their weights
     * ({@code edgeWeights}, then {@code sameWeights}, one scale: a board and a pin of weight 1 get equal shares). A walk
     * from a board restarts to that board; a walk from a same-side node steps to one of its neighbours and restarts to
     * the node, which is a walk from its neighbours chosen afresh at each restart, so a node given as saved with P
     * gets about the row of a node on all of P's neighbours; P's own visits count like any other node's. Same-side
     * nodes, most visited first, weights summing to 1. Deterministic in the graph, the configuration, the arguments
     * and {@code seed}.
     *
     * <p>Graph walks only: an instance over a {@link WalkTable} throws {@link IllegalStateException}.
     * Cost: {@code stepsPerNode} walk steps plus O(distinct nodes visited).
     *
     * @return n, at most T; 0 when no start has an edge
     * @throws IllegalArgumentException naming the first start outside its side or weight that is not finite and
     *                                  {@code > 0}, or outputs shorter than T
     */
    public int computeForNewNode(int[] neighbors, float[] edgeWeights, int count, int[] sameSide, float[] sameWeights,
                                 int sameCount, long seed, int[] ids, float[] weights) {
        if (tableWalker != null) {
            throw new IllegalStateException("rows of new nodes are walked over the graph, not over a walk table");
        }
        if (ids.length < config.topT() || weights.length < config.topT()) {
            throw new IllegalArgumentException("ids.length=" + ids.length + " weights.length=" + weights.length
                    + ": must be >= topT=" + config.topT());
        }
        Objects.checkFromIndexSize(0, count, Math.min(neighbors.length, edgeWeights.length));
        Objects.checkFromIndexSize(0, sameCount, Math.min(sameSide.length, sameWeights.length));
        Side other = config.side().opposite();
        double total = checkStarts("neighbors", "edgeWeights", other, neighbors, edgeWeights, count)
                + checkStarts("sameSide", "sameWeights", config.side(), sameSide, sameWeights, sameCount);
        visits.clear();
        walker.random().reseed(seed);
        long steps = config.stepsPerNode();
        double before = 0;
        for (int i = 0; i < count + sameCount; i++) {
            boolean board = i < count;
            float weight = board ? edgeWeights[i] : sameWeights[i - count];
            // cumulative rounding: the shares add up to exactly stepsPerNode
            long from = Math.round(steps * before / total);
            before += weight;
            long to = i == count + sameCount - 1 ? steps : Math.round(steps * before / total);
            passed.clear();
            if (board) {
                walker.walk(other, neighbors[i], to - from, config.alpha(), passed, visits, 0, 0);
            } else {
                walker.walk(config.side(), sameSide[i - count], to - from, config.alpha(), visits, passed, 0, 0);
            }
        }
        int n = selector.select(visits, config.topT(), NodeFilter.ALL, ids, weights);
        RandomWalker.checkReported(graph, config.side(), ids, n);
        ScoreVectors.normalize(weights, n);
        return n;
    }

    /** @return the weights' sum; @throws IllegalArgumentException naming the first node or weight out of range */
    private double checkStarts(String nodesName, String weightsName, Side side, int[] nodes, float[] nodeWeights, int count) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            if (nodes[i] < 0 || nodes[i] >= graph.nodeCount(side)) {
                throw new IllegalArgumentException(nodesName + "[" + i + "]=" + nodes[i] + ": out of range [0, "
                        + graph.nodeCount(side) + ") of side " + side);
            }
            if (!(nodeWeights[i] > 0) || Float.isInfinite(nodeWeights[i])) {
                throw new IllegalArgumentException(weightsName + "[" + i + "]=" + nodeWeights[i] + ": must be finite and > 0");
            }
            total += nodeWeights[i];
        }
        return total;
    }
}
