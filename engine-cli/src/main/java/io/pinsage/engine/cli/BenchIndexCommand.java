package io.pinsage.engine.cli;

import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.bench.IndexBench;
import io.pinsage.engine.bench.SyntheticEmbeddings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code pinsage bench index DIR}: the index's recall and queries/s against the exact scan, in one run. With
 * {@code --synthetic N}, over N rows drawn from per-topic Gaussians fitted to DIR's trained embeddings
 * ({@link SyntheticEmbeddings}); with {@code --rows N}, over the first N of DIR's trained pin rows: either is
 * indexed in a work directory with the build parameters given, which also prints the build's time and bytes per
 * vector.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "The nearest-neighbour index against the exact SIMD scan on the same query pins: recall@k, queries/s, p50, p99;"
                + " with --synthetic N, over N rows drawn like DIR's trained embeddings, or with --rows N over the first N of"
                + " them, built here.")
final class BenchIndexCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory with embeddings and their index")
    Path dir;

    @Option(names = "--queries", defaultValue = "1000", description = "query pins (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--k", defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the query pins and of the synthetic rows (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--synthetic", paramLabel = "N", description = "measure N synthetic rows instead of DIR's: one Gaussian per"
            + " topic (pin p has topic p mod --topics), mean and covariance fitted to DIR's trained embeddings (default: DIR's own)")
    Integer synthetic;

    @Option(names = "--rows", paramLabel = "N", description = "measure the first N of DIR's trained pin rows instead of all:"
            + " copied into the work directory and indexed there with the build parameters given (the store's own index is"
            + " not read) (default: all of them, through the store's own index)")
    Integer rows;

    @Option(names = "--topics", defaultValue = "64", description = "with --synthetic: the topics of DIR's generated store (default ${DEFAULT-VALUE})")
    int topics;

    @Option(names = "--work", paramLabel = "WORK_DIR", description = "with --synthetic or --rows: where the rows and their index are"
            + " written and kept (default: a temporary directory, removed afterwards)")
    Path work;

    @Option(names = "--max-degree", defaultValue = "" + AnnIndex.DEFAULT_MAX_DEGREE,
            description = "with --synthetic or --rows: neighbours per node of the index built (default ${DEFAULT-VALUE})")
    int maxDegree;

    @Option(names = "--beam", defaultValue = "" + AnnIndex.DEFAULT_BEAM_WIDTH,
            description = "with --synthetic or --rows: candidates kept while building (default ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--search-beam", paramLabel = "B[,B..]", split = ",", defaultValue = "" + AnnIndex.DEFAULT_SEARCH_BEAM,
            description = "with --synthetic or --rows: candidates kept while searching, each measured against the same exact answers"
                    + " (default ${DEFAULT-VALUE}, the server's)")
    int[] searchBeams;

    @Override
    public Integer call() throws Exception {
        IndexBench.Options options = new IndexBench.Options(queries, k, seed);
        if (synthetic != null && rows != null) {
            throw new IllegalArgumentException("--rows, --synthetic: give one (trained rows or drawn ones)");
        }
        if (synthetic != null || rows != null) {
            return built(options);
        }
        // the graph is not walked: mapping it costs nothing
        try (PinSageEngine engine = PinSageEngine.open(dir, EngineOptions.builder().residency(Residency.MAPPED).walkTable(false).build())) {
            new IndexBench(engine, options, System.out).run();
        }
        return 0;
    }

    /** The measurement over rows written into the work directory (drawn, or a prefix of DIR's) and indexed there. */
    private int built(IndexBench.Options options) throws IOException {
        if (synthetic != null && synthetic < 2) {
            throw new IllegalArgumentException("--synthetic=" + synthetic + ": must be >= 2");
        }
        if (rows != null && rows < 2) {
            throw new IllegalArgumentException("--rows=" + rows + ": must be >= 2");
        }
        for (int b : searchBeams) {
            if (b < 1) {
                throw new IllegalArgumentException("--search-beam=" + b + ": must be >= 1");
            }
        }
        Path root = work == null ? Files.createTempDirectory("pinsage-bench-index") : work;
        try {
            Path rowsRoot = root.resolve("embeddings");
            int count = synthetic != null ? drawInto(rowsRoot) : copyInto(rowsRoot);
            try (EmbeddingStore embeddings = EmbeddingStore.open(rowsRoot, false)) {
                long t1 = System.nanoTime();
                StoreGeneration g = AnnIndex.build(embeddings, root.resolve("index"), maxDegree, beam);
                System.out.printf(Locale.ROOT, "build          degree %d, beam %d: %.1f s, %,d bytes (%.0f per vector, vectors included)%n",
                        maxDegree, beam, (System.nanoTime() - t1) / 1e9, g.totalBytes(), g.totalBytes() / (double) count);
                try (AnnIndex index = AnnIndex.open(root.resolve("index"), embeddings, false)) {
                    IndexBench.runOnRows(embeddings, index, searchBeams, options, System.out);
                }
            }
        } finally {
            if (work == null) {
                try (Stream<Path> paths = Files.walk(root)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        return 0;
    }

    /** {@code --synthetic} rows drawn like DIR's trained ones into {@code root}; their count. */
    private int drawInto(Path root) throws IOException {
        long t0 = System.nanoTime();
        SyntheticEmbeddings drawn;
        try (EmbeddingStore trained = EmbeddingPair.open(dir, Side.LEFT, false)) {
            try {
                drawn = SyntheticEmbeddings.fit(trained, topics);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e); // the option of that name
            }
            System.out.printf(Locale.ROOT, "synthetic      %,d rows of %d floats from %d Gaussians fitted to the %,d trained rows"
                    + " of %s%n", synthetic, drawn.dim(), topics, trained.nodeCount(), dir);
        }
        drawn.write(root, synthetic, seed, HexFormat.of().toHexDigits(seed) + HexFormat.of().toHexDigits(synthetic.longValue()));
        System.out.printf(Locale.ROOT, "synthetic      drawn and written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return synthetic;
    }

    /** The first {@code --rows} of DIR's trained pin rows, copied into {@code root} as they are; their count. */
    private int copyInto(Path root) throws IOException {
        long t0 = System.nanoTime();
        try (EmbeddingStore trained = EmbeddingPair.open(dir, Side.LEFT, false)) {
            if (rows > trained.nodeCount()) {
                throw new IllegalArgumentException("--rows=" + rows + ": the store holds " + trained.nodeCount() + " trained pin rows");
            }
            float[] row = new float[trained.dim()];
            try (EmbeddingStoreWriter out = EmbeddingStoreWriter.create(root, Side.LEFT, rows, trained.dim(),
                    trained.modelFingerprint(), trained.normalized())) {
                for (int u = 0; u < rows; u++) {
                    trained.read(u, row, 0);
                    out.writeRow(u, row, 0);
                }
                out.commit();
            }
            System.out.printf(Locale.ROOT, "trained        the first %,d of the %,d pin rows of %d floats of %s, copied in %.1f s%n",
                    rows, trained.nodeCount(), trained.dim(), dir, (System.nanoTime() - t0) / 1e9);
        }
        return rows;
    }
}
