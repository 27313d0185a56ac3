package io.pinsage.csr;

/** What a graph build does with parallel edges (the same left and right node more than once). */
public enum DuplicatePolicy {
    /** Keep every copy: the graph is a multigraph, and a walk favours repeated edges. */
    KEEP,
    /** Keep one copy; on a weighted graph, the one with the smallest weight. */
    DROP,
    /** Keep one copy whose weight is the sum of the copies' weights (1 each on unweighted input): the graph becomes weighted. */
    SUM
}
