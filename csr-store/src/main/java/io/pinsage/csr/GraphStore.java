package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileFormat;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.format.StoreLineage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A published graph store opened for reading: the graph ({@link MappedCsrGraph}), the optional feature matrices,
 * id maps and engagement pairs of its generation. This is how services and algorithms open a store:
 * <pre>{@code
 * try (GraphStore store = GraphStore.open(Path.of("store"))) {
 *     BipartiteGraph g = store.graph();
 *     FeatureMatrix pins = store.features(Side.LEFT).orElseThrow();
 * }
 * }</pre>
 *
 * <p>Threading: immutable once open; all accessors are safe from any number of threads. {@link #close()} unmaps
 * everything and must not race with readers. Errors: {@link #open} checks the manifest, every file's header,
 * that no file is foreign to a graph store, the graph's structure ({@link MappedCsrGraph#open}: every offset) and
 * that every engagement pair names nodes of the graph, reading the offsets and pairs once; {@link #verify()}
 * checks every checksum and every neighbour id.
 */
public final class GraphStore implements AutoCloseable {

    private final StoreGeneration generation;
    private final Arena arena = Arena.ofShared();
    private final MappedCsrGraph graph;
    private final FeatureMatrix[] features = new FeatureMatrix[2];
    private final IdMap[] idMaps = new IdMap[2];
    private final EngagementPairs pairs;

    private GraphStore(StoreGeneration generation, Residency residency) throws IOException {
        this.generation = generation;
        MappedCsrGraph g = null;
        try {
            for (String name : generation.files().keySet()) {
                if (CsrLayout.formatOf(name).isEmpty() && !name.equals(StoreLineage.FILE)) {
                    throw new CorruptStoreException(generation.file(name), "foreign file: not part of a graph store");
                }
            }
            g = MappedCsrGraph.open(generation, residency);
            for (Side side : Side.values()) {
                String f = CsrLayout.features(side);
                if (generation.files().containsKey(f)) {
                    features[side.ordinal()] = FeatureMatrix.open(generation.file(f), side, g.nodeCount(side), arena);
                }
                if (generation.files().containsKey(CsrLayout.idList(side))) {
                    idMaps[side.ordinal()] = IdMap.open(generation, side, g.nodeCount(side), arena);
                }
            }
            pairs = generation.files().containsKey(CsrLayout.PAIRS) ? EngagementPairs.open(generation.file(CsrLayout.PAIRS), g, arena) : null;
        } catch (IOException | RuntimeException e) {
            close(g);
            throw e;
        }
        this.graph = g;
    }

    private void close(MappedCsrGraph g) {
        if (g != null) {
            g.close();
        }
        arena.close();
    }

    /** Opens the published generation of the store at {@code root}. */
    public static GraphStore open(Path root) throws IOException {
        return open(root, Residency.MAPPED);
    }

    /**
     * As {@link #open(Path)}, keeping the graph's adjacency as {@code residency} says (features stay mapped). A
     * generation that a concurrent publication replaces while it is being opened is given up for the new one.
     */
    public static GraphStore open(Path root, Residency residency) throws IOException {
        return StoreDirectory.openCurrent(root, g -> new GraphStore(g, residency));
    }

    /**
     * Opens one given generation, published or not: {@link io.pinsage.csr.format.Publication#pendingGeneration()}
     * lets a writer open and {@link #verify()} a store it has written before committing it.
     */
    public static GraphStore open(StoreGeneration generation, Residency residency) throws IOException {
        return new GraphStore(generation, residency);
    }

    public StoreGeneration generation() {
        return generation;
    }

    /** The graph; valid until this store is closed. */
    public MappedCsrGraph graph() {
        return graph;
    }

    /** The feature matrix of {@code side}, if the store has one. */
    public Optional<FeatureMatrix> features(Side side) {
        return Optional.ofNullable(features[side.ordinal()]);
    }

    /** The id mapping of {@code side}, if the store was built from external ids. */
    public Optional<IdMap> ids(Side side) {
        return Optional.ofNullable(idMaps[side.ordinal()]);
    }

    /**
     * The dense id of the node that {@code text} names on {@code side}: through the side's id map when the store
     * has one (a long or a string external id, as the map holds), else {@link #parseDenseId parsed as a dense id}.
     * Surrounding blanks are ignored. O(length of text) expected; thread-safe.
     *
     * @throws UnknownIdException {@code text} is not in the id map, is not an integer where the map holds long
     *                            ids, or (without a map) is not a dense id of {@code side}
     */
    public int denseId(Side side, String text) {
        IdMap map = idMaps[side.ordinal()];
        if (map == null) {
            return parseDenseId(side, text);
        }
        String t = text.trim();
        int dense;
        if (map.kind() == IdKind.LONG) {
            long external;
            try {
                external = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new UnknownIdException(side, t, "expected an integer id");
            }
            dense = map.dense(external);
        } else {
            dense = map.dense(t);
        }
        if (dense < 0) {
            throw new UnknownIdException(side, t, "not in the store's id map");
        }
        return dense;
    }

    /**
     * {@code text} read as a dense id of {@code side}, whether or not the store has an id map (for callers that
     * address nodes by position). Surrounding blanks are ignored; thread-safe.
     *
     * @throws UnknownIdException {@code text} is not an integer in {@code [0, nodeCount(side))}
     */
    public int parseDenseId(Side side, String text) {
        String t = text.trim();
        int nodes = graph.nodeCount(side);
        try {
            int dense = Integer.parseInt(t);
            if (dense >= 0 && dense < nodes) {
                return dense;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new UnknownIdException(side, t, "expected a dense id in [0, " + nodes + ")");
    }

    /** Held-out engagement pairs, if the store has them. */
    public Optional<EngagementPairs> pairs() {
        return Optional.ofNullable(pairs);
    }

    /** {@code ln(1 + degree)}: the degree feature PinSage feeds its first layer. O(1). */
    public float logDegree(Side side, int node) {
        return LogDegree.of(graph.degree(side, node));
    }

    /**
     * Checks every checksum of every framed file, the graph's invariants, and the id maps against their
     * reverse lists. Cost: a full read of the store.
     *
     * @throws CorruptStoreException naming the first damaged file
     */
    public void verify() throws IOException {
        graph.verify();
        StoreLineage.read(generation);
        for (String name : generation.files().keySet()) {
            Optional<FileFormat> format = CsrLayout.formatOf(name);
            if (format.isPresent() && format.get() != NeighborShardFormat.NEIGHBORS && format.get() != NeighborShardFormat.WEIGHTS
                    && format.get() != OffsetsFormat.INSTANCE) {
                try (Arena a = Arena.ofConfined()) {
                    MappedStoreFile.open(generation.file(name), format.get(), a).verifyChecksum();
                }
            }
        }
        for (IdMap m : idMaps) {
            if (m != null) {
                m.verify();
            }
        }
    }

    @Override
    public void close() {
        close(graph);
    }
}
