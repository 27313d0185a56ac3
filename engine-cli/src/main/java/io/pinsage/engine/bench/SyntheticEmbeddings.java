package io.pinsage.engine.bench;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Embeddings of any row count drawn like a trained model's: one Gaussian per topic, its mean and full covariance
 * fitted to the rows of a trained embedding store whose pin {@code p} has topic {@code p mod topics} (the
 * generator's rule), and row {@code r} drawn from topic {@code r mod topics}. So the synthetic rows keep what makes
 * nearest-neighbour search over the trained ones easy or hard: the shared offset, the spectrum (a trained model's
 * rows use few of their dimensions), the norms and how far apart the topics lie. They lose the structure within a
 * topic (boards, popular pins), and their 10th and 11th nearest lie further apart (median gap 3.4% of the top ten's
 * spread, against 2.2% for the trained rows); on the quickstart's store that left them a little easier for the index
 * than the trained rows (recall@10 0.981 against 0.964, same parameters, 200,000 rows each), so a target met on them
 * should be met with that margin.
 *
 * <p>Not thread-safe. Memory: {@code topics × dim²} doubles; the rows go straight to the mapped store. Cost: one pass
 * over the trained rows ({@code dim²} per row), then {@code dim²} multiply-adds per drawn row.
 */
public final class SyntheticEmbeddings {

    private final int topics;
    private final int dim;
    private final double[][] means;
    /** Per topic, the lower Cholesky factor of its covariance, row-major. */
    private final double[][] factors;

    private SyntheticEmbeddings(int topics, int dim, double[][] means, double[][] factors) {
        this.topics = topics;
        this.dim = dim;
        this.means = means;
        this.factors = factors;
    }

    /**
     * Fits a Gaussian per topic to the rows of {@code trained}.
     *
     * @throws IllegalArgumentException {@code topics} is below 1, or some topic has fewer than {@code dim + 1} rows
     */
    public static SyntheticEmbeddings fit(EmbeddingStore trained, int topics) {
        int dim = trained.dim();
        int rows = trained.nodeCount();
        if (topics < 1 || (long) topics * (dim + 1) > rows) {
            throw new IllegalArgumentException("topics=" + topics + ": expected 1 to " + rows / (dim + 1) + ", so that every topic"
                    + " of the " + rows + " rows has more rows than the " + dim + " dimensions");
        }
        double[][] sums = new double[topics][dim];
        double[][] products = new double[topics][dim * dim];
        long[] counts = new long[topics];
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            int t = r % topics;
            trained.read(r, row, 0);
            counts[t]++;
            for (int i = 0; i < dim; i++) {
                sums[t][i] += row[i];
                for (int j = 0; j <= i; j++) {
                    products[t][i * dim + j] += (double) row[i] * row[j];
                }
            }
        }
        double[][] factors = new double[topics][];
        for (int t = 0; t < topics; t++) {
            double n = counts[t];
            double[] cov = new double[dim * dim];
            for (int i = 0; i < dim; i++) {
                sums[t][i] /= n;
            }
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j <= i; j++) {
                    cov[i * dim + j] = products[t][i * dim + j] / n - sums[t][i] * sums[t][j];
                }
            }
            factors[t] = cholesky(cov, dim);
        }
        return new SyntheticEmbeddings(topics, dim, sums, factors);
    }

    /**
     * The lower factor L of the symmetric matrix whose lower triangle {@code a} holds, {@code L Lᵀ = a}; a ridge of a
     * millionth of the mean variance keeps it defined where the trained rows leave a direction unused.
     */
    static double[] cholesky(double[] a, int dim) {
        double trace = 0;
        for (int i = 0; i < dim; i++) {
            trace += a[i * dim + i];
        }
        double ridge = 1e-6 * trace / dim + Double.MIN_NORMAL;
        double[] l = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * dim + j] + (i == j ? ridge : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i * dim + k] * l[j * dim + k];
                }
                l[i * dim + j] = i == j ? Math.sqrt(Math.max(s, ridge)) : s / l[j * dim + j];
            }
        }
        return l;
    }

    /** Floats per row. */
    public int dim() {
        return dim;
    }

    /** Writes row {@code r}, drawn from topic {@code r mod topics}, into {@code out}. */
    public void draw(int r, SplittableRandom random, double[] z, float[] out) {
        int t = r % topics;
        for (int i = 0; i < dim; i++) {
            z[i] = gaussian(random);
        }
        double[] l = factors[t];
        for (int i = 0; i < dim; i++) {
            double v = means[t][i];
            for (int k = 0; k <= i; k++) {
                v += l[i * dim + k] * z[k];
            }
            out[i] = (float) v;
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller, one of the pair: the rows' cost is the dim² product, not this
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * Publishes {@code rows} drawn rows, seeded, as an embedding store at {@code root}, marked unnormalised (drawn rows
     * are not of unit length), so searched by dot product.
     */
    public StoreGeneration write(Path root, int rows, long seed, String fingerprint) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        double[] z = new double[dim];
        float[] row = new float[dim];
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(root, Side.LEFT, rows, dim, fingerprint, false)) {
            for (int r = 0; r < rows; r++) {
                draw(r, random, z, row);
                w.writeRow(r, row, 0);
            }
            return w.commit();
        }
    }
}
