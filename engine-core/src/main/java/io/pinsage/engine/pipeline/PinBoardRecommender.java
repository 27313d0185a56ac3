package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.EngagementPairs;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.format.StoreLineage;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.engine.eval.EmbeddingPairScorer;
import io.pinsage.engine.eval.PairRankingEvaluator;
import io.pinsage.engine.eval.PairRankingMetrics;
import io.pinsage.engine.eval.PairScorer;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.engine.train.Inference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.StoreNodeInputs;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.RunFingerprint;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.TrainingBatches;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.NeighborhoodKind;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.walk.PixieResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * PinSage on a pin–board store (the synthetic generator's, or any store with pin features and held-out
 * engagement pairs): trains on pins co-saved on boards, and compares it with content-only nearest neighbours
 * and Pixie on the held-out (query pin, related pin) pairs with the pair-ranking protocol. Ablations train the
 * same model with uniform neighbourhoods, or without curriculum hard negatives.
 */
public final class PinBoardRecommender {

    private static final Logger LOG = LoggerFactory.getLogger(PinBoardRecommender.class);

    /**
     * Settings.
     *
     * @param maxPairs        co-save training pairs drawn (at most one per edge of the graph)
     * @param embedDim        id-embedding width (projected to the layer width beside the pin features); 0: no id
     *                        table, the inductive model of features and log-degree only, which can embed a pin added
     *                        after training
     * @param dim             layer width
     * @param normalizeOutput whether the final embeddings (after G2) are L2-normalised; PinSage normalises inside
     *                        every CONVOLVE layer but not after G2, which leaves the embedding's length free to
     *                        carry how often a pin is engaged with
     * @param width           neighbourhood size T
     * @param steps           walk steps per node for neighbourhoods
     * @param hardBand        the hard-negative band asked for; a graph with fewer than 40 pins per rank of its end
     *                        uses it {@linkplain HardNegativeBand#scaledTo scaled down}
     * @param poolSize        candidates each held-out positive is ranked among
     * @param k               cut-off of the hit rate
     * @param training        optimisation settings
     * @param hashedIdRows    with an id table ({@code embedDim > 0}): 0 for a row per pin and board, else the rows of
     *                        a table of fixed size that ids hash into ({@link PinSageConfig#idRow}), which does not
     *                        grow with the store and gives a pin added after training a row
     */
    public record Options(int maxPairs, int embedDim, int dim, boolean normalizeOutput, int width, int steps,
                          HardNegativeBand hardBand, int poolSize, int k, TrainingConfig training, int hashedIdRows) {

        /** @throws IllegalArgumentException naming {@code hashedIdRows} if it is negative */
        public Options {
            if (hashedIdRows < 0) {
                throw new IllegalArgumentException("hashedIdRows=" + hashedIdRows + ": expected 0 (a row per node) or more");
            }
        }

        /** Options whose id table, if any, has a row per node. */
        public Options(int maxPairs, int embedDim, int dim, boolean normalizeOutput, int width, int steps,
                       HardNegativeBand hardBand, int poolSize, int k, TrainingConfig training) {
            this(maxPairs, embedDim, dim, normalizeOutput, width, steps, hardBand, poolSize, k, training, 0);
        }

        /** Width of the id table when one is asked for ({@link #withIdEmbeddings}). */
        public static final int ID_EMBED_DIM = 32;

        /**
         * Quickstart-sized defaults: the inductive model (pin features and log-degree, no id table: on the
         * quickstart's store it ranks better than the model with a 32-wide id table, 0.6924 / 0.4962 against 0.6856 /
         * 0.4870 hit@10 / MRR, trains faster, and embeds pins added after training), 300,000 co-save pairs seen twice
         * (the curriculum adds 0, then 1 hard negative per query; a third pass over the same pairs overfits them, measured on a store of another seed), sampled
         * softmax over 1,000 shared uniform negatives plus the hard ones, unnormalised output, and PinSage's
         * hard-negative band, ranks 2000–5000 (scaled down on graphs under 200,000 pins).
         */
        public static Options defaults(int threads) {
            return new Options(300_000, 0, 64, false, 10, 100, HardNegativeBand.PINSAGE, 1000, 10,
                    new TrainingConfig(2, 512, 1000, false, 2, RankingLossKind.SOFTMAX, 0.1f, 0.1f, 3e-3f, 1e-2f, 0.5f, 3, 7, threads, 1, 4, 0, false, 0f));
        }

        /** These options with another hard-negative band. */
        public Options withHardBand(HardNegativeBand band) {
            return new Options(maxPairs, embedDim, dim, normalizeOutput, width, steps, band, poolSize, k, training, hashedIdRows);
        }

        /**
         * These options with the id table (one learnt row per node, {@link #ID_EMBED_DIM} wide) or without it (the
         * inductive model, the default).
         */
        public Options withIdEmbeddings(boolean on) {
            return new Options(maxPairs, on ? ID_EMBED_DIM : 0, dim, normalizeOutput, width, steps, hardBand,
                    poolSize, k, training, 0);
        }

        /**
         * These options with an id table of {@code rows} rows, {@link #ID_EMBED_DIM} wide, that node ids hash into:
         * its memory does not grow with the store, and every pin, one added after training included, has a row.
         *
         * @throws IllegalArgumentException naming {@code rows} if it is below 1
         */
        public Options withHashedIdEmbeddings(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("rows=" + rows + ": a hashed id table needs at least one row");
            }
            return new Options(maxPairs, ID_EMBED_DIM, dim, normalizeOutput, width, steps, hardBand, poolSize, k,
                    training, rows);
        }

