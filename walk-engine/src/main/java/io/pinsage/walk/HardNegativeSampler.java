package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * PinSage's hard negatives: items that are somewhat related to a query but not relevant, taken from the middle
 * of its personalised-PageRank ranking (ranks 2000–5000 by default). The ranking comes from
 * {@code steps} walk steps from the query; {@link #sample} then draws distinct nodes uniformly from ranks
 * {@code [rankFrom, rankTo)} (0-based, the query itself excluded).
 *
 * <p>A query whose walks reach fewer than {@code rankFrom + 1} distinct nodes (a small or sparse component) has
 * no such band: {@link #sample} returns 0 and the caller falls back to random negatives.
 *
 * <p>Not thread-safe: one instance per thread, reused across queries; it allocates nothing after its buffers
 * reach {@code rankTo}. Deterministic in (graph, configuration, node, seed). Cost: {@code steps} walk steps plus
 * O(distinct visited + rankTo·log rankTo).
 */
public final class HardNegativeSampler {

    private final BipartiteGraph graph;
    private final Side side;
    private final int rankFrom;
    private final int rankTo;
    private final long steps;
    private final double alpha;
    private final RandomWalker walker;
    private final VisitMap visits = new VisitMap(1 << 14);
    private final TopSelector selector = new TopSelector();
    private final int[] ranked;
    private final float[] scores;
    private int self;
    private final NodeFilter notSelf = node -> node != self;

    /**
     * @param side     side of the queries and of the negatives
     * @param rankFrom first rank of the band (PinSage: 2000)
     * @param rankTo   end of the band, exclusive (PinSage: 5000)
     * @param steps    walk steps per query; to rank {@code rankTo} nodes reliably use well over 10·rankTo
     * @param alpha    restart probability
     * @throws IllegalArgumentException if the band is empty or negative, or another knob is out of range
     */
    public HardNegativeSampler(BipartiteGraph graph, Side side, int rankFrom, int rankTo, long steps, double alpha) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.side = Objects.requireNonNull(side, "side");
        if (rankFrom < 0 || rankTo <= rankFrom) {
            throw new IllegalArgumentException("rankFrom=" + rankFrom + " rankTo=" + rankTo + ": need 0 <= rankFrom < rankTo");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps=" + steps + ": must be >= 1");
        }
        this.rankFrom = rankFrom;
        this.rankTo = rankTo;
        this.steps = steps;
        this.alpha = WalkRandom.requireRestartProbability(alpha);
        this.walker = new RandomWalker(graph, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        this.ranked = new int[rankTo];
        this.scores = new float[rankTo];
    }

    /** PinSage's band, ranks 2000–5000, from 200,000 steps with restart probability 0.5. */
    public static HardNegativeSampler pinSage(BipartiteGraph graph, Side side) {
        return new HardNegativeSampler(graph, side, 2000, 5000, 200_000, 0.5);
    }

    /**
     * Draws up to {@code count} distinct hard negatives for {@code node} into {@code out[0..)}.
     *
     * @param seed seeds both the ranking walks and the draw
     * @return how many were drawn: {@code min(count, size of the band)}, 0 if the band is empty
     * @throws IllegalArgumentException if the node is out of range or {@code out} is shorter than {@code count}
     */
    public int sample(int node, int count, long seed, int[] out) {
        if (node < 0 || node >= graph.nodeCount(side)) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + graph.nodeCount(side)
                    + ") of side " + side);
        }
        if (count < 0 || out.length < count) {
            throw new IllegalArgumentException("count=" + count + " out.length=" + out.length + ": need 0 <= count <= out.length");
        }
        int band = rank(node, seed);
        int take = Math.min(count, band);
        WalkRandom rnd = walker.random();
        // Partial Fisher–Yates over the band: the first `take` positions become a uniform sample without repeats.
        for (int i = 0; i < take; i++) {
            int j = rankFrom + i + rnd.nextInt(band - i);
            int pick = ranked[j];
            ranked[j] = ranked[rankFrom + i];
            ranked[rankFrom + i] = pick;
            out[i] = pick;
        }
        return take;
    }

    /**
     * Ranks the nodes visited from {@code node} and returns the size of the band {@code [rankFrom, rankTo)} that
     * exists; after it, {@link #rankedNode(int)} reads the ranking.
     */
    public int rank(int node, long seed) {
        visits.clear();
        walker.random().reseed(NeighborhoodConfig.nodeSeed(seed, node));
        walker.walk(side, node, steps, alpha, visits, null, 0, 0);
        self = node;
        int found = selector.select(visits, rankTo, notSelf, ranked, scores);
        return Math.max(0, found - rankFrom);
    }

    /** The node at rank {@code r} ({@code 0 <= r < rankTo}) of the last ranking, before any draw reordered the band. */
    public int rankedNode(int r) {
        return ranked[r];
    }
}
