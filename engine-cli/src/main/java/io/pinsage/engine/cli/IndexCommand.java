package io.pinsage.engine.cli;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.ann.AnnIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pinsage index DIR}: builds the nearest-neighbour index of the store's pin embeddings
 * ({@code DIR/embeddings.left}, checksums verified first) into {@code DIR/index.left} and prints its size and cost.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Build the nearest-neighbour index (jvector, by dot product) of a store's pin embeddings into DIR/index.left.")
final class IndexCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory whose embeddings.left was written by embed")
    Path dir;

    @Option(names = "--max-degree", defaultValue = "" + AnnIndex.DEFAULT_MAX_DEGREE,
            description = "neighbours per node in the graph's base layer (default ${DEFAULT-VALUE})")
    int maxDegree;

    @Option(names = "--beam", defaultValue = "" + AnnIndex.DEFAULT_BEAM_WIDTH,
            description = "candidates kept while building: more is slower and finds better neighbours (default ${DEFAULT-VALUE})")
    int beam;

    @Override
    public Integer call() throws Exception {
        Path embeddingRoot = EmbeddingStore.defaultRoot(dir, Side.LEFT);
        if (!StoreDirectory.isPublished(embeddingRoot)) {
            throw new IllegalArgumentException(embeddingRoot + ": no pin embeddings; write them with ./pinsage embed " + dir
                    + " --model MODEL_DIR");
        }
        long start = System.nanoTime();
        try (EmbeddingStore embeddings = EmbeddingPair.open(dir, Side.LEFT, true)) {
            StoreGeneration g = AnnIndex.build(embeddings, AnnIndex.defaultRoot(dir, Side.LEFT), maxDegree, beam);
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = g.totalBytes();
            System.out.printf("index: %,d pins of %d floats (%s), by dot product%s, degree %d, beam %d%n",
                    embeddings.nodeCount(), embeddings.dim(), embeddings.modelFingerprint(),
                    embeddings.normalized() ? " (the embeddings are normalised: cosine)" : "", maxDegree, beam);
            System.out.printf("built in %.1f s, %,d bytes (%.0f per vector, vectors included) in %s%n", seconds, bytes,
                    bytes / (double) Math.max(1, embeddings.nodeCount()), g.directory());
        }
        return 0;
    }
}
