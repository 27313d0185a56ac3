package io.pinsage.engine.train;

/** How a node's neighbourhood for pooling is chosen. */
public enum NeighbourhoodKind {
    /** PinSage: the T most visited same-side nodes of random walks with restarts, weighted by visit counts. */
    WALK,
    /** Ablation: T same-side nodes reached by uniform two-hop steps (GraphSAGE-style), weighted by draw counts. */
    UNIFORM
}
