package io.pinsage.engine.pipeline;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.data.InteractionLists;
import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.eval.EmbeddingItemScorer;
import io.pinsage.engine.eval.FullRankingEvaluator;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.train.Inference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.engine.train.EpochSnapshots;
import io.pinsage.engine.train.RunFingerprint;
import io.pinsage.engine.train.TrainingBatches;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.model.SampledRankingLoss;
import io.pinsage.walk.NeighborhoodConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * PinSage as a user–item recommender on a {@link LightGcnDataset}: publishes the training graph as a graph store,
 * builds the neighbourhood stores of items and users from it, trains on the (user, item) training edges with early
 * stopping on a held-out item per validation user, and writes a model directory that {@link #evaluate} reads back.
 *
 * <p>Model directory: {@code model.bin} (the best model, nn-runtime's model file), {@code graph/} (the training graph,
 * a graph store: the training split less the validation edges), {@code neighborhoods.left/} and
 * {@code neighborhoods.right/} (the neighbourhood stores trained with, mapped again by a resumed run and by
 * evaluation; neither the graph nor the neighbourhoods are made for a model of {@code layers = 0}, which pools over
 * nothing), {@code model.properties} (node counts and the training-edge count, checked against the dataset at
 * evaluation), {@code checkpoint/} and {@code training-log.jsonl} (the command line draws its plots beside
 * it); when asked, {@code epochs/} (every epoch's model) and, once {@link #evaluateEpochs} ran,
 * {@link EpochEvaluation#FILE}.
 *
 * <p>Training and evaluation run on the {@link Backend} the caller passes (the CPU or a GPU) and own it meanwhile.
 */
public final class LightGcnRecommender {

    /** File names inside a model directory. */
    public static final String MODEL = "model.bin";
    public static final String GRAPH = "graph";
    public static final String PROPERTIES = ModelProperties.FILE;

    private static final Logger LOG = LoggerFactory.getLogger(LightGcnRecommender.class);
    /** The validation metric's name in the log and progress. */
    private static final String METRIC = "val recall@20";

    private LightGcnRecommender() {
    }

    /**
     * What a training run reached.
     *
     * @param alreadyTrained whether the directory held a finished run, so that nothing was trained and the figures
     *                       are that run's
     */
    public record Result(double validation, int epochs, double waitFraction, double deviceIdleFraction, double seconds,
                         boolean alreadyTrained) {
    }

    /**
     * Trains on {@code data}'s training split and writes the model directory (resuming from its checkpoint if any;
     * a finished one is logged and only its best model is written again). The run's events go to what
     * {@code progress} starts.
     *
     * @throws IllegalArgumentException naming the differing counts, before any work, if the directory holds a model
     *                                  of another dataset's shape
     */
    public static Result train(LightGcnDataset data, Path outDir, RecommenderOptions o, Backend backend,
                               TrainingProgress progress) throws IOException {
        return train(data, outDir, o, backend, progress, BatchSupply.LOCAL);
    }

    /**
     * As above, with the minibatches built by {@code supply} (samplers on other machines, for one): the run's
     * batches, and so its result, are the same as with sampler threads of this process.
     */
    public static Result train(LightGcnDataset data, Path outDir, RecommenderOptions o, Backend backend,
                               TrainingProgress progress, BatchSupply supply) throws IOException {
        return train(data, outDir, o, backend, progress, supply, false);
    }

    /**
     * As above; with {@code keepEpochs}, every epoch's model is kept in {@code outDir/epochs/} too
     * ({@link EpochSnapshots}, as large as the model each), for {@link #evaluateEpochs}.
     */
    public static Result train(LightGcnDataset data, Path outDir, RecommenderOptions o, Backend backend,
                               TrainingProgress progress, BatchSupply supply, boolean keepEpochs) throws IOException {
        long start = System.nanoTime();
        ModelNeighborhoods.requireCurrent(outDir);
        NodeSpace space = NodeSpace.of(data.graph());
        PinSageConfig model = modelConfig(space, o);
        requireHeap(space, o, data.train().size());
        Trainer.Position at = ModelDirectory.openForTraining(outDir, "lightgcn", shape(data), Map.of(), "dataset",
                "PinSage model over a LightGCN-format dataset", model, o.training(), o.recipe());
        int threads = o.training().threads();
        Split split = split(data, o.validationUsers(), o.training().seed());
        NeighborhoodConfig[] rows = ModelNeighborhoods.configs(o.neighborhoods(), o.width(), o.stepsPerNode(),
                o.training().seed(), o.userItems());
        try (MappedNeighborhoods mapped = neighborhoods(data, split, outDir, o, rows)) {
            ComputationGraphBuilder.Neighborhoods hood = orNone(mapped);
            NodeInputs inputs = NodeInputs.of(space.size(), 0, null, space.logDegrees(data.graph()));
            LOG.info("training pairs: {}, validation users: {}", split.queries.length,
                    split.validation.size() == 0 ? 0 : countUsers(split.validation));
            FullRankingEvaluator evaluator = new FullRankingEvaluator(20, threads);
            TrainingListener listener = TrainingListener.of(new TrainingLog(outDir, METRIC),
                    progress.start(o.training().epochs(), METRIC, outDir.resolve(TrainingLog.FILE)));
            TrainingBatches batches = batches(data, o, model, rows, split, hood, inputs, space.leftCount(), null);
            Trainer trainer = new Trainer(backend, model, batches.schedule(), supply.sources(batches), o.training(),
                    m -> score(m, hood, inputs, space, evaluator, split.maskTrain, split.validation).recall(), listener);
            Trainer.Result r = trainer.keepEpochs(keepEpochs).candidateCounts(o.popularityCorrection()
                    ? candidateCounts(split.positives, space.leftCount(), o.training()) : null).train(outDir);
            r.best().save(outDir.resolve(MODEL));
            return new Result(r.bestScore(), r.epochsRun(), r.waitFraction(), r.deviceIdleFraction(),
                    (System.nanoTime() - start) / 1e9, at != null && at.finished(o.training()));
        }
    }

    /**
     * The minibatches a {@link #train} run of {@code data} with options {@code o} trains on, for a sampler that
     * serves them to that run's trainer: the same pairs, neighbourhoods and fingerprint. The neighbourhood stores are
     * built into {@code workDir} (with its training graph), or mapped from there when a sampler ran there before with
     * the same settings; the returned recipe owns them until closed.
     *
     * @throws IllegalArgumentException if {@code workDir} holds neighbourhoods built with other settings
     */
    public static TrainingBatches samplerBatches(LightGcnDataset data, Path workDir, RecommenderOptions o)
            throws IOException {
        ModelNeighborhoods.requireCurrent(workDir);
        NodeSpace space = NodeSpace.of(data.graph());
        PinSageConfig model = modelConfig(space, o);
        requireHeap(space, o, data.train().size());
        Split split = split(data, o.validationUsers(), o.training().seed());
        NeighborhoodConfig[] rows = ModelNeighborhoods.configs(o.neighborhoods(), o.width(), o.stepsPerNode(),
                o.training().seed(), o.userItems());
        Files.createDirectories(workDir);
        MappedNeighborhoods mapped = neighborhoods(data, split, workDir, o, rows);
        try {
            return batches(data, o, model, rows, split, orNone(mapped), NodeInputs.of(space.size(), 0, null,
                    space.logDegrees(data.graph())), space.leftCount(), mapped);
        } catch (RuntimeException e) {
            if (mapped != null) {
                mapped.close();
            }
            throw e;
        }
    }

    /**
     * The rows a model of {@code o.layers()} CONVOLVE layers pools over: the stores in {@code dir}, mapped, or built
     * there (with the training graph) when absent; null for {@code layers = 0}, which reads none, so that neither the
     * graph store nor the walks are made for it.
     */
    private static MappedNeighborhoods neighborhoods(LightGcnDataset data, Split split, Path dir, RecommenderOptions o,
                                                     NeighborhoodConfig[] rows) throws IOException {
        if (o.layers() == 0) {
            LOG.info("layers=0: each node is embedded from its own id embedding and log-degree; no neighbourhoods");
            return null;
        }
        return ModelNeighborhoods.exist(dir) ? ModelNeighborhoods.open(dir, NodeSpace.of(data.graph()), rows)
                : buildNeighborhoods(data, split, dir, rows, o.training().threads());
    }

    private static ComputationGraphBuilder.Neighborhoods orNone(MappedNeighborhoods mapped) {
        return mapped != null ? mapped : ComputationGraphBuilder.Neighborhoods.none();
    }

    /**
     * The one recipe of a run's batches, which the trainer and its samplers both make. Hard negatives, when the
     * training asks for some, are items of a user's band over the whole training graph (so that none of its training
     * items, held out for validation or not, is one); the fingerprint names the band.
     */
    private static TrainingBatches batches(LightGcnDataset data, RecommenderOptions o, PinSageConfig model,
                                           NeighborhoodConfig[] rows, Split split,
                                           ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs, int items,
                                           AutoCloseable owned) {
        TrainingConfig t = o.training();
        HardNegativeBand band = hardBand(data, o);
        // without CONVOLVE layers the rows do not shape a batch, so settings of theirs may differ
        RunFingerprint fingerprint = RunFingerprint.of("lightgcn " + shape(data) + " train=" + digest(data.train())
                + " validationUsers=" + o.validationUsers(), o.layers() == 0 ? "none" : rows[0] + " " + rows[1], t,
                HardNegativeCache.fingerprint(t.maxHardNegatives(), band), model);
        HardNegativeCache hard = t.maxHardNegatives() == 0 ? null
                : HardNegativeCache.forTraining(data.graph(), Side.RIGHT, Side.LEFT, band, t.seed(), LOG::info);
        return new TrainingBatches(model, hood, inputs, split.queries, split.positives, 0, items, hard, t, fingerprint,
                owned);
    }

    /**
     * The expected count of each item among one batch's candidate columns, for the softmax's correction: the batch's
     * {@code B} positives are drawn by the items' frequency among the training pairs' {@code positives} (add-one
     * smoothed, so an item never drawn still has a finite count) and its {@code S} shared negatives uniformly from
     * the {@code items}: {@code B·(n_j + 1)/(P + items) + S/items}. Users are never candidates; they get 0. Memory: a
     * float per item (user–item data lives on the heap here).
     */
    static SampledRankingLoss.CandidateCounts candidateCounts(int[] positives, int items, TrainingConfig t) {
        int[] n = new int[items];
        for (int p : positives) {
            n[p]++;
        }
        float[] log = new float[items];
        double uniform = (double) t.sharedNegatives() / items;
        for (int j = 0; j < items; j++) {
            log[j] = (float) Math.log((double) t.batchSize() * (n[j] + 1) / ((double) positives.length + items) + uniform);
        }
        return node -> node < items ? log[node] : 0f;
    }

    /** The band a user's hard negatives come from on {@code data}: the options' band, scaled to the number of items. */
    public static HardNegativeBand hardBand(LightGcnDataset data, RecommenderOptions o) {
        return o.hardBand().scaledTo(data.itemCount());
    }

    /** The first 16 bytes of the SHA-256 of every user's training items, in order, in hex: the training data's identity. */
    private static String digest(InteractionLists train) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        for (int u = 0; u < train.userCount(); u++) {
            if (b.remaining() < 8) {
                md.update(b.flip());
                b.clear();
            }
            b.putInt(u).putInt(train.count(u));
            for (int k = train.start(u); k < train.start(u) + train.count(u); k++) {
                if (b.remaining() < 4) {
                    md.update(b.flip());
                    b.clear();
                }
                b.putInt(train.item(k));
            }
        }
        md.update(b.flip());
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /**
     * Publishes the training graph less the validation edges (a user pooling over its held-out item would make
     * validation measure recall of items it already holds, and stop training too early) as the graph store
     * {@code dir/graph}, then both sides' neighbourhood stores from it.
     */
    private static MappedNeighborhoods buildNeighborhoods(LightGcnDataset data, Split split, Path dir,
                                                          NeighborhoodConfig[] rows, int threads)
            throws IOException {
        Path root = dir.resolve(GRAPH);
        try (Publication p = StoreDirectory.beginPublication(root)) {
            CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(), CsrBuildOptions.defaults()
                    .withThreads(threads));
            try (CsrBuilder.Sink sink = builder.newSink()) {
                InteractionLists train = split.maskTrain;
                for (int u = 0; u < train.userCount(); u++) {
                    for (int k = train.start(u); k < train.start(u) + train.count(u); k++) {
                        sink.add(train.item(k), u);
                    }
                }
            }
            builder.build(data.itemCount(), data.userCount());
            p.commit();
        }
        LOG.info("neighborhoods: items {} T={}, users {} T={}, {} steps per node, {} nodes", rows[0].kind(), rows[0].topT(),
                rows[1].kind(), rows[1].topT(), rows[0].stepsPerNode(), data.itemCount() + data.userCount());
        try (GraphStore graph = GraphStore.open(root)) {
            return ModelNeighborhoods.build(graph.graph(), dir, rows, threads, done -> { });
        }
    }

    /**
     * Refuses settings whose node-sized tables could not fit the heap, before the neighbourhoods (minutes on large data)
     * are built: the id embeddings with their Adam state and the inferred embeddings (4 floats and 3 floats per node
     * and width), and the queued minibatches' target rows (a batch holds at most the {@code pairs} training pairs, so a
     * larger batch size just means all of them). The neighbourhoods are mapped stores, off the heap.
     *
     * @throws IllegalArgumentException naming the settings, the estimate and the heap's maximum
     */
    static void requireHeap(NodeSpace space, RecommenderOptions o, long pairs) {
        long nodes = space.size();
        TrainingConfig t = o.training();
        long batch = Math.min(t.batchSize(), pairs);
        long batchRows = 2L * batch + t.sharedNegatives() + batch * t.maxHardNegatives();
        long queued = (long) t.samplerThreads() * t.queueCapacity() + 2;
        long bytes = ResourceLimits.plus(ResourceLimits.bytes(nodes * (4L * o.embedDim() + 3L * o.dim()), 4),
                ResourceLimits.bytes(ResourceLimits.bytes(batchRows, queued), 4L * o.dim()));
        String what = "nodes=" + nodes + " width=" + o.width() + " userItems=" + o.userItems() + " dim=" + o.dim()
                + " embedDim=" + o.embedDim() + " batchSize=" + t.batchSize() + " sharedNegatives=" + t.sharedNegatives();
        // the embeddings of all nodes are each one array
        if (nodes * Math.max(o.dim(), o.embedDim()) > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(what + ": nodes x max(dim, embedDim) must stay below 2^31 - 64");
        }
        ResourceLimits.requireHeap(what, bytes, "lower the width, dims, batch or negatives, or give the JVM a larger heap");
    }

    /** Evaluates a trained model directory on {@code data}'s test split (LightGCN protocol, k = 20) on {@code backend}. */
    public static RankingMetrics evaluate(Path modelDir, LightGcnDataset data, Backend backend, int threads) throws IOException {
        ModelProperties.check(modelDir, "lightgcn", shape(data), data.dir().toString());
        ModelNeighborhoods.requireCurrent(modelDir);
        PinSageModel model = PinSageModel.load(ModelDirectory.finishedModel(modelDir), backend);
        NodeSpace space = NodeSpace.of(data.graph());
        NodeInputs inputs = NodeInputs.of(space.size(), 0, null, space.logDegrees(data.graph()));
        try (MappedNeighborhoods mapped = model.config().layers() == 0 ? null
                : ModelNeighborhoods.open(modelDir, space, null)) {
            return score(model, orNone(mapped), inputs, space, new FullRankingEvaluator(20, threads), data.train(),
                    data.test());
        }
    }

    /**
     * Evaluates every epoch's model that a run into {@code modelDir} kept ({@code train} with {@code keepEpochs}) on
     * {@code data}'s test split, as {@link #evaluate} does the final model, joined with the epoch's validation score
     * from the training log; hands each to {@code each} as it is done (on the caller's thread, in epoch order) and
     * publishes them all as {@link EpochEvaluation#FILE} in {@code modelDir}. The test split is scored here alone,
     * after training: none of it reaches the kept models, the training log or the choice of {@code model.bin}. Costs
     * one evaluation per kept epoch; the neighbourhood stores are mapped once.
     *
     * @return the evaluations, by epoch
     * @throws NoSuchFileException      naming {@code modelDir/epochs} if the run kept no epoch's model
     * @throws IllegalArgumentException if {@code data} is not the dataset the model was trained on
     */
    public static List<EpochEvaluation> evaluateEpochs(Path modelDir, LightGcnDataset data, Backend backend, int threads,
                                                       Consumer<EpochEvaluation> each) throws IOException {
        ModelProperties.check(modelDir, "lightgcn", shape(data), data.dir().toString());
        ModelNeighborhoods.requireCurrent(modelDir);
        List<EpochSnapshots.Snapshot> kept = EpochSnapshots.list(modelDir);
        if (kept.isEmpty()) {
            throw new NoSuchFileException(modelDir.resolve(EpochSnapshots.DIR).toString(), null, "no epoch's model was kept; "
                    + "train with --keep-epochs keeps each (a resumed run keeps those it trains from then on)");
        }
        Map<Integer, Double> validation = new HashMap<>();
        for (TrainingLog.Entry e : TrainingLog.read(modelDir)) {
            validation.put(e.epoch(), e.validation());
        }
        NodeSpace space = NodeSpace.of(data.graph());
        NodeInputs inputs = NodeInputs.of(space.size(), 0, null, space.logDegrees(data.graph()));
        FullRankingEvaluator evaluator = new FullRankingEvaluator(20, threads);
        List<EpochEvaluation> done = new ArrayList<>(kept.size());
        try (MappedNeighborhoods hood = ModelNeighborhoods.open(modelDir, space, null)) {
            for (EpochSnapshots.Snapshot s : kept) {
                PinSageModel model = PinSageModel.load(s.file(), backend);
                EpochEvaluation e = new EpochEvaluation(s.epoch(), score(model, hood, inputs, space, evaluator, data.train(),
                        data.test()), validation.getOrDefault(s.epoch(), Double.NaN), METRIC);
                done.add(e);
                each.accept(e);
            }
        }
        EpochEvaluation.write(modelDir, done);
        return done;
    }

    /**
     * The model for these options: id embeddings for every node (added to h0 directly when as wide as the layers),
     * log-degree as the only fixed input, {@code layers} CONVOLVE layers of width {@code dim}, normalised output;
     * without {@link RecommenderOptions#userIds} the users share one id row after the items'.
     */
    static PinSageConfig modelConfig(NodeSpace space, RecommenderOptions o) {
        if (!o.userIds()) {
            // items are ids [0, leftCount); every user shares the row after them
            int items = space.leftCount();
            return new PinSageConfig(0, true, items + 1, o.embedDim(), o.dim(), o.layers(), o.dim(), o.dim(), o.dim(),
                    o.dim(), Pooling.MEAN, true, o.training().seed(), false, items);
        }
        return new PinSageConfig(0, true, space.size(), o.embedDim(), o.dim(), o.layers(), o.dim(), o.dim(), o.dim(), o.dim(),
                Pooling.MEAN, true, o.training().seed());
    }

    private static RankingMetrics score(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                                        NodeSpace space, FullRankingEvaluator evaluator, InteractionLists train,
                                        InteractionLists test) {
        float[] emb = Inference.embedAll(model, hood, inputs);
        int d = model.config().outputDim();
        float[] items = Arrays.copyOfRange(emb, 0, space.leftCount() * d);
        float[] users = Arrays.copyOfRange(emb, space.leftCount() * d, space.size() * d);
        return evaluator.evaluate(new EmbeddingItemScorer(users, items, d), train, test);
    }

    /** Training pairs, and a validation split holding out one training item of some users. */
    private record Split(int[] queries, int[] positives, InteractionLists maskTrain, InteractionLists validation) {
    }

    private static Split split(LightGcnDataset data, int validationUsers, long seed) {
        InteractionLists train = data.train();
        int users = data.userCount();
        Random rnd = new Random(seed ^ 0x5EED);
        int[] heldOut = new int[users];
        Arrays.fill(heldOut, -1);
        int[] candidates = java.util.stream.IntStream.range(0, users).filter(u -> train.count(u) >= 3).toArray();
        for (int i = candidates.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = candidates[i];
            candidates[i] = candidates[j];
            candidates[j] = t;
        }
        int chosen = Math.min(validationUsers, candidates.length);
        for (int i = 0; i < chosen; i++) {
            int u = candidates[i];
            heldOut[u] = train.item(train.start(u) + rnd.nextInt(train.count(u)));
        }
        int pairs = train.size() - chosen;
        int[] q = new int[pairs];
        int[] p = new int[pairs];
        int[] maskU = new int[pairs];
        int[] valU = new int[chosen];
        int[] valI = new int[chosen];
        int n = 0;
        int v = 0;
        int left = data.itemCount();
        for (int u = 0; u < users; u++) {
            for (int k = train.start(u); k < train.start(u) + train.count(u); k++) {
                int item = train.item(k);
                if (item == heldOut[u]) {
                    valU[v] = u;
                    valI[v++] = item;
                } else {
                    q[n] = left + u;
                    p[n] = item;
                    maskU[n++] = u;
                }
            }
        }
        return new Split(q, p, InteractionLists.of(users, maskU, p, n), InteractionLists.of(users, valU, valI, v));
    }

    private static int countUsers(InteractionLists lists) {
        int c = 0;
        for (int u = 0; u < lists.userCount(); u++) {
            if (lists.count(u) > 0) {
                c++;
            }
        }
        return c;
    }

    private static Map<String, String> shape(LightGcnDataset data) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("items", Integer.toString(data.itemCount()));
        m.put("users", Integer.toString(data.userCount()));
        m.put("trainEdges", Long.toString(data.graph().edgeCount()));
        return m;
    }
}
