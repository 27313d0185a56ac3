package io.pinsage.csr;

import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileWriter;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A synthetic pin–board graph with the structure PinSage and Pixie exploit, deterministic from its
 * {@link GeneratorConfig}:
 * <ul>
 *   <li>latent topics: pin {@code p} has topic {@code p % topics}; board {@code b} has a topic drawn from a hash
 *       of the seed and {@code b};</li>
 *   <li>board sizes follow a power law (size of the board of rank r proportional to (r + 1)<sup>-0.8</sup>,
 *       every board at least 1) and sum to exactly {@code edges};</li>
 *   <li>each edge of a board picks, with probability {@code topicFocus}, a pin of the board's topic, else a
 *       pin of a uniformly drawn topic; a catch-all board (a {@code diverseBoards} fraction, chosen by a hash of the
 *       seed and the board) always draws the topic uniformly; within a topic, pin popularity is Zipf-like (the index drawn as
 *       {@code n * u^5}, density proportional to index<sup>-0.8</sup>) and scattered over the topic's pins by a
 *       fixed permutation, so popular pins are spread over the id range;</li>
 *   <li>pin features are the topic's unit centroid plus Gaussian noise; topics {@code 2i} and {@code 2i+1}
 *       for {@code i < confusableTopicPairs} get centroids 0.05 apart, so content alone confuses them and
 *       only the graph separates them;</li>
 *   <li>held-out engagement pairs: two pins drawn from the same board topic process, not added to the graph.</li>
 * </ul>
 * Edges are generated in chunks of boards, each chunk from its own random stream, so the set of edges does not
 * depend on the number of threads. Thread-safe: all state is immutable after construction.
 */
public final class PinBoardGenerator {

    private static final int BOARDS_PER_CHUNK = 1 << 12;
    private static final double SIZE_EXPONENT = 0.8;
    private static final double CONFUSABLE_DISTANCE = 0.05;

    private final GeneratorConfig config;
    private final int[] boardSize;
    /** Per topic: scatters a popularity index over the topic's pins. */
    private final AffinePermutation[] topicScatter;

    /** @throws IllegalArgumentException if the generator's per-board sizes alone could not fit the heap */
    public PinBoardGenerator(GeneratorConfig config) {
        this.config = config;
        ResourceLimits.requireHeap("boards=" + config.boards(), ResourceLimits.bytes(config.boards(), 4), null);
        this.boardSize = boardSizes(config);
        int k = config.topics();
        this.topicScatter = new AffinePermutation[k];
        for (int t = 0; t < k; t++) {
            int n = (config.pins() - t + k - 1) / k;
            topicScatter[t] = AffinePermutation.withStrideNear(n, 0x9E3779B97F4A7C15L >>> 33, false, 0);
        }
    }

    public GeneratorConfig config() {
        return config;
    }

    private static int[] boardSizes(GeneratorConfig c) {
        int m = c.boards();
        double total = 0;
        for (int r = 0; r < m; r++) {
            total += Math.pow(r + 1, -SIZE_EXPONENT);
        }
        long spare = c.edges() - m;
        int[] size = new int[m];
        long assigned = 0;
        for (int r = 0; r < m; r++) {
            long s = 1 + (long) Math.floor(spare * Math.pow(r + 1, -SIZE_EXPONENT) / total);
            if (s > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("edges=" + c.edges() + " boards=" + m + ": the largest board would exceed 2^31 edges");
            }
            size[r] = (int) s;
            assigned += s;
        }
        for (int r = 0; assigned < c.edges(); r = (r + 1) % m) {
            size[r]++;
            assigned++;
        }
        return size;
    }

    /** Number of edges of board {@code b}. */
    public int boardSize(int b) {
        return boardSize[b];
    }

    /** The latent topic of board {@code b}. */
    public int boardTopic(int b) {
        return (int) Long.remainderUnsigned(mix(config.seed() ^ 0x6A09E667F3BCC909L, b), config.topics());
    }

    /** Whether board {@code b} is a catch-all, whose pins come from uniformly drawn topics. */
    public boolean isDiverse(int b) {
        return config.diverseBoards() > 0
                && (mix(config.seed() ^ 0x9B05688C2B3E6C1FL, b) >>> 11) * 0x1.0p-53 < config.diverseBoards();
    }

    /** The latent topic of pin {@code p}. */
    public int pinTopic(int p) {
        return p % config.topics();
    }

    /** SplitMix64's finaliser over (a, b): a well-mixed 64-bit hash. */
    private static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draws a pin of topic {@code t}: Zipf-like index, scattered by the topic's permutation. */
    private int drawPin(SplittableRandom rnd, int t) {
        AffinePermutation scatter = topicScatter[t];
        double u = rnd.nextDouble();
        double u2 = u * u;
        int idx = (int) (scatter.size() * (u2 * u2 * u));
        return t + config.topics() * scatter.apply(idx);
    }

    private int drawEdgePin(SplittableRandom rnd, int boardTopic, double focus) {
        int t = rnd.nextDouble() < focus ? boardTopic : rnd.nextInt(config.topics());
        return drawPin(rnd, t);
    }

