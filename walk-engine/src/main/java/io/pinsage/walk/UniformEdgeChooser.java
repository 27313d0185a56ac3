package io.pinsage.walk;

import io.pinsage.csr.Side;

/** Follows every edge of a node with equal probability: O(1), one random draw. Stateless and thread-safe. */
public final class UniformEdgeChooser implements EdgeChooser {

    /** The only instance. */
    public static final UniformEdgeChooser INSTANCE = new UniformEdgeChooser();

    private UniformEdgeChooser() {
    }

    @Override
    public long choose(Side side, int node, long firstEdge, int degree, WalkRandom rnd) {
        return firstEdge + rnd.nextInt(degree);
    }
}
