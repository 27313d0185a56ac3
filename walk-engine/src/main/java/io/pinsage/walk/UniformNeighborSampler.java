package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * The ablation baseline for importance neighbourhoods: GraphSAGE-style uniform sampling, with no walks and no
 * importance.
 *
 * <p>{@link #sampleHops} draws a k-hop computation tree: from each node of hop i, {@code fanouts[i]} neighbours
 * uniformly with replacement (hops alternate sides, as edges do). {@link #sampleSameSide} gives a drop-in
 * replacement for an importance neighbourhood: T same-side nodes reached by uniform two-hop steps, each weighted
 * by how often it was drawn (weights sum to 1), so a trainer can swap the two without other changes.
 *
 * <p>Not thread-safe (owns a generator and a map); one per thread. Allocates nothing. Cost: O(drawn nodes).
 * Errors: a neighbour id outside its side (a damaged store) throws {@link BipartiteGraph#explain}'s account of it.
 */
public final class UniformNeighborSampler {

    private final BipartiteGraph graph;
    private final WalkRandom rnd = new WalkRandom(0);
    private final VisitMap drawn = new VisitMap(256);
    private final TopSelector selector = new TopSelector();

    public UniformNeighborSampler(BipartiteGraph graph) {
        this.graph = Objects.requireNonNull(graph, "graph");
    }

    /** Reseeds the draws: the same seed and calls give the same samples. */
    public void reseed(long seed) {
        rnd.reseed(seed);
    }

    /**
     * Samples a k-hop tree below {@code roots} (on {@code side}). Hop 0 is {@code roots}; hop i+1 holds, for each
     * node of hop i in order, {@code fanouts[i]} uniformly drawn neighbours, or {@link #NONE} where the node has no
     * edges (or is itself NONE). {@code hops[i+1]} must hold {@code hops[i].length · fanouts[i]} entries; the method
     * fills {@code hops[1..]} and copies roots into {@code hops[0]}.
     *
     * @throws IllegalArgumentException if the shapes disagree or a root is out of range
     */
    public void sampleHops(Side side, int[] roots, int[] fanouts, int[][] hops) {
        if (hops.length != fanouts.length + 1 || hops[0].length != roots.length) {
            throw new IllegalArgumentException("hops.length=" + hops.length + " fanouts.length=" + fanouts.length
                    + " hops[0].length=" + hops[0].length + " roots.length=" + roots.length
                    + ": need hops.length = fanouts.length + 1 and hops[0].length = roots.length");
        }
        int n = graph.nodeCount(side);
        for (int i = 0; i < roots.length; i++) {
            if (roots[i] < 0 || roots[i] >= n) {
                throw new IllegalArgumentException("roots[" + i + "]=" + roots[i] + ": out of range [0, " + n + ") of side " + side);
            }
        }
        System.arraycopy(roots, 0, hops[0], 0, roots.length);
        try {
            sample(side, fanouts, hops);
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e);
        }
    }

    /** {@link #sampleHops}'s draws, its arguments checked. */
    private void sample(Side side, int[] fanouts, int[][] hops) {
        Side s = side;
        for (int h = 0; h < fanouts.length; h++) {
            int[] from = hops[h];
            int[] to = hops[h + 1];
            int f = fanouts[h];
            if (f < 0 || to.length != (long) from.length * f) {
                throw new IllegalArgumentException("fanouts[" + h + "]=" + f + " hops[" + (h + 1) + "].length=" + to.length
                        + ": need hops[" + (h + 1) + "].length = " + from.length + " * fanout");
            }
            for (int i = 0; i < from.length; i++) {
                int u = from[i];
                int d = u == NONE ? 0 : graph.degree(s, u);
                long first = d == 0 ? 0 : graph.firstEdge(s, u);
                for (int j = 0; j < f; j++) {
                    to[i * f + j] = d == 0 ? NONE : graph.neighborAt(s, first + rnd.nextInt(d));
                }
            }
            s = s.opposite();
        }
        // the last hop's ids are drawn, never read: check them as a next hop would
        int n = graph.nodeCount(s);
        for (int v : hops[fanouts.length]) {
            if (v != NONE && (v < 0 || v >= n)) {
                throw new IndexOutOfBoundsException("drew node " + v + " of side " + s + ", outside [0, " + n + ")");
            }
        }
    }

    /** Marks a missing neighbour in {@link #sampleHops}. */
    public static final int NONE = -1;

    /**
     * A uniform same-side neighbourhood of {@code node}: {@code draws} two-hop uniform steps, the {@code t} most
     * drawn nodes (the node itself excluded), weights proportional to draws and summing to 1.
     *
     * @return the number of neighbours written, at most {@code t}; 0 for a node without edges
     */
    public int sampleSameSide(Side side, int node, int t, int draws, int[] ids, float[] weights) {
        int n = graph.nodeCount(side);
        if (node < 0 || node >= n) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + n + ") of side " + side);
        }
        drawn.clear();
        int d = graph.degree(side, node);
        if (d == 0) {
            return 0;
        }
        long first = graph.firstEdge(side, node);
        Side other = side.opposite();
        try {
            for (int i = 0; i < draws; i++) {
                int mid = graph.neighborAt(side, first + rnd.nextInt(d));
                int back = graph.neighborAt(other, graph.firstEdge(other, mid) + rnd.nextInt(graph.degree(other, mid)));
                if (back != node) {
                    drawn.add(back, 1f);
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e);
        }
        int k = selector.select(drawn, t, NodeFilter.ALL, ids, weights);
        RandomWalker.checkReported(graph, side, ids, k);
        ScoreVectors.normalize(weights, k);
        return k;
    }
}
