package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * Follows edges with probability proportional to a {@link BiasFunction}, by rejection: draw a uniform edge and
 * keep it with probability {@code bias}. Exact, and O(1 / mean bias) per step with no per-node tables, which
 * suits biases computed per query. After {@code maxAttempts} rejections it falls back to an exact O(degree)
 * draw over all edges; when every edge of a node has bias 0, it follows a uniform edge rather than strand the
 * walker.
 *
 * <p>Immutable and thread-safe if the bias function is.
 */
public final class BiasedEdgeChooser implements EdgeChooser {

    private final BipartiteGraph graph;
    private final BiasFunction bias;
    private final int maxAttempts;

    /**
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public BiasedEdgeChooser(BipartiteGraph graph, BiasFunction bias, int maxAttempts) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.bias = Objects.requireNonNull(bias, "bias");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts=" + maxAttempts + ": must be >= 1");
        }
        this.maxAttempts = maxAttempts;
    }

    @Override
    public long choose(Side side, int node, long firstEdge, int degree, WalkRandom rnd) {
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            long e = firstEdge + rnd.nextInt(degree);
            if (rnd.nextFloat() < bias.bias(side, node, graph.neighborAt(side, e))) {
                return e;
            }
        }
        double total = 0;
        for (int i = 0; i < degree; i++) {
            total += bias.bias(side, node, graph.neighborAt(side, firstEdge + i));
        }
        if (total <= 0) {
            return firstEdge + rnd.nextInt(degree);
        }
        double target = rnd.nextDouble() * total;
        for (int i = 0; i < degree; i++) {
            target -= bias.bias(side, node, graph.neighborAt(side, firstEdge + i));
            if (target < 0) {
                return firstEdge + i;
            }
        }
        return firstEdge + degree - 1;
    }
}
