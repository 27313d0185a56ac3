package io.pinsage.engine.train;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.engine.util.Workers;
import io.pinsage.walk.ImportanceNeighborhoods;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.UniformNeighborSampler;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Builds the {@link Neighbourhoods} table of a bipartite graph over its {@link NodeSpace}: every node, on both
 * sides, gets T same-side neighbours (items pool over related items reached through users, users over related
 * users reached through items), from the walk engine's importance neighbourhoods or, for the ablation, its
 * uniform two-hop sampler.
 *
 * <p>Runs on {@code threads} threads, each with its own walker; deterministic (every node's row depends only
 * on the graph, the kind, T, the step budget and the seed). Cost: {@code stepsPerNode} walk steps per node.
 */
public final class GraphNeighbourhoods {

    private GraphNeighbourhoods() {
    }

    /**
     * @param stepsPerNode     walk steps per node (walk kind) or two-hop draws per node (uniform kind)
     * @param rightOwnWidth    when positive, right nodes (users) pool over up to this many of their own left
     *                         neighbours (the items they engaged with, drawn without replacement, equal weights)
     *                         instead of over T related right nodes: a user is then described by its items, as in
     *                         item-based recommendation. The table's width is {@code max(t, rightOwnWidth)}.
     * @param progress         called with the number of nodes finished so far, from worker threads; may be null
     * @throws IllegalArgumentException if the table ({@code nodes x max(t, rightOwnWidth)} slots) could not be one
     *                                  array or fit the heap; checked before it is allocated
     */
    public static Neighbourhoods build(BipartiteGraph graph, NeighbourhoodKind kind, int t, int stepsPerNode, long seed,
                                       int rightOwnWidth, int threads, IntConsumer progress) {
        NodeSpace space = NodeSpace.of(graph);
        int n = space.size();
        int width = Math.max(t, rightOwnWidth);
        long slots = (long) n * width;
        String what = "nodes=" + n + " t=" + t + " rightOwnWidth=" + rightOwnWidth;
        if (slots > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(what + ": the table would hold " + slots + " slots, at most 2^31 - 64; lower the width");
        }
        ResourceLimits.requireHeap(what, slots * 8, "lower the width or give the JVM a larger heap");
        int[] ids = new int[n * width];
        float[] alpha = new float[n * width];
        int[] count = new int[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Workers.run(threads, "neighbourhoods", w -> {
            ImportanceNeighborhoods[] walk = new ImportanceNeighborhoods[2];
            UniformNeighborSampler uniform = new UniformNeighborSampler(graph);
            for (Side side : Side.values()) {
                walk[side.ordinal()] = new ImportanceNeighborhoods(graph, new NeighborhoodConfig(side, t, stepsPerNode, 0.5,
                        32, seed));
            }
            int[] rowIds = new int[width];
            float[] rowW = new float[width];
            for (int chunk; (chunk = next.getAndAdd(256)) < n; ) {
                for (int u = chunk; u < Math.min(n, chunk + 256); u++) {
                    Side side = space.side(u);
                    int local = space.local(u);
                    int c;
                    if (side == Side.RIGHT && rightOwnWidth > 0) {
                        c = ownNeighbours(graph, local, rightOwnWidth, NeighborhoodConfig.nodeSeed(seed, u), rowIds, rowW);
                        side = Side.LEFT;
                    } else if (kind == NeighbourhoodKind.WALK) {
                        c = walk[side.ordinal()].compute(local, rowIds, rowW);
                    } else {
                        uniform.reseed(NeighborhoodConfig.nodeSeed(seed, u));
                        c = uniform.sampleSameSide(side, local, t, stepsPerNode, rowIds, rowW);
                    }
                    count[u] = c;
                    for (int s = 0; s < c; s++) {
                        ids[u * width + s] = space.id(side, rowIds[s]);
                        alpha[u * width + s] = rowW[s];
                    }
                }
                int d = done.addAndGet(Math.min(256, n - chunk));
                if (progress != null) {
                    progress.accept(d);
                }
            }
        });
        return Neighbourhoods.fromRows(n, width, ids, alpha, count);
    }

    /** Up to t of a right node's left neighbours, a seeded partial Fisher–Yates draw when it has more. */
    private static int ownNeighbours(BipartiteGraph graph, int node, int t, long seed, int[] ids, float[] w) {
        int d = graph.degree(Side.RIGHT, node);
        long first = graph.firstEdge(Side.RIGHT, node);
        if (d <= t) {
            for (int i = 0; i < d; i++) {
                ids[i] = graph.neighborAt(Side.RIGHT, first + i);
                w[i] = 1f / d;
            }
            return d;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int[] pos = new int[d];
        for (int i = 0; i < d; i++) {
            pos[i] = i;
        }
        for (int i = 0; i < t; i++) {
            int j = i + rnd.nextInt(d - i);
            int x = pos[i];
            pos[i] = pos[j];
            pos[j] = x;
            ids[i] = graph.neighborAt(Side.RIGHT, first + pos[i]);
            w[i] = 1f / t;
        }
        return t;
    }
}