    /**
     * Streams every edge into {@code builder} from {@code threads} threads (one sink each).
     *
     * @throws IOException if spilling fails
     */
    public void generateEdges(CsrBuilder builder, int threads) throws IOException {
        int chunks = (config.boards() + BOARDS_PER_CHUNK - 1) / BOARDS_PER_CHUNK;
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    try (CsrBuilder.Sink sink = builder.newSink()) {
                        for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                            SplittableRandom rnd = new SplittableRandom(mix(config.seed(), c));
                            int end = Math.min(config.boards(), (c + 1) * BOARDS_PER_CHUNK);
                            for (int b = c * BOARDS_PER_CHUNK; b < end; b++) {
                                int topic = boardTopic(b);
                                double focus = isDiverse(b) ? 0 : config.topicFocus();
                                for (int i = boardSize[b]; i > 0; i--) {
                                    sink.add(drawEdgePin(rnd, topic, focus), b);
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while generating", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The unit-length feature centroid of topic {@code t} (confusable pairs share their even member's, shifted slightly). */
    public float[] centroid(int t) {
        int base = t < 2 * config.confusableTopicPairs() ? t & ~1 : t;
        SplittableRandom rnd = new SplittableRandom(mix(config.seed() ^ 0x3C6EF372FE94F82BL, base));
        float[] c = new float[config.featureDim()];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) rnd.nextGaussian();
        }
        normalize(c);
        if (base != t) {
            SplittableRandom shift = new SplittableRandom(mix(config.seed() ^ 0xA54FF53A5F1D36F1L, t));
            float[] d = new float[c.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) shift.nextGaussian();
            }
            normalize(d);
            for (int i = 0; i < c.length; i++) {
                c[i] += (float) CONFUSABLE_DISTANCE * d[i];
            }
            normalize(c);
        }
        return c;
    }

    private static void normalize(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = s == 0 ? 0 : (float) (1 / Math.sqrt(s));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
    }

    /** Writes the pins' feature matrix ({@link FeatureMatrixFormat}); requires {@code featureDim > 0}. */
    public void writePinFeatures(Path file) throws IOException {
        int d = config.featureDim();
        if (d == 0) {
            throw new IllegalStateException("featureDim=0: no features to write");
        }
        float[][] centroids = new float[config.topics()][];
        for (int t = 0; t < centroids.length; t++) {
            centroids[t] = centroid(t);
        }
        float[] row = new float[d];
        double sd = config.featureNoise() / Math.sqrt(d);
        try (StoreFileWriter w = new StoreFileWriter(file, FeatureMatrixFormat.INSTANCE, 1 << 22)) {
            for (int p = 0; p < config.pins(); p++) {
                SplittableRandom rnd = new SplittableRandom(mix(config.seed() ^ 0x510E527FADE682D1L, p));
                float[] c = centroids[pinTopic(p)];
                for (int i = 0; i < d; i++) {
                    row[i] = c[i] + (float) (sd * rnd.nextGaussian());
                }
                w.putFloats(row, 0, d);
            }
            w.finish(config.pins(), d, Side.LEFT.ordinal());
        }
    }

    /**
     * Writes {@code heldOutPairs} engagement pairs ({@link PairsFormat}): two pins from one random board's topic process,
     * always the focused one (engagement is topical even where a board is a catch-all).
     */
    public void writeEngagementPairs(Path file) throws IOException {
        SplittableRandom rnd = new SplittableRandom(mix(config.seed() ^ 0x1F83D9ABFB41BD6BL, 0));
        try (StoreFileWriter w = new StoreFileWriter(file, PairsFormat.INSTANCE)) {
            for (int i = 0; i < config.heldOutPairs(); i++) {
                int topic = boardTopic(rnd.nextInt(config.boards()));
                int q = drawEdgePin(rnd, topic, config.topicFocus());
                int r = drawEdgePin(rnd, topic, config.topicFocus());
                w.putInt(q);
                w.putInt(r);
            }
            w.finish(config.heldOutPairs(), Side.LEFT.ordinal());
        }
    }

    /**
     * Generates the whole store into {@code root} and publishes it atomically: graph, pin features (if
     * {@code featureDim > 0}) and engagement pairs.
     *
     * @throws IllegalArgumentException before generating anything if the build could not fit the heap
     *                                  ({@link CsrBuilder#requireHeap}) or the disk under {@code root}
     */
    public StoreGeneration writeStore(Path root, CsrBuildOptions options) throws IOException {
        // the generator's edges carry no weights: check and build with the same options
        CsrBuildOptions build = options.withWeighted(false);
        CsrBuilder.requireHeap(config.pins(), config.boards(), config.edges(), build);
        // at the peak, the spill (8 bytes an edge) beside the left shards (4), then offsets and features
        long nodes = (long) config.pins() + config.boards();
        long disk = ResourceLimits.plus(ResourceLimits.plus(ResourceLimits.bytes(config.edges(), 12), ResourceLimits.bytes(nodes, 8)),
                ResourceLimits.bytes(config.pins(), 4L * config.featureDim()));
        ResourceLimits.requireDisk("edges=" + config.edges() + " pins=" + config.pins() + " boards=" + config.boards(), root, disk,
                "generate fewer edges or write elsewhere");
        try (Publication p = StoreDirectory.beginPublication(root)) {
            CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(), build);
            generateEdges(builder, options.threads());
            builder.build(config.pins(), config.boards());
            if (config.featureDim() > 0) {
                writePinFeatures(p.directory().resolve(CsrLayout.features(Side.LEFT)));
            }
            if (config.heldOutPairs() > 0) {
                writeEngagementPairs(p.directory().resolve(CsrLayout.PAIRS));
            }
            return p.commit();
        }
    }
}
