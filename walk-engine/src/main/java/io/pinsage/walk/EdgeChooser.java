package io.pinsage.walk;

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
}
