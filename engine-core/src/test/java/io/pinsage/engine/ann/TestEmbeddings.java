package io.pinsage.engine.ann;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** Embedding stores of clustered unit vectors for the index's and the facade's tests. */
public final class TestEmbeddings {

    /** A fingerprint of the shape the store expects. */
    public static final String FINGERPRINT = "0123456789abcdef0123456789abcdef";

    private TestEmbeddings() {
    }

    /**
     * Publishes at {@code root} {@code nodes} L2-normalised rows of {@code dim} floats on {@code side}: node u lies
     * near the centre of cluster u mod {@code clusters}, so each node's nearest rows are its cluster's.
     */
    public static void write(Path root, Side side, int nodes, int dim, int clusters, long seed, String fingerprint)
            throws IOException {
        Random rnd = new Random(seed);
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = (float) rnd.nextGaussian();
            }
        }
        float[] row = new float[dim];
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(root, side, nodes, dim, fingerprint, true)) {
            for (int u = 0; u < nodes; u++) {
                double norm = 0;
                for (int j = 0; j < dim; j++) {
                    row[j] = centres[u % clusters][j] + 0.6f * (float) rnd.nextGaussian();
                    norm += row[j] * row[j];
                }
                for (int j = 0; j < dim; j++) {
                    row[j] /= (float) Math.sqrt(norm);
                }
                w.writeRow(u, row, 0);
            }
            w.commit();
        }
    }
}
