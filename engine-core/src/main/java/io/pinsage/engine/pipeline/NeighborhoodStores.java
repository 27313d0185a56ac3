package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.csr.neighborhood.NeighborhoodStoreWriter;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;

import java.io.IOException;
import java.nio.file.Files;
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
        return buildAll(builder, root, null, progress);
    }

    /**
     * As {@link #buildAll(NeighborhoodBuilder, Path, NeighborhoodBuilder.Progress)}, recording that the rows were
     * computed from {@code graph} ({@link #graphId}; null records nothing), so that training takes them only for that
     * graph.
     */
    public static StoreGeneration buildAll(NeighborhoodBuilder builder, Path root, String graph,
                                           NeighborhoodBuilder.Progress progress) throws IOException {
        NeighborhoodConfig config = builder.config();
        int n = builder.graph().nodeCount(config.side());
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, config.side(), config.neighborSide(), n,
                config.topT(), config.stepsPerNode(), config.seed())) {
            w.recordSettings(settings(config, graph));
            builder.compute(null, n, w::writeRow, progress);
            return w.commit();
        }
    }

    /**
     * What a store records of {@code config} beyond its header's counts ({@link NeighborhoodFormat#SETTINGS_FILE}):
     * the kind of row, the restart probability, the lanes and, when known, the graph the rows were computed from.
     */
    static String settings(NeighborhoodConfig config, String graph) {
        return "kind=" + config.kind() + "\nalpha=" + config.alpha() + "\nlanes=" + config.lanes() + "\n"
                + (graph == null ? "" : "graph=" + graph + "\n");
    }

    /** The name a store's rows record for the graph of {@code generation}: its directory, absolute. */
    public static String graphId(StoreGeneration generation) {
        return generation.directory().toAbsolutePath().normalize().toString();
    }

    /** The value of {@code key} in {@code settings} as {@link #settings} writes them, or null when absent. */
    static String setting(String settings, String key) {
        for (String line : settings.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        return null;
    }

    /**
     * Publishes under {@code root} a generation holding the rows published under {@code source} (checked against
     * their checksum first): the files are hard links where both lie on one file system, else copies, so nothing is
     * recomputed and {@code source} may be republished or deleted afterwards without changing them.
     *
     * @throws io.pinsage.csr.format.CorruptStoreException naming the file if the source's rows are damaged
     */
    public static StoreGeneration publishLinked(Path source, Path root) throws IOException {
        StoreGeneration from = StoreDirectory.openCurrent(source);
        NeighborhoodStore.open(source, true).close();
        try (Publication p = StoreDirectory.beginPublication(root)) {
            for (String name : new String[] {NeighborhoodFormat.FILE_NAME, NeighborhoodFormat.SETTINGS_FILE}) {
                Path file = from.file(name);
                if (Files.exists(file)) {
                    linkOrCopy(file, p.directory().resolve(name));
                }
            }
            return p.commit();
        }
    }

    private static void linkOrCopy(Path file, Path target) throws IOException {
        try {
            Files.createLink(target, file);
        } catch (UnsupportedOperationException | IOException e) {
            // another file system, or links not supported: the rows are copied instead
            Files.deleteIfExists(target);
            Files.copy(file, target);
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
            // the rows now mix two graphs: the record names none, so training does not take them for either
            w.recordSettings(settings(config, null));
            int[] distinct = IntStream.of(nodes).distinct().toArray();
            builder.compute(distinct, distinct.length, w::writeRow, progress);
            return w.commit();
        }
    }
}
