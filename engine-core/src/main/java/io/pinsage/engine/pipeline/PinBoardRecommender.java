package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.EngagementPairs;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.engine.eval.EmbeddingPairScorer;
import io.pinsage.engine.eval.PairRankingEvaluator;
import io.pinsage.engine.eval.PairRankingMetrics;
import io.pinsage.engine.eval.PairScorer;
import io.pinsage.engine.train.ConsoleProgress;
import io.pinsage.engine.train.GraphNeighbourhoods;
import io.pinsage.engine.train.HardNegatives;
import io.pinsage.engine.train.Inference;
import io.pinsage.engine.train.LossKind;
import io.pinsage.engine.train.ModelFile;
import io.pinsage.engine.train.ModelShape;
import io.pinsage.engine.train.NeighbourhoodKind;
import io.pinsage.engine.train.Neighbourhoods;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.Parallel;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * PinSage on a pin–board store (the synthetic generator's, or any store with pin features and held-out
 * engagement pairs): trains on pins co-saved on boards, and compares it with content-only nearest neighbours
 * and Pixie on the held-out (query pin, related pin) pairs with the pair-ranking protocol. Ablations train the
 * same model with uniform neighbourhoods, or without curriculum hard negatives.
 */
public final class PinBoardRecommender {

    /**
     * Settings.
     *
     * @param maxPairs    co-save training pairs drawn (at most one per edge of the graph)
     * @param embedDim    id-embedding width
     * @param dim         layer width
     * @param width       neighbourhood size T
     * @param steps       walk steps per node for neighbourhoods
     * @param hardSteps   walk steps ranking a query's hard-negative band
     * @param hardFrom    first PPR rank of the band
     * @param hardTo      end of the band
     * @param poolSize    candidates each held-out positive is ranked among
     * @param k           cut-off of the hit rate
     * @param training    optimisation settings
     */
    public record Options(int maxPairs, int embedDim, int dim, int width, int steps, int hardSteps, int hardFrom, int hardTo,
                          int poolSize, int k, TrainingConfig training) {

        /**
         * Quickstart-sized defaults: five epochs (the curriculum adds 0, 1, 2, 2, 2 hard negatives per query), sampled
         * softmax over 1,000 shared uniform negatives plus the hard ones. The hard-negative band is PPR ranks
         * 500–1500 from 5,000 walk steps: PinSage's 2000–5000 needs ten times the steps per query, which on a
         * quickstart graph would cost more than the training.
         */
        public static Options defaults(int threads) {
            return new Options(150_000, 32, 64, 10, 100, 5_000, 500, 1500, 1000, 10,
                    new TrainingConfig(5, 512, 1000, false, 2, LossKind.SOFTMAX, 0.1f, 0.1f, 3e-3f, 1e-2f, 0.5f, 3, 7, threads, 1, 4, 0));
        }

        Options with(TrainingConfig t) {
            return new Options(maxPairs, embedDim, dim, width, steps, hardSteps, hardFrom, hardTo, poolSize, k, t);
        }
    }

    /** One row of the comparison table. */
    public record Row(String method, PairRankingMetrics metrics, double seconds) {
    }

    private final GraphStore store;
    private final BipartiteGraph graph;
    private final NodeSpace space;
    private final NodeInputs inputs;
    private final Options options;
    private final int[] testQueries;
    private final int[] testPositives;
    private final float[] pinFeatures;
    private final int featureDim;

