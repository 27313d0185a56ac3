package io.pinsage.engine.bench;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Rows drawn from the per-topic Gaussians have the trained rows' per-topic means and covariances. */
class SyntheticEmbeddingsTest {

    @TempDir
    Path dir;

    @Test
    void drawnRowsShouldHaveTheMeansAndCovariancesOfTheTrainedRowsPerTopic() throws Exception {
        long seed = 42;
        int dim = 4;
        int topics = 3;
        // topic t: mean (t, -2t, 1, 0); coordinates 0 and 1 correlated, coordinate 3 of width t + 1
        Random rnd = new Random(seed);
        Path trainedRoot = dir.resolve("trained");
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(trainedRoot, Side.LEFT, 30_000, dim,
                "0123456789abcdef0123456789abcdef", false)) {
            float[] row = new float[dim];
            for (int r = 0; r < 30_000; r++) {
                int t = r % topics;
                double a = rnd.nextGaussian();
                row[0] = (float) (t + a);
                row[1] = (float) (-2 * t + 0.5 * a + 0.5 * rnd.nextGaussian());
                row[2] = 1;
                row[3] = (float) ((t + 1) * rnd.nextGaussian());
                w.writeRow(r, row, 0);
            }
            w.commit();
        }
        Path drawnRoot = dir.resolve("drawn");
        try (EmbeddingStore trained = EmbeddingStore.open(trainedRoot, true)) {
            SyntheticEmbeddings.fit(trained, topics).write(drawnRoot, 30_000, seed, "00000000000000000000000000000001");
            assertThrows(IllegalArgumentException.class, () -> SyntheticEmbeddings.fit(trained, 10_000));
        }
        try (EmbeddingStore drawn = EmbeddingStore.open(drawnRoot, true)) {
            assertFalse(drawn.normalized());
            for (int t = 0; t < topics; t++) {
                double[] mean = new double[dim];
                double[] cross = new double[3]; // E[x0 x1], E[x0²], E[x3²]
                int n = 0;
                float[] row = new float[dim];
                for (int r = t; r < drawn.nodeCount(); r += topics, n++) {
                    drawn.read(r, row, 0);
                    for (int c = 0; c < dim; c++) {
                        mean[c] += row[c];
                    }
                    cross[0] += (row[0] - t) * (row[1] + 2.0 * t);
                    cross[1] += (row[0] - t) * (row[0] - t);
                    cross[2] += row[3] * (double) row[3];
                }
                String at = "seed=" + seed + " topic " + t;
                assertEquals(t, mean[0] / n, 0.05, at);
                assertEquals(-2 * t, mean[1] / n, 0.05, at);
                assertEquals(1, mean[2] / n, 0.01, at);
                assertEquals(0, mean[3] / n, 0.1, at);
                assertEquals(0.5, cross[0] / n, 0.05, at);
                assertEquals(1, cross[1] / n, 0.05, at);
                assertEquals((t + 1) * (t + 1), cross[2] / n, 0.1 * (t + 1) * (t + 1), at);
            }
        }
    }
}
