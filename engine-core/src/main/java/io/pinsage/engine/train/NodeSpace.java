package io.pinsage.engine.train;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.LogDegree;
import io.pinsage.csr.Side;

/**
 * The unified node space of a bipartite graph that the network sees: left nodes (items, pins) take ids
 * {@code [0, leftCount)}, right nodes (users, boards) {@code [leftCount, leftCount + rightCount)}. One id-embedding
 * table and one set of neighbourhood rows ({@link MappedNeighborhoods}) cover both sides. Immutable.
 */
public record NodeSpace(int leftCount, int rightCount) {

    /** The space of {@code graph}'s two sides. */
    public static NodeSpace of(BipartiteGraph graph) {
        return new NodeSpace(graph.nodeCount(Side.LEFT), graph.nodeCount(Side.RIGHT));
    }

    /** Total number of nodes. */
    public int size() {
        return leftCount + rightCount;
    }

    /** Number of nodes on {@code side}. */
    public int count(Side side) {
        return side == Side.LEFT ? leftCount : rightCount;
    }

    /** The unified id of {@code node} on {@code side}. */
    public int id(Side side, int node) {
        return side == Side.LEFT ? node : leftCount + node;
    }

    /** The side a unified id lives on. */
    public Side side(int id) {
        return id < leftCount ? Side.LEFT : Side.RIGHT;
    }

    /** The per-side id of a unified id. */
    public int local(int id) {
        return id < leftCount ? id : id - leftCount;
    }

    /** log(1 + degree) of every node, the degree feature of the input. */
    public float[] logDegrees(BipartiteGraph graph) {
        float[] out = new float[size()];
        for (int u = 0; u < size(); u++) {
            out[u] = LogDegree.of(graph.degree(side(u), local(u)));
        }
        return out;
    }
}