    /** @throws IllegalArgumentException if the store has no pin features or no held-out pairs */
    public PinBoardRecommender(GraphStore store, Options options) {
        this.store = store;
        this.graph = store.graph();
        this.space = NodeSpace.of(graph);
        this.options = options;
        FeatureMatrix f = store.features(Side.LEFT).orElseThrow(() -> new IllegalArgumentException(
                "store " + store.generation() + " has no pin features: PinSage's content input is missing"));
        EngagementPairs pairs = store.pairs().orElseThrow(() -> new IllegalArgumentException(
                "store has no held-out engagement pairs to evaluate on"));
        featureDim = f.dim();
        pinFeatures = new float[graph.nodeCount(Side.LEFT) * featureDim];
        float[] all = new float[space.size() * featureDim];
        for (int p = 0; p < graph.nodeCount(Side.LEFT); p++) {
            f.copyRow(p, pinFeatures, p * featureDim);
        }
        System.arraycopy(pinFeatures, 0, all, 0, pinFeatures.length);
        inputs = new NodeInputs(space.size(), featureDim, all, space.logDegrees(graph));
        testQueries = new int[pairs.count()];
        testPositives = new int[pairs.count()];
        for (int i = 0; i < pairs.count(); i++) {
            testQueries[i] = pairs.query(i);
            testPositives[i] = pairs.related(i);
        }
    }

    /** The content-only baseline: cosine similarity of pin features. */
    public Row contentBaseline() {
        long t0 = System.nanoTime();
        float[] norm = pinFeatures.clone();
        for (int p = 0; p < norm.length / featureDim; p++) {
            double ss = 0;
            for (int j = 0; j < featureDim; j++) {
                ss += norm[p * featureDim + j] * norm[p * featureDim + j];
            }
            float inv = (float) (1 / Math.sqrt(Math.max(ss, 1e-12)));
            for (int j = 0; j < featureDim; j++) {
                norm[p * featureDim + j] *= inv;
            }
        }
        PairRankingMetrics m = rank(new EmbeddingPairScorer(norm, featureDim));
        return new Row("content-only kNN", m, (System.nanoTime() - t0) / 1e9);
    }

