package io.pinsage.walk;

import io.pinsage.csr.Side;

/**
 * A user-supplied preference for walk edges, such as "boards in the user's language" or "pins of the query's
 * topic": the walker at {@code node} on {@code side} follows the edge to {@code neighbor} with probability
 * proportional to {@code bias(side, node, neighbor)}.
 *
 * <p>Values must lie in [0, 1]; 0 forbids an edge. Called from many walking threads at once, so
 * implementations must be thread-safe (typically read-only lookups) and allocate nothing.
 */
@FunctionalInterface
public interface BiasFunction {

    /** The relative preference, in [0, 1], for the edge {@code node → neighbor}. */
    float bias(Side side, int node, int neighbor);
}
