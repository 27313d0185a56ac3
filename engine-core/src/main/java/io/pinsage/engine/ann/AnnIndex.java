package io.pinsage.engine.ann;

import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;

/**
 * An approximate-nearest-neighbour index over an embedding store's rows: jvector's hierarchical graph
 * (HNSW layers over a Vamana base layer) written in jvector's on-disk format, searched by dot product, the score the
 * model ranks by (for L2-normalised embeddings that is the cosine). Answers carry the exact dot products, read from
 * the embedding store, so they compare directly with {@link ExactSearch}.
 *
 * <p>Files: a store root of its own beside the embeddings ({@link #defaultRoot}), published as one generation by
 * {@link StoreDirectory} (atomic, manifest with sizes):
 * <ul>
 *   <li>{@value #GRAPH_FILE}: jvector's on-disk graph with the vectors inline;</li>
 *   <li>{@value #META_FILE}: {@code version}, {@code similarity}, the embeddings' {@code fingerprint},
 *       {@code nodes} and {@code dim} it was built from, the graph's {@code maxDegree} and {@code beamWidth}, and
 *       the CRC32C of the graph file ({@code graphCrc32c}).</li>
 * </ul>
 * {@link #open} checks the manifest, the metadata against the embedding store (an index of other embeddings is
 * refused: rebuild it), jvector's own header checks, and with {@code verify} the graph's checksum.
 *
 * <p>Threading: {@link #search} is thread-safe (each call takes its own searcher); {@link #close()} must not run
 * while searches do. Cost: a search visits O(beam · degree · log n) nodes; a build is O(n · beam · degree)
 * similarity evaluations on all processors and holds the graph (about {@code 4 · maxDegree} bytes per node) on the
 * heap until it is written.
 */
public final class AnnIndex implements AutoCloseable {

    /** The graph file's name in the index generation. */
    public static final String GRAPH_FILE = "graph.jvector";
    /** The metadata file's name in the index generation. */
    public static final String META_FILE = "index.properties";
    /** The metadata's version: a reader refuses others. */
    public static final int VERSION = 1;
    /** Neighbours per node in the base layer. */
    public static final int DEFAULT_MAX_DEGREE = 32;
    /** Candidates kept while building. */
    public static final int DEFAULT_BEAM_WIDTH = 100;
    /**
     * Candidates kept while searching, at least k: the knob that trades speed for recall. 150: at 1 M rows of 64
     * floats drawn like trained embeddings, 100 gave recall@10 0.954 and 150 gave 0.971 (at 64x the exact scan's
     * queries/s), the margin those rows need, being a little easier than trained ones.
     */
    public static final int DEFAULT_SEARCH_BEAM = 150;

    private static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

    private final EmbeddingStore embeddings;
    private final ReaderSupplier reader;
    private final OnDiskGraphIndex graph;
    private final EmbeddingVectors vectors;
    private final Path root;

    private AnnIndex(Path root, EmbeddingStore embeddings, ReaderSupplier reader, OnDiskGraphIndex graph) {
        this.root = root;
        this.embeddings = embeddings;
        this.reader = reader;
        this.graph = graph;
        this.vectors = new EmbeddingVectors(embeddings);
    }

    /** Where the index of {@code side}'s embeddings for the graph store at {@code graphRoot} lives by convention. */
    public static Path defaultRoot(Path graphRoot, Side side) {
        return graphRoot.resolve("index." + side.name().toLowerCase(Locale.ROOT));
    }

    /**
     * Builds the index of {@code embeddings} and publishes it as a new generation of {@code root}.
     *
     * @return the published generation
     * @throws java.nio.file.FileSystemException another publication into {@code root} is in progress
     */
    public static StoreGeneration build(EmbeddingStore embeddings, Path root, int maxDegree, int beamWidth) throws IOException {
        if (maxDegree < 2 || beamWidth < maxDegree) {
            throw new IllegalArgumentException("maxDegree=" + maxDegree + " beamWidth=" + beamWidth
                    + ": expected maxDegree >= 2 and beamWidth >= maxDegree");
        }
        EmbeddingVectors vectors = new EmbeddingVectors(embeddings);
        try (Publication publication = StoreDirectory.beginPublication(root)) {
            Path graphFile = publication.directory().resolve(GRAPH_FILE);
            try (GraphIndexBuilder builder = new GraphIndexBuilder(vectors, SIMILARITY, maxDegree, beamWidth, 1.2f, 1.2f, true)) {
                ImmutableGraphIndex graph = builder.build(vectors);
                OnDiskGraphIndex.write(graph, vectors, graphFile);
            }
            Properties meta = new Properties();
            meta.setProperty("version", Integer.toString(VERSION));
            meta.setProperty("similarity", "dot");
            meta.setProperty("fingerprint", embeddings.modelFingerprint());
            meta.setProperty("nodes", Integer.toString(embeddings.nodeCount()));
            meta.setProperty("dim", Integer.toString(embeddings.dim()));
            meta.setProperty("normalized", Boolean.toString(embeddings.normalized()));
            meta.setProperty("maxDegree", Integer.toString(maxDegree));
            meta.setProperty("beamWidth", Integer.toString(beamWidth));
            meta.setProperty("graphCrc32c", Long.toHexString(crc32c(graphFile)));
            try (Writer w = Files.newBufferedWriter(publication.directory().resolve(META_FILE), StandardCharsets.UTF_8)) {
                meta.store(w, "PinSage ANN index");
            }
            return publication.commit();
        }
    }