    /** The Pixie baseline: visit counts of walks from the query pin (unvisited candidates score 0). */
    public Row pixieBaseline(long steps) {
        long t0 = System.nanoTime();
        PixieEngine engine = new PixieEngine(graph);
        PairScorer scorer = (query, candidates, count, out) -> {
            PixieResult r = engine.query(PixieQuery.builder().pin(query, 1f).steps(steps).topPins(5000).seed(query).build());
            org.agrona.collections.Int2IntHashMap rankOf = new org.agrona.collections.Int2IntHashMap(-1);
            for (int i = 0; i < r.pinCount(); i++) {
                rankOf.put(r.pin(i), i);
            }
            for (int i = 0; i < count; i++) {
                int at = rankOf.get(candidates[i]);
                out[i] = at < 0 ? 0f : r.pinScore(at);
            }
        };
        return new Row("Pixie (" + steps + " steps)", rank(scorer), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Trains PinSage with the given neighbourhoods and curriculum cap, writes the model under {@code dir} and
     * ranks the held-out pairs with its embeddings.
     */
    public Row trainAndEvaluate(String label, NeighbourhoodKind kind, int maxHard, Path dir, PrintStream err) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        Options o = options;
        TrainingConfig c = o.training();
        TrainingConfig tc = new TrainingConfig(c.epochs(), c.batchSize(), c.sharedNegatives(), c.inBatchNegatives(), maxHard, c.loss(),
                c.margin(), c.temperature(), c.learningRate(), c.embeddingRate(), c.lrDecay(), c.patience(), c.seed(), c.threads(),
                c.samplerThreads(), c.queueCapacity(), c.checkpointEvery());
        Neighbourhoods hood = GraphNeighbourhoods.build(graph, kind, o.width(), o.steps(), c.seed(), o.width(), c.threads(), null);
        ModelFile.saveNeighbourhoods(dir.resolve(LightGcnRecommender.NEIGHBOURHOODS), hood);
        int[][] pairs = coSavedPairs(o.maxPairs(), c.seed());
        int valCount = Math.min(1000, pairs[0].length / 10);
        int[] trainQ = Arrays.copyOfRange(pairs[0], valCount, pairs[0].length);
        int[] trainP = Arrays.copyOfRange(pairs[1], valCount, pairs[1].length);
        int[] valQ = Arrays.copyOf(pairs[0], valCount);
        int[] valP = Arrays.copyOf(pairs[1], valCount);
        ModelShape shape = new ModelShape(space.size(), o.embedDim(), featureDim, true, o.dim(), new int[] {o.dim(), o.dim()}, o.dim(),
                o.dim(), o.width(), true);
        HardNegatives hard = null;
        if (maxHard > 0) {
            HardNegativeCache cache = new HardNegativeCache(graph, o.hardFrom(), o.hardTo(), o.hardSteps(), 16, c.seed());
            long h0 = System.nanoTime();
            cache.prefill(trainQ, c.threads());
            err.printf(Locale.ROOT, "hard negatives: PPR ranks %d-%d of every query pin (%d walk steps each) in %.1f s%n",
                    o.hardFrom(), o.hardTo(), o.hardSteps(), (System.nanoTime() - h0) / 1e9);
            hard = cache;
        }
        try (Parallel par = new Parallel(c.threads())) {
            PairRankingEvaluator valEval = new PairRankingEvaluator(o.k(), o.poolSize(), c.seed() + 1, c.threads());
            ConsoleProgress progress = new ConsoleProgress(err, c.epochs(), "val hit@" + o.k());
            TrainingLog log = new TrainingLog(dir, "val hit@" + o.k());
            Trainer trainer = new Trainer(shape, hood, inputs, trainQ, trainP, 0, space.leftCount(), hard, tc,
                    params -> valEval.evaluate(new EmbeddingPairScorer(Inference.embedAll(params, hood, inputs, par), o.dim()), valQ, valP, 0,
                            space.leftCount()).hitRate(),
                    new TrainingListener() {
                        @Override
                        public void batchDone(int epoch, int batch, int batches, double loss) {
                            progress.batchDone(epoch, batch, batches, loss);
                        }

                        @Override
                        public void epochDone(EpochStats stats) {
                            progress.epochDone(stats);
                            log.epochDone(stats);
                        }
                    });
            Trainer.Result r = trainer.train(dir);
            ModelFile.save(dir.resolve(LightGcnRecommender.MODEL), r.best());
            float[] emb = Inference.embedAll(r.best(), hood, inputs, par);
            return new Row(label, rank(new EmbeddingPairScorer(emb, o.dim())), (System.nanoTime() - t0) / 1e9);
        }
    }

    private PairRankingMetrics rank(PairScorer scorer) {
        return new PairRankingEvaluator(options.k(), options.poolSize(), options.training().seed(), options.training().threads())
                .evaluate(scorer, testQueries, testPositives, 0, space.leftCount());
    }

    /** Pins co-saved on a board: for sampled edges (board, pin), the pin and another pin of the same board. */
    private int[][] coSavedPairs(int maxPairs, long seed) {
        int max = (int) Math.min(maxPairs, graph.edgeCount());
        SplittableRandom rnd = new SplittableRandom(seed);
        int boards = graph.nodeCount(Side.RIGHT);
        int[] q = new int[max];
        int[] p = new int[max];
        int n = 0;
        for (int tries = 0; n < max && tries < 4 * max; tries++) {
            int b = rnd.nextInt(boards);
            int d = graph.degree(Side.RIGHT, b);
            if (d < 2) {
                continue;
            }
            int i = rnd.nextInt(d);
            int j = rnd.nextInt(d - 1);
            if (j >= i) {
                j++;
            }
            q[n] = graph.neighbor(Side.RIGHT, b, i);
            p[n++] = graph.neighbor(Side.RIGHT, b, j);
        }
        if (n == 0) {
            throw new IllegalArgumentException("no board holds two pins: no co-save training pairs can be derived");
        }
        return new int[][] {Arrays.copyOf(q, n), Arrays.copyOf(p, n)};
    }

    /** Prints the comparison table. */
    public static void printTable(PrintStream out, java.util.List<Row> rows, int k) {
        out.printf(Locale.ROOT, "%-38s %8s %8s %9s%n", "method", "hit@" + k, "MRR", "seconds");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-38s %8.4f %8.4f %9.1f%n", r.method(), r.metrics().hitRate(), r.metrics().mrr(), r.seconds());
        }
    }
}
