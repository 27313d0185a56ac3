package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.NeighborhoodKind;
import io.pinsage.walk.PixieEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The neighbourhood stores a model directory keeps beside its model, {@code neighborhoods.left} and
 * {@code neighborhoods.right} ({@link NeighborhoodStore#defaultRoot}): the rows the model was trained with, which
 * evaluation and a resumed run map again. Both sides' rows are computed by the walk engine's
 * {@link NeighborhoodBuilder} and published by {@link NeighborhoodStores}.
 *
 * <p>Threading: one build or open per directory at a time; the builds run {@code threads} workers. Errors: a directory
 * of an older version (a {@value #OLD_TABLE} table) is refused with what to do, before anything is read.
 */
final class ModelNeighborhoods {

    /** The neighbourhood table of model directories of earlier versions. */
    static final String OLD_TABLE = "neighbourhoods.bin";

    /** Restart probability of the walks, as {@link NeighborhoodConfig#defaults} has it. */
    static final double ALPHA = 0.5;

    private ModelNeighborhoods() {
    }

    /**
     * The rows of a model over a bipartite graph: every node of both sides gets up to {@code t} rows of {@code kind};
     * when {@code rightAdjacent > 0} the right nodes (users, boards) get up to that many of their own left neighbours
     * ({@link NeighborhoodKind#ADJACENT}) instead.
     *
     * @return the left side's configuration, then the right side's
     */
    static NeighborhoodConfig[] configs(NeighborhoodKind kind, int t, int steps, long seed, int rightAdjacent) {
        NeighborhoodConfig left = new NeighborhoodConfig(Side.LEFT, t, steps, ALPHA, PixieEngine.DEFAULT_LANES, seed, kind);
        NeighborhoodConfig right = rightAdjacent > 0
                ? new NeighborhoodConfig(Side.RIGHT, rightAdjacent, steps, ALPHA, PixieEngine.DEFAULT_LANES, seed,
                NeighborhoodKind.ADJACENT)
                : new NeighborhoodConfig(Side.RIGHT, t, steps, ALPHA, PixieEngine.DEFAULT_LANES, seed, kind);
        return new NeighborhoodConfig[] {left, right};
    }

    /** Whether {@code dir} holds both stores. */
    static boolean exist(Path dir) {
        return StoreDirectory.isPublished(root(dir, Side.LEFT)) && StoreDirectory.isPublished(root(dir, Side.RIGHT));
    }

    static Path root(Path dir, Side side) {
        return NeighborhoodStore.defaultRoot(dir, side);
    }

    /**
     * Computes both sides' rows over {@code graph} and publishes them into {@code dir} (replacing stores there),
     * then maps them.
     *
     * @param progress given the number of nodes finished, both sides counted, from the calling thread
     */
    static MappedNeighborhoods build(BipartiteGraph graph, Path dir, NeighborhoodConfig[] configs, int threads,
                                     LongConsumer progress) throws IOException {
        requireCurrent(dir);
        long before = 0;
        for (NeighborhoodConfig c : configs) {
            long offset = before;
            NeighborhoodStores.buildAll(new NeighborhoodBuilder(graph, c, threads), root(dir, c.side()),
                    (done, total) -> progress.accept(offset + done));
            before += graph.nodeCount(c.side());
        }
        return MappedNeighborhoods.open(NodeSpace.of(graph), root(dir, Side.LEFT), root(dir, Side.RIGHT), false);
    }

    /**
     * The rows {@code configs} ask for, mapped from {@code dir}, computed only where no store holds them already: for
     * each side, the model directory's own store when it was built with these settings (a resume, or a finished run),
     * else the graph store's ({@code storeDir/neighborhoods.<side>}, as {@code neighborhoods} writes it) when it was,
     * published into {@code dir} as links to its files ({@link NeighborhoodStores#publishLinked}), else a new build.
     * A store matches when its node count, sides, T, steps and seed (the header), its kind of row and restart
     * probability ({@link NeighborhoodFormat#SETTINGS_FILE}) and, given a graph store, the generation its rows were
     * computed from are those asked for; lanes only change which walks are taken, not their distribution, and are not
     * compared. Reused stores are verified (checksums and ids).
     *
     * @param graphStore the generation of the graph store {@code graph} is, whose neighbourhood stores may be reused
     *                   and which the rows built here record; null for none
     * @param progress as {@link #build}; not called for a side that is reused
     * @param notes    one line per side: what was reused, or why the rows were built
     */
    static MappedNeighborhoods prepare(BipartiteGraph graph, Path dir, StoreGeneration graphStore,
                                       NeighborhoodConfig[] configs, int threads, LongConsumer progress,
                                       Consumer<String> notes) throws IOException {
        requireCurrent(dir);
        String graphId = graphStore == null ? null : NeighborhoodStores.graphId(graphStore);
        long before = 0;
        boolean reused = false;
        for (NeighborhoodConfig c : configs) {
            long offset = before;
            int nodes = graph.nodeCount(c.side());
            Path own = root(dir, c.side());
            String ownDiffers = differs(own, c, nodes, graphId);
            Path shared = graphStore == null ? null : root(graphStore.root(), c.side());
            String sharedDiffers = shared == null ? null : differs(shared, c, nodes, graphId);
            if (ownDiffers == null) {
                notes.accept("neighbourhoods: " + own + " reused (" + asked(c) + ")");
                reused = true;
            } else if (shared != null && sharedDiffers == null) {
                NeighborhoodStores.publishLinked(shared, own);
                notes.accept("neighbourhoods: " + shared + " reused for " + own + " (" + asked(c) + ")");
                reused = true;
            } else {
                notes.accept("neighbourhoods: building " + own + " (" + asked(c) + "): " + own + " " + ownDiffers
                        + (shared == null ? "" : "; " + shared + " " + sharedDiffers));
                NeighborhoodStores.buildAll(new NeighborhoodBuilder(graph, c, threads), own, graphId,
                        (done, total) -> progress.accept(offset + done));
            }
            before += nodes;
        }
        return MappedNeighborhoods.open(NodeSpace.of(graph), root(dir, Side.LEFT), root(dir, Side.RIGHT), reused);
    }

    private static String asked(NeighborhoodConfig c) {
        return c.side() + " rows: kind=" + c.kind() + " T=" + c.topT() + " steps=" + c.stepsPerNode() + " seed=" + c.seed()
                + " alpha=" + c.alpha();
    }

    /**
     * Null when the store published under {@code root} holds the rows {@code c} asks for over a side of {@code nodes}
     * nodes (computed from the graph {@code graphId}, when not null), else what differs ("is absent", "was built
     * with ...").
     */
    static String differs(Path root, NeighborhoodConfig c, int nodes, String graphId) throws IOException {
        if (!StoreDirectory.isPublished(root)) {
            return "is absent";
        }
        try (NeighborhoodStore s = NeighborhoodStore.open(root, false)) {
            String settings = s.settings().orElse("");
            String kind = NeighborhoodStores.setting(settings, "kind");
            String alpha = NeighborhoodStores.setting(settings, "alpha");
            if (kind == null || alpha == null) {
                return "does not record its kind of row (written before stores recorded it)";
            }
            String from = NeighborhoodStores.setting(settings, "graph");
            if (graphId != null && !graphId.equals(from)) {
                return "was computed from " + (from == null ? "a graph it does not record" : "the graph " + from)
                        + ", not from " + graphId;
            }
            boolean same = s.nodeCount() == nodes && s.side() == c.side() && s.neighborSide() == c.neighborSide()
                    && s.width() == c.topT() && s.stepsPerNode() == c.stepsPerNode() && s.seed() == c.seed()
                    && kind.equals(c.kind().name()) && Double.parseDouble(alpha) == c.alpha();
            return same ? null : "was built with nodes=" + s.nodeCount() + " kind=" + kind + " T=" + s.width() + " steps="
                    + s.stepsPerNode() + " seed=" + s.seed() + " alpha=" + alpha + " neighborSide=" + s.neighborSide()
                    + " (asked: nodes=" + nodes + ")";
        } catch (CorruptStoreException | NumberFormatException e) {
            return "is unreadable (" + e.getMessage() + ")";
        }
    }

    /**
     * Maps the stores of {@code dir}, verified (checksums, and every id against the node space).
     *
     * @param configs when not null, the rows asked for: stores of another width, step count or seed are refused
     * @throws IllegalArgumentException if a store was built with other settings or for another graph
     */
    static MappedNeighborhoods open(Path dir, NodeSpace space, NeighborhoodConfig[] configs) throws IOException {
        requireCurrent(dir);
        MappedNeighborhoods hood = MappedNeighborhoods.open(space, root(dir, Side.LEFT), root(dir, Side.RIGHT), true);
        try {
            if (configs != null) {
                for (NeighborhoodConfig c : configs) {
                    requireBuiltWith(hood.store(c.side()), c);
                }
            }
            return hood;
        } catch (RuntimeException e) {
            hood.close();
            throw e;
        }
    }

    private static void requireBuiltWith(NeighborhoodStore s, NeighborhoodConfig c) {
        if (s.width() != c.topT() || s.neighborSide() != c.neighborSide() || s.stepsPerNode() != c.stepsPerNode()
                || s.seed() != c.seed()) {
            throw new IllegalArgumentException(s.path() + " was built with width=" + s.width() + " neighborSide="
                    + s.neighborSide() + " steps=" + s.stepsPerNode() + " seed=" + s.seed() + ", but this run asks for width="
                    + c.topT() + " neighborSide=" + c.neighborSide() + " steps=" + c.stepsPerNode() + " seed=" + c.seed()
                    + ": train into another directory");
        }
    }

    /** @throws IllegalArgumentException if {@code dir} holds the neighbourhood table of an earlier version */
    static void requireCurrent(Path dir) {
        Path old = dir.resolve(OLD_TABLE);
        if (Files.exists(old)) {
            throw new IllegalArgumentException(old + ": a model directory of an earlier version (a neighbourhood table, "
                    + "where models now keep neighbourhood stores); retrain the model into a new directory");
        }
    }
}
