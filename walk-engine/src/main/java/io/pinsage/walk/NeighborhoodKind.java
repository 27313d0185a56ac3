package io.pinsage.walk;

import io.pinsage.csr.Side;

/**
 * How a node's neighbourhood row is chosen (the rows a {@link NeighborhoodBuilder} computes and a convolution pools
 * over).
 */
public enum NeighborhoodKind {
    /**
     * PinSage: the T most visited same-side nodes of random walks with restarts, weighted by visit counts
     * ({@link ImportanceNeighborhoods}).
     */
    WALK,
    /**
     * Ablation: the T most drawn same-side nodes of uniform two-hop steps (GraphSAGE-style), weighted by draw counts
     * ({@link UniformNeighborSampler#sampleSameSide}).
     */
    UNIFORM,
    /**
     * The node's own neighbours in the graph, on the other side: all of them when it has at most T, else T drawn
     * uniformly without replacement; equal weights. A user described by the items it engaged with, as in item-based
     * recommendation.
     */
    ADJACENT;

    /** The side of the neighbours of a node of {@code side} in rows of this kind. */
    public Side neighborSide(Side side) {
        return this == ADJACENT ? side.opposite() : side;
    }
}