        /** These options with other training settings. */
        public Options with(TrainingConfig t) {
            return new Options(maxPairs, embedDim, dim, normalizeOutput, width, steps, hardBand, poolSize, k, t, hashedIdRows);
        }
    }

    /** The {@code format} a model directory trained here records. */
    static final String FORMAT = "synthetic";

    /** One row of the comparison table. */
    public record Row(String method, PairRankingMetrics metrics, double seconds) {
    }

    private final GraphStore store;
    private final BipartiteGraph graph;
    private final NodeSpace space;
    private final NodeInputs inputs;
    private final Options options;
    private final Backend backend;
    private final int[] testQueries;
    private final int[] testPositives;
    private final FeatureMatrix pinFeatures;
    private final int featureDim;
    private final StageProgress progress;

    /**
     * A recommender that reports no progress.
     *
     * @throws IllegalArgumentException if the store has no pin features or no held-out pairs
     */
    public PinBoardRecommender(GraphStore store, Options options, Backend backend) {
        this(store, options, backend, StageProgress.NONE);
    }

    /**
     * @param backend  where the model trains and embeds; the caller keeps ownership, and calls on this object must
     *                 come from the thread that owns the backend
     * @param progress where the long stages report: Pixie's ranking, the neighbourhoods, the hard negatives
     * @throws IllegalArgumentException if the store has no pin features or no held-out pairs
     */
    public PinBoardRecommender(GraphStore store, Options options, Backend backend, StageProgress progress) {
        this.store = store;
        this.backend = backend;
        this.progress = progress;
        this.graph = store.graph();
        this.space = NodeSpace.of(graph);
        this.options = options;
        inputs = new StoreNodeInputs(store, true);
        EngagementPairs pairs = store.pairs().orElseThrow(() -> new IllegalArgumentException(
                "store has no held-out engagement pairs to evaluate on"));
        pinFeatures = store.features(Side.LEFT).orElseThrow();
        featureDim = pinFeatures.dim();
        testQueries = new int[pairs.count()];
        testPositives = new int[pairs.count()];
        for (int i = 0; i < pairs.count(); i++) {
            testQueries[i] = pairs.query(i);
            testPositives[i] = pairs.related(i);
        }
    }

    /**
     * The content-only baseline: cosine similarity of pin features, each row normalised as it is scored (nothing per
     * pin is copied).
     */
    public Row contentBaseline() {
        long t0 = System.nanoTime();
        PairScorer cosine = (query, candidates, count, out) -> {
            float[] q = unitFeatures(query, new float[featureDim]);
            float[] c = new float[featureDim];
            for (int i = 0; i < count; i++) {
                unitFeatures(candidates[i], c);
                float s = 0;
                for (int j = 0; j < featureDim; j++) {
                    s += q[j] * c[j];
                }
                out[i] = s;
            }
        };
        return new Row("content-only kNN", rank(cosine), (System.nanoTime() - t0) / 1e9);
    }

    /** Pin {@code pin}'s features scaled to unit length (rows of zeros stay zero) into {@code row}. */
    private float[] unitFeatures(int pin, float[] row) {
        pinFeatures.copyRow(pin, row, 0);
        double ss = 0;
        for (int j = 0; j < featureDim; j++) {
            ss += row[j] * row[j];
        }
        float inv = (float) (1 / Math.sqrt(Math.max(ss, 1e-12)));
        for (int j = 0; j < featureDim; j++) {
            row[j] *= inv;
        }
        return row;
    }

    /** The Pixie baseline: visit counts of walks from the query pin (unvisited candidates score 0). */
    public Row pixieBaseline(long steps) {
        long t0 = System.nanoTime();
        PixieEngine engine = new PixieEngine(graph);
        LongConsumer bar = progress.start("Pixie", "pairs", testQueries.length);
        AtomicInteger ranked = new AtomicInteger();
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
            bar.accept(ranked.incrementAndGet());
        };
        return new Row("Pixie (" + steps + " steps)", rank(scorer), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Trains PinSage with the given neighbourhoods and curriculum cap, writes the model under {@code dir} and
     * ranks the held-out pairs with its embeddings. A {@code dir} holding a checkpoint resumes from it; one holding a
     * finished run is logged, trains nothing (and ranks no hard negatives) and ranks with its model.
     *
     * @throws IllegalArgumentException naming the differing counts, before any work, if {@code dir} holds a model of a
     *                                  store of another shape
     */
    public Row trainAndEvaluate(String label, NeighborhoodKind kind, int maxHard, Path dir, TrainingProgress training)
            throws IOException {
        return trainAndEvaluate(label, kind, maxHard, dir, training, BatchSupply.LOCAL);
    }

    /**
     * As above, with the minibatches built by {@code supply} (samplers of {@link #samplerBatches}, for one): the
     * batches, and so the model, are those of sampler threads of this process.
     */
    public Row trainAndEvaluate(String label, NeighborhoodKind kind, int maxHard, Path dir, TrainingProgress training,
                                BatchSupply supply) throws IOException {
        long t0 = System.nanoTime();
        Options o = options;
        TrainingConfig c = o.training();
        TrainingConfig tc = c.withMaxHardNegatives(maxHard);
        PinSageConfig model = modelConfig();
        Trainer.Position at = ModelDirectory.openForTraining(dir, FORMAT, shape(),
                Map.of(ModelProperties.STORE_FINGERPRINT, StoreLineage.fingerprint(store.generation())), "store",
                "PinSage model over a pin-board store",
                model, tc, recipe(kind, tc));
        try (MappedNeighborhoods hood = neighborhoods(kind, dir)) {
            Pairs pairs = pairs();
            // a finished run trains nothing: its recipe needs no ranked bands
            HardNegativeCache hard = maxHard > 0 && (at == null || !at.finished(tc)) ? hardNegatives() : null;
            TrainingBatches batches = batches(kind, tc, model, hood, pairs, hard, null);
            PairRankingEvaluator valEval = new PairRankingEvaluator(o.k(), o.poolSize(), c.seed() + 1, c.threads());
            String metric = "val hit@" + o.k();
            TrainingListener listener = TrainingListener.of(new TrainingLog(dir, metric),
                    training.start(c.epochs(), metric, dir.resolve(TrainingLog.FILE)));
            int[] valNodes = valEval.nodesScored(pairs.valQ, pairs.valP, 0, space.leftCount());
            Trainer trainer = new Trainer(backend, model, batches.schedule(), supply.sources(batches), tc,
                    m -> valEval.evaluate(new EmbeddingPairScorer(valNodes, Inference.embedNodes(m, hood, inputs, valNodes),
                            o.dim()), pairs.valQ, pairs.valP, 0, space.leftCount()).hitRate(), listener);
            Trainer.Result r = trainer.train(dir);
            if (hard != null && supply == BatchSupply.LOCAL) {
                LOG.info(String.format(Locale.ROOT, "hard negatives: %,d bands ranked, %,d draws served from the cache",
                        hard.ranked(), hard.reused()));
            }
            PinSageModel best = r.best();
            best.save(dir.resolve(LightGcnRecommender.MODEL));
            return new Row(label, rank(best, hood), (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The minibatches {@link #trainAndEvaluate} trains on with walk neighbourhoods and the options' hard negatives, for
     * a sampler that serves them to that run's trainer ({@code train --dataset store:DIR --samplers}): the same
     * co-save pairs, hard negatives (ranked on the sampler's build threads) and neighbourhood rows. The rows are
     * prepared in {@code workDir} as a trainer prepares them in its model directory: the store's own neighbourhood
     * stores when they were computed from this generation with these settings, else rows built there (or mapped
     * from a previous start). The fingerprint covers the store's data, the rows themselves (their stores' checksums),
     * the settings and the hard-negative band, so a trainer that would train on anything else is refused. The
     * returned recipe owns the mapped rows until closed; {@code store} must outlive it.
     *
     * @throws IllegalArgumentException if the store has no pin features or no held-out pairs, or {@code workDir}
     *                                  holds neighbourhoods of an earlier version
     */
    public static TrainingBatches samplerBatches(GraphStore store, Options options, Path workDir, StageProgress progress)
            throws IOException {
        PinBoardRecommender rec = new PinBoardRecommender(store, options, null, progress);
        Files.createDirectories(workDir);
        ModelNeighborhoods.requireCurrent(workDir);
        MappedNeighborhoods hood = rec.neighborhoods(NeighborhoodKind.WALK, workDir);
        try {
            TrainingConfig tc = options.training();
            return rec.batches(NeighborhoodKind.WALK, tc, rec.modelConfig(), hood, rec.pairs(),
                    tc.maxHardNegatives() > 0 ? rec.hardNegatives() : null, hood);
        } catch (RuntimeException e) {
            hood.close();
            throw e;
        }
    }

    /**
     * The content fingerprint of a store's rows: of its row file alone, since the settings beside it name the path of
     * the graph they were computed from, which differs between machines holding the same data.
     */
    private static String rowsFingerprint(NeighborhoodStore rows) throws IOException {
        Path file = rows.path();
        Path generation = file.getParent();
        return StoreLineage.fingerprint(new StoreGeneration(generation.getParent(), generation.getFileName().toString(),
                generation, Map.of(file.getFileName().toString(), Files.size(file))));
    }

    /** The training and validation pairs: the first (at most 1,000, a tenth) of the co-save pairs validate. */
    private record Pairs(int[] trainQ, int[] trainP, int[] valQ, int[] valP) {
    }

    private Pairs pairs() {
        int[][] pairs = coSavedPairs(options.maxPairs(), options.training().seed());
        int valCount = Math.min(1000, pairs[0].length / 10);
        return new Pairs(Arrays.copyOfRange(pairs[0], valCount, pairs[0].length),
                Arrays.copyOfRange(pairs[1], valCount, pairs[1].length), Arrays.copyOf(pairs[0], valCount),
                Arrays.copyOf(pairs[1], valCount));
    }

    /** The rows of {@code kind} a run with these options trains on, prepared in {@code dir}. */
    private MappedNeighborhoods neighborhoods(NeighborhoodKind kind, Path dir) throws IOException {
        TrainingConfig c = options.training();
        return ModelNeighborhoods.prepare(graph, dir, store.generation(), ModelNeighborhoods.configs(kind,
                options.width(), options.steps(), c.seed(), options.width()), c.threads(),
                progress.start("neighborhoods", "nodes", space.size()), LOG::info);
    }

    private HardNegativeCache hardNegatives() {
        return HardNegativeCache.forTraining(graph, Side.LEFT, Side.LEFT, hardBand(), options.training().seed(), LOG::info);
    }

    /**
     * The one recipe of a run's batches, which the trainer and its samplers both make. Its fingerprint names the
     * store generation and its content fingerprint, the pairs drawn, the rows (settings and the content of both stores), the
     * training settings with the hard-negative band (whether or not {@code hard} is given: a finished run gives none),
     * and the model.
     */
    private TrainingBatches batches(NeighborhoodKind kind, TrainingConfig tc, PinSageConfig model,
                                    MappedNeighborhoods hood, Pairs pairs, HardNegativeCache hard, AutoCloseable owned)
            throws IOException {
        StoreGeneration g = store.generation();
        String data = "store " + g.name() + " " + StoreLineage.fingerprint(g) + " " + shape() + " maxPairs="
                + options.maxPairs();
        NeighborhoodConfig[] rows = ModelNeighborhoods.configs(kind, options.width(), options.steps(),
                tc.seed(), options.width());
        String hoodPart = rows[0] + " " + rows[1] + " left=" + rowsFingerprint(hood.store(Side.LEFT))
                + " right=" + rowsFingerprint(hood.store(Side.RIGHT));
        RunFingerprint fingerprint = RunFingerprint.of(data, hoodPart, tc,
                HardNegativeCache.fingerprint(tc.maxHardNegatives(), hardBand()), model);
        return new TrainingBatches(model, hood, inputs, pairs.trainQ, pairs.trainP, 0, space.leftCount(), hard, tc,
                fingerprint, owned);
    }

    /**
     * Checks, before any expensive work (baselines, neighbourhoods, hard negatives), that {@link #trainAndEvaluate}
     * can train into {@code dir} with {@code kind} neighbourhoods and {@code maxHard} hard negatives: that it holds no
     * model of a store of another shape and no checkpoint of another model or training recipe. Reads only
     * {@code dir}'s small files and its checkpoint's model.
     *
     * @throws IllegalArgumentException naming only the counts or settings that differ, and what to do
     * @throws io.pinsage.engine.train.CorruptCheckpointException naming the file if one there is unreadable or holds
     *                                  another model (naming the differing fields)
     */
    public void checkModelDirectory(Path dir, NeighborhoodKind kind, int maxHard) throws IOException {
        ModelNeighborhoods.requireCurrent(dir);
        ModelDirectory.check(dir, FORMAT, shape(), "store", modelConfig(),
                recipe(kind, options.training().withMaxHardNegatives(maxHard)));
    }

    /** What decides what a training run into a model directory computes: {@code training}'s recipe and the neighbourhoods. */
    private Map<String, String> recipe(NeighborhoodKind kind, TrainingConfig training) {
        Map<String, String> r = new LinkedHashMap<>(training.recipe());
        r.put("neighborhoods", kind.name());
        r.put("width", Integer.toString(options.width()));
        r.put("stepsPerNode", Integer.toString(options.steps()));
        r.put("maxPairs", Integer.toString(options.maxPairs()));
        return r;
    }

    /**
     * The model trained here: pin features, log-degree and (unless the options' {@code embedDim} is 0) id embeddings
     * in (a row per node, or hashed into {@code hashedIdRows} rows), two CONVOLVE layers, output as the options say.
     */
    private PinSageConfig modelConfig() {
        Options o = options;
        boolean ids = o.embedDim() > 0;
        boolean hashed = ids && o.hashedIdRows() > 0;
        return new PinSageConfig(featureDim, true, !ids ? 0 : hashed ? o.hashedIdRows() : space.size(),
                ids ? o.embedDim() : o.dim(), o.dim(), 2, o.dim(), o.dim(), o.dim(), o.dim(), Pooling.MEAN,
                o.normalizeOutput(), o.training().seed(), hashed);
    }

    /**
     * Ranks the held-out pairs with the model that {@link #trainAndEvaluate} wrote into {@code dir} for this store
     * (its {@code model.bin} and neighbourhood stores), with the same candidate pool as the comparison.
     *
     * @throws java.nio.file.NoSuchFileException if {@code dir} is not a model directory
     * @throws IllegalArgumentException          if the model was trained on another format or another store's shape
     * @throws IOException                       if a model file is unreadable or corrupt
     */
    public Row evaluate(Path dir, String label) throws IOException {
        long t0 = System.nanoTime();
        ModelProperties.check(dir, FORMAT, shape(), store.generation().root().toString());
        ModelNeighborhoods.requireCurrent(dir);
        PinSageModel model = PinSageModel.load(ModelDirectory.finishedModel(dir), backend);
        try (MappedNeighborhoods hood = ModelNeighborhoods.open(dir, space, null)) {
            return new Row(label, rank(model, hood), (System.nanoTime() - t0) / 1e9);
        }
    }

    /** What a model trained on this store is bound to: node and edge counts and the feature width. */
    private Map<String, String> shape() {
        return shape(graph, featureDim);
    }

    /** What a model trained on {@code graph} with pin features of {@code featureDim} columns is bound to. */
    static Map<String, String> shape(BipartiteGraph graph, int featureDim) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pins", Integer.toString(graph.nodeCount(Side.LEFT)));
        m.put("boards", Integer.toString(graph.nodeCount(Side.RIGHT)));
        m.put("edges", Long.toString(graph.edgeCount()));
        m.put("featureDim", Integer.toString(featureDim));
        return m;
    }

    /** The hard-negative band training uses on this graph: the options' band, scaled to the number of pins. */
    public HardNegativeBand hardBand() {
        return options.hardBand().scaledTo(graph.nodeCount(Side.LEFT));
    }

    private PairRankingEvaluator testEvaluator() {
        return new PairRankingEvaluator(options.k(), options.poolSize(), options.training().seed(), options.training().threads());
    }

    private PairRankingMetrics rank(PairScorer scorer) {
        return testEvaluator().evaluate(scorer, testQueries, testPositives, 0, space.leftCount());
    }

    /** Ranks the held-out pairs by {@code model}'s embeddings of the nodes they score, and of no other. */
    private PairRankingMetrics rank(PinSageModel model, MappedNeighborhoods hood) {
        int[] nodes = testEvaluator().nodesScored(testQueries, testPositives, 0, space.leftCount());
        return rank(new EmbeddingPairScorer(nodes, Inference.embedNodes(model, hood, inputs, nodes),
                model.config().outputDim()));
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
}
