package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

/**
 * Picks the edge a walker follows out of a node: the pluggable bias of a walk.
 *
 * <p>Contract: given a node with {@code degree > 0} whose edges occupy positions
 * {@code [firstEdge, firstEdge + degree)} of {@code side}'s adjacency, return one of those positions, drawn from
 * the chooser's distribution using only {@code rnd} for randomness (so walks stay reproducible). Implementations
 * are immutable and shared by every walking thread, allocate nothing, and should cost O(1) or O(log degree):
 * they run once per walk step.
 *
 * @see UniformEdgeChooser
 * @see WeightedEdgeChooser
 * @see BiasedEdgeChooser
 */
public interface EdgeChooser {

    /** The chosen edge position, in {@code [firstEdge, firstEdge + degree)}. */
    long choose(Side side, int node, long firstEdge, int degree, WalkRandom rnd);

    /**
     * Chooses for many walkers at once, as a walker stepping lanes in lockstep does: {@code edge[w]} receives the
     * choice for node {@code from[w]} of {@code side}, for {@code w < count}, with the same draws from {@code rnd},
     * in lane order, as {@code count} calls of {@link #choose}. The default makes those calls. A chooser that reads
     * memory of its own per choice (an alias table) overrides it to issue those reads for every lane before it uses
     * any, so that their cache misses overlap.
     *
     * @param scratch at least {@code count} longs the chooser may overwrite
     * @return a value derived from what was read only to keep the reads alive (callers add it to a sink)
     */
    default long chooseAll(BipartiteGraph graph, Side side, int[] from, int count, WalkRandom rnd, long[] edge,
                           long[] scratch) {
        for (int w = 0; w < count; w++) {
            int u = from[w];
            edge[w] = choose(side, u, graph.firstEdge(side, u), graph.degree(side, u), rnd);
        }
        return 0;
    }
}
