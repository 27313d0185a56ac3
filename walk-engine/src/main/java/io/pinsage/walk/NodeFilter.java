package io.pinsage.walk;

/**
 * Decides whether a node may appear in a result (query pins and blocklists are filtered this way).
 * Called once per candidate that could enter the top K; implementations must be cheap and allocate nothing.
 */
@FunctionalInterface
public interface NodeFilter {

    /** Accepts every node. */
    NodeFilter ALL = node -> true;

    /** Whether {@code node} may be returned. */
    boolean accept(int node);
}