    /**
     * Opens the published index at {@code root} over {@code embeddings}, which it must have been built from. The
     * index does not own {@code embeddings}: close the index first.
     *
     * @param verify also recompute the graph file's checksum (one sequential read of it)
     * @throws CorruptStoreException naming the file: a missing, truncated or foreign file, metadata of another
     *                               version or of other embeddings, a checksum mismatch, or a graph jvector refuses
     */
    public static AnnIndex open(Path root, EmbeddingStore embeddings, boolean verify) throws IOException {
        StoreGeneration generation = StoreDirectory.openCurrent(root);
        Path metaFile = generation.file(META_FILE);
        Path graphFile = generation.file(GRAPH_FILE);
        Properties meta = new Properties();
        try (Reader r = Files.newBufferedReader(metaFile, StandardCharsets.UTF_8)) {
            meta.load(r);
        } catch (IllegalArgumentException e) {
            throw new CorruptStoreException(metaFile, "unreadable: " + e.getMessage());
        }
        expect(metaFile, meta, "version", Integer.toString(VERSION));
        expect(metaFile, meta, "similarity", "dot");
        expect(metaFile, meta, "fingerprint", embeddings.modelFingerprint());
        expect(metaFile, meta, "nodes", Integer.toString(embeddings.nodeCount()));
        expect(metaFile, meta, "dim", Integer.toString(embeddings.dim()));
        String crc = meta.getProperty("graphCrc32c");
        if (crc == null) {
            throw new CorruptStoreException(metaFile, "no graphCrc32c");
        }
        if (verify && !crc.equals(Long.toHexString(crc32c(graphFile)))) {
            throw new CorruptStoreException(graphFile, "checksum mismatch: CRC32C " + Long.toHexString(crc32c(graphFile))
                    + ", " + META_FILE + " records " + crc);
        }
        ReaderSupplier reader = ReaderSupplierFactory.open(graphFile);
        try {
            OnDiskGraphIndex graph = OnDiskGraphIndex.load(reader);
            if (graph.size(0) != embeddings.nodeCount() || graph.getDimension() != embeddings.dim()) {
                throw new CorruptStoreException(graphFile, "holds " + graph.size(0) + " vectors of " + graph.getDimension()
                        + " floats; the embeddings have " + embeddings.nodeCount() + " of " + embeddings.dim());
            }
            return new AnnIndex(root, embeddings, reader, graph);
        } catch (CorruptStoreException e) {
            reader.close();
            throw e;
        } catch (RuntimeException e) {
            reader.close();
            throw new CorruptStoreException(graphFile, "jvector cannot read the graph: " + e);
        }
    }

    private static void expect(Path file, Properties meta, String key, String want) throws CorruptStoreException {
        String got = meta.getProperty(key);
        if (!want.equals(got)) {
            throw new CorruptStoreException(file, key + "=" + got + ", expected " + want
                    + (key.equals("version") || key.equals("similarity") ? "" : " (the embeddings changed: rebuild the index)"));
        }
    }

    private static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    /** The index's root directory. */
    public Path root() {
        return root;
    }

    /** Nodes in the index. */
    public int size() {
        return graph.size(0);
    }

    /** Neighbours per node in the base layer. */
    public int maxDegree() {
        return graph.maxDegree();
    }

    /**
     * About the {@code k} rows with the largest dot product with {@code query} among those {@code accept} admits
     * ({@code null}: all), best first, with their exact dot products.
     *
     * @param beam candidates kept while searching (raised to k): more finds more of the exact answer, slower
     * @throws IllegalArgumentException {@code query.length != dim} or {@code k < 0}
     */
    public Neighbors search(float[] query, int k, int beam, IntPredicate accept) {
        Objects.requireNonNull(query, "query");
        if (query.length != embeddings.dim()) {
            throw new IllegalArgumentException("query.length=" + query.length + ": expected dim=" + embeddings.dim());
        }
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        if (k == 0) {
            return new Neighbors(new int[0], new float[0]);
        }
        Bits bits = accept == null ? Bits.ALL : accept::test;
        SearchResult result = GraphSearcher.search(EmbeddingVectors.of(query), k, Math.max(k, beam), vectors, SIMILARITY,
                graph, bits);
        SearchResult.NodeScore[] nodes = result.getNodes();
        int[] rows = new int[nodes.length];
        float[] scores = new float[nodes.length];
        long rowBytes = 4L * embeddings.dim();
        for (int i = 0; i < nodes.length; i++) {
            rows[i] = nodes[i].node;
            scores[i] = ExactSearch.dot(embeddings.vectors(), rows[i] * rowBytes, query);
        }
        return new Neighbors(rows, scores);
    }

    /** Closes the graph file; the embedding store stays open. */
    @Override
    public void close() throws IOException {
        graph.close();
        reader.close();
    }
}
