package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodStoreWriter;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Publishes the neighbourhood rows that a {@link NeighborhoodBuilder} computes (of any kind: the store records the
 * side of the rows' ids) as a neighbourhood store
 * ({@link NeighborhoodStoreWriter}), which training and inference map: the walk engine computes rows, this class
 * owns the store they go to. The builder's workers write each row straight into the store's writable mapping
 * (rows of distinct nodes never overlap).
 *
 * <p>Threading: one publication per store root at a time (the root's lock refuses a second); the progress callback
 * runs on the calling thread. A failure of the computation discards the unpublished generation and is rethrown,
 * so the root's previous store, if any, stays current. Cost: the builder's computation plus one write of the rows,
 * or for an update a copy of the published file first.
 */
public final class NeighborhoodStores {

    private NeighborhoodStores() {
    }

    /**
     * Computes every node's neighbourhood and publishes a new store under {@code root} (replacing any store
     * there).
     */
    public static StoreGeneration buildAll(NeighborhoodBuilder builder, Path root, NeighborhoodBuilder.Progress progress)
            throws IOException {
        NeighborhoodConfig config = builder.config();
        int n = builder.graph().nodeCount(config.side());
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, config.side(), config.neighborSide(), n,
                config.topT(), config.stepsPerNode(), config.seed())) {
            builder.compute(null, n, w::writeRow, progress);
            return w.commit();
        }
    }

    /**
     * Incremental recomputation: recomputes only {@code nodes} (for example those whose edges changed) and
     * publishes a new generation of the store under {@code root} in which every other row is unchanged.
     *
     * @throws IllegalArgumentException if the store's sides, width or node count do not match the builder's
     *                                  graph and configuration, or a node is out of range
     */
    public static StoreGeneration update(NeighborhoodBuilder builder, Path root, int[] nodes,
                                         NeighborhoodBuilder.Progress progress) throws IOException {
        NeighborhoodConfig config = builder.config();
        int n = builder.graph().nodeCount(config.side());
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] < 0 || nodes[i] >= n) {
                throw new IllegalArgumentException("nodes[" + i + "]=" + nodes[i] + ": out of range [0, " + n + ")");
            }
        }
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.update(root)) {
            if (w.side() != config.side() || w.neighborSide() != config.neighborSide() || w.width() != config.topT()
                    || w.nodeCount() != n) {
                throw new IllegalArgumentException("store " + root + " holds side=" + w.side() + " neighborSide="
                        + w.neighborSide() + " width=" + w.width() + " nodeCount=" + w.nodeCount()
                        + ", but the update computes side=" + config.side() + " neighborSide=" + config.neighborSide()
                        + " topT=" + config.topT() + " nodeCount=" + n + ": rebuild it with buildAll");
            }
            int[] distinct = IntStream.of(nodes).distinct().toArray();
            builder.compute(distinct, distinct.length, w::writeRow, progress);
            return w.commit();
        }
    }
}
