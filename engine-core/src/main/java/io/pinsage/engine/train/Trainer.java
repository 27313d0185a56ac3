package io.pinsage.engine.train;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.model.SampledRankingLoss;
import io.pinsage.nn.backend.NonFiniteValueException;
import io.pinsage.nn.train.TrainingStep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Trains a PinSage model (nn-runtime's {@link PinSageModel} on any {@link Backend}: the CPU, or a GPU) on
 * (query, positive) pairs with producer–consumer minibatches.
 *
 * <p>Producers build batch i (negatives, then nn-runtime's computation-graph builder: neighbourhood expansion,
 * re-indexing, input gather) while the trainer thread runs the step of batch i − 1 on the backend
 * ({@link TrainingStep}): forward, {@link SampledRankingLoss}, backward, {@link AdamOptimizer} (dense Adam for the
 * weights, lazy Adam for the id embeddings). The trainer takes batch i of epoch e from a {@link MiniBatchSource} opened per epoch: sampler
 * threads of this process ({@link LocalMiniBatchSource}, what the pair-array constructor uses) or any other
 * producer; the {@link BatchSchedule} fixes each batch's pairs and draws by (seed, epoch, i), so the batch
 * sequence is the same whatever produces it. The time the trainer spends waiting for batches is reported per
 * epoch.
 *
 * <p>After each epoch the validator scores the model; a better score saves {@code best.bin} (a model file), a
 * worse one scales the learning rates by {@code lrDecay}, and {@code patience} bad epochs in a row stop
 * training (early stopping). A {@link Checkpoint} is written at each epoch end (and every
 * {@code checkpointEvery} batches): a run started on a directory holding one resumes from it and, with the same
 * configuration and backend, continues exactly as an uninterrupted run would have; {@link #keepEpochs} keeps each
 * epoch's model too ({@link EpochSnapshots}). A NaN or infinity stops
 * training with a {@link TrainingDivergedException} naming the step and the first non-finite activation or
 * gradient; the last checkpoint stays as it was.
 *
 * <p>Threading: {@link #train} runs on the caller's thread, which owns the backend meanwhile; it opens (and closes)
 * one minibatch source per epoch, whose producers run on their own threads. The caller keeps ownership of the
 * backend (and closes it).
 */
public final class Trainer {

    /** Names inside the output directory: the checkpoint directory and the best model file. */
    public static final String CHECKPOINT = Checkpoint.DIR;
    public static final String BEST = "best.bin";

    private final Backend backend;
    private final PinSageConfig modelConfig;
    private final BatchSchedule schedule;
    private final MiniBatchSource.Factory sources;
    private final TrainingConfig config;
    private final Validator validator;
    private final TrainingListener listener;
    private long stopAfterSteps = Long.MAX_VALUE;
    private boolean keepEpochs;
    private SampledRankingLoss.CandidateCounts candidateCounts;

    /**
     * @param modelConfig the model to train (a fresh one is initialised from its seed unless a checkpoint exists);
     *                    its id table, when it has one, must have one row per node
     * @param queries     query node of each training pair (ids of the node inputs' node space)
     * @param positives   positive node of each pair
     * @throws IllegalArgumentException if the arrays differ in length, name a node outside the node space, or the
     *                                  model's inputs do not match the node inputs
     */
    public Trainer(Backend backend, PinSageConfig modelConfig, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                   int[] queries, int[] positives, int negativeFrom, int negativeTo, HardNegatives hard, TrainingConfig config,
                   Validator validator, TrainingListener listener) {
        BatchSchedule schedule = checked(modelConfig, inputs, queries, positives, config);
        this(backend, modelConfig, schedule, LocalMiniBatchSource.factory(schedule, modelConfig.layers(), hood, inputs,
                queries, positives, negativeFrom, negativeTo, hard, config), config, validator, listener);
    }

    /**
     * Trains on minibatches from any producer.
     *
     * @param schedule the batches of an epoch, with {@code config}'s batch size and seed
     * @param sources  opened at each epoch's start (at the checkpoint's batch when resuming), closed at its end
     * @throws IllegalArgumentException if the schedule's batch size or seed is not the configuration's
     */
    public Trainer(Backend backend, PinSageConfig modelConfig, BatchSchedule schedule, MiniBatchSource.Factory sources,
                   TrainingConfig config, Validator validator, TrainingListener listener) {
        if (schedule.batchSize() != config.batchSize() || schedule.seed() != config.seed()) {
            throw new IllegalArgumentException("schedule batchSize=" + schedule.batchSize() + " seed=" + schedule.seed()
                    + ": must be the training configuration's, batchSize=" + config.batchSize() + " seed=" + config.seed());
        }
        this.backend = backend;
        this.modelConfig = modelConfig;
        this.schedule = schedule;
        this.sources = sources;
        this.config = config;
        this.validator = validator;
        this.listener = listener == null ? new TrainingListener() { } : listener;
    }

    /** The schedule of the pairs, once they are checked against the node space and the model. */
    static BatchSchedule checked(PinSageConfig modelConfig, NodeInputs inputs,
                                         int[] queries, int[] positives, TrainingConfig config) {
        int nodes = inputs.nodeCount();
        if (queries.length != positives.length || queries.length == 0) {
            throw new IllegalArgumentException("queries.length=" + queries.length + " positives.length=" + positives.length
                    + ": must be equal and non-zero");
        }
        for (int i = 0; i < queries.length; i++) {
            if (queries[i] < 0 || queries[i] >= nodes || positives[i] < 0 || positives[i] >= nodes) {
                throw new IllegalArgumentException("pair " + i + " = (" + queries[i] + ", " + positives[i]
                        + "): unknown node id, the graph has " + nodes + " nodes");
            }
        }
        if (modelConfig.idEmbeddings() != 0 && !modelConfig.sharesIdRows() && modelConfig.idEmbeddings() != nodes) {
            throw new IllegalArgumentException("idEmbeddings=" + modelConfig.idEmbeddings() + ": the id table needs one row per"
                    + " node, nodeCount=" + nodes);
        }
        if (modelConfig.featureDim() != inputs.featureDim() || modelConfig.useLogDegree() != inputs.hasLogDegree()) {
            throw new IllegalArgumentException("featureDim=" + modelConfig.featureDim() + " useLogDegree="
                    + modelConfig.useLogDegree() + ": the node inputs have featureDim=" + inputs.featureDim()
                    + " logDegree=" + inputs.hasLogDegree());
        }
        return new BatchSchedule(queries.length, config.batchSize(), config.seed());
    }

    /** Stops (as if killed) after this many steps in total, leaving the checkpoint of the last checkpoint point. For tests. */
    Trainer stopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /**
     * Whether {@link #train} also keeps each epoch's model as {@link EpochSnapshots} in its output directory (off by
     * default: each file is as large as the model, id table included).
     *
     * @return this trainer
     */
    public Trainer keepEpochs(boolean keep) {
        this.keepEpochs = keep;
        return this;
    }

    /**
     * Corrects the softmax loss for how often each node is drawn as a candidate ({@link SampledRankingLoss#correctedBy}),
     * or not (null, the default).
     *
     * @return this trainer
     */
    public Trainer candidateCounts(SampledRankingLoss.CandidateCounts counts) {
        this.candidateCounts = counts;
        return this;
    }

    /** Outcome of a run; {@code best} lives on the trainer's backend. */
    public record Result(PinSageModel best, double bestScore, int epochsRun, long steps, double waitFraction,
                         double deviceIdleFraction, boolean stoppedEarly) {
    }

    /** The early stop, one rule for a run and for {@link Position#finished}: {@code patience} bad epochs in a row. */
    private static boolean patienceSpent(int badEpochs, TrainingConfig config) {
        return badEpochs >= config.patience();
    }

    /**
     * Where a run into {@code outDir} stands, from its checkpoint's trainer state alone (cheap: no model is read).
     *
     * @param checkpoint the checkpoint directory {@link #train} will resume from
     * @param epoch      the next epoch to run, 0-based
     * @param batch      the next batch of that epoch, 0-based (0 after an epoch's end)
     * @param badEpochs  epochs in a row without validation gain so far
     */
    public record Position(Path checkpoint, int epoch, int batch, int badEpochs) {

        /** Whether {@link #train} with {@code config} would run no further step: the epoch cap reached or patience spent. */
        public boolean finished(TrainingConfig config) {
            return epoch >= config.epochs() || patienceSpent(badEpochs, config);
        }
    }

    /**
     * The position of the checkpoint in {@code outDir}, or null when it holds none (a run there starts afresh).
     *
     * @throws CorruptCheckpointException naming the file if the checkpoint's trainer state is unreadable
     */
    public static Position position(Path outDir) throws IOException {
        if (!Checkpoint.exists(outDir)) {
            return null;
        }
        Checkpoint c = Checkpoint.position(outDir);
        return new Position(Checkpoint.directory(outDir), c.epoch(), c.batch(), c.badEpochs());
    }

    /**
     * Checks that a checkpoint in {@code outDir}, if any, holds a model of {@code modelConfig}, without a backend: for
     * callers that prepare expensive inputs before {@link #train} and should fail before that work. Reads the
     * checkpoint's model file whole, once.
     *
     * @throws CorruptCheckpointException naming the file if it is unreadable, or naming the configuration fields that differ
     */
    public static void checkResumable(Path outDir, PinSageConfig modelConfig) throws IOException {
        if (Checkpoint.exists(outDir)) {
            Checkpoint.checkModel(outDir, modelConfig);
        }
    }

    /**
     * Trains, resuming from {@code outDir/checkpoint/} when present.
     *
     * @throws CorruptCheckpointException if a checkpoint is there but unreadable or of another model (nothing is
     *                                    overwritten)
     */
    public Result train(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        PinSageModel model;
        AdamOptimizer adam;
        Checkpoint state;
        if (Checkpoint.exists(outDir)) {
            Checkpoint.Loaded loaded = Checkpoint.load(outDir, backend, modelConfig);
            model = loaded.model();
            adam = loaded.optimizer();
            state = loaded.position();
        } else {
            model = new PinSageModel(backend, modelConfig);
            adam = new AdamOptimizer(backend, model.parameters(), new AdamConfig(config.learningRate(), 0.9f, 0.999f,
                    1e-8f, config.weightDecay()));
            state = new Checkpoint(0, 0, 0, 1f, Double.NEGATIVE_INFINITY, 0);
        }
        int epoch = state.epoch();
        int startBatch = state.batch();
        long step = state.globalStep();
        float lrScale = state.lrScale();
        double best = state.best();
        int bad = state.badEpochs();
        setLearningRates(adam, lrScale);
        int batches = schedule.batches();
        long totalWaitNanos = 0;
        long totalNanos = 0;
        long totalBusyNanos = 0;
        boolean stoppedEarly = patienceSpent(bad, config);
        TrainingStep training = new TrainingStep(model, new SampledRankingLoss(backend, modelConfig.outputDim(),
                config.loss(), config.margin(), config.temperature(), config.inBatchNegatives()).correctedBy(candidateCounts),
                adam);
        for (; epoch < config.epochs() && !stoppedEarly; epoch++, startBatch = 0) {
            int hardPerQuery = config.hardNegativesIn(epoch);
            long epochStart = System.nanoTime();
            long waitNanos = 0;
            long busyAtStart = backend.busyNanos();
            double lossSum = 0;
            int lossCount = 0;
            try (MiniBatchSource source = sources.open(epoch, startBatch)) {
                NextBatch next = null;
                for (int b = startBatch; b < batches; b++) {
                    MiniBatch batch;
                    long batchWait;
                    if (next == null) {
                        long t0 = System.nanoTime();
                        batch = source.take(epoch, b);
                        batchWait = System.nanoTime() - t0;
                    } else {
                        batch = next.take();
                        batchWait = next.waitNanos;
                    }
                    waitNanos += batchWait;
                    listener.batchTaken(epoch, b, batch, batchWait);
                    next = b + 1 < batches ? new NextBatch(source, epoch, b + 1, model) : null;
                    double l = step(training, batch, step, next);
                    step++;
                    lossSum += l;
                    lossCount++;
                    listener.batchDone(epoch, b, batches, l);
                    if (config.checkpointEvery() > 0 && (b + 1) % config.checkpointEvery() == 0 && b + 1 < batches) {
                        new Checkpoint(epoch, b + 1, step, lrScale, best, bad).save(outDir, model, adam);
                    }
                    if (step >= stopAfterSteps) {
                        return new Result(model, best, epoch, step, 0, 0, false);
                    }
                }
            }
            long epochNanos = System.nanoTime() - epochStart;
            long busyNanos = backend.busyNanos() - busyAtStart;
            totalWaitNanos += waitNanos;
            totalNanos += epochNanos;
            totalBusyNanos += busyNanos;
            double score = validator.score(model);
            boolean improved = score > best;
            if (improved) {
                best = score;
                bad = 0;
                model.save(outDir.resolve(BEST));
            } else {
                bad++;
                lrScale *= config.lrDecay();
                setLearningRates(adam, lrScale);
                stoppedEarly = patienceSpent(bad, config);
            }
            if (keepEpochs) {
                // before the checkpoint, so that a run killed in between trains the epoch again and rewrites its file
                EpochSnapshots.save(outDir, epoch + 1, model);
            }
            new Checkpoint(epoch + 1, 0, step, lrScale, best, bad).save(outDir, model, adam);
            listener.epochDone(new TrainingListener.EpochStats(epoch + 1, lossSum / Math.max(1, lossCount), score, lrScale,
                    epochNanos / 1e9, fraction(waitNanos, epochNanos), idleFraction(busyNanos, epochNanos), hardPerQuery,
                    improved));
        }
        PinSageModel bestModel = Files.exists(outDir.resolve(BEST)) ? PinSageModel.load(outDir.resolve(BEST), backend) : model;
        return new Result(bestModel, best, epoch, step, fraction(totalWaitNanos, totalNanos),
                idleFraction(totalBusyNanos, totalNanos), stoppedEarly);
    }

    private static double fraction(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** The share of the epochs' batch loops the device spent outside busy spans (validation is not in them). */
    private static double idleFraction(long busyNanos, long wallNanos) {
        return wallNanos == 0 ? 0 : Math.max(0, 1 - (double) busyNanos / wallNanos);
    }

    private void setLearningRates(AdamOptimizer adam, float lrScale) {
        adam.setConfig(adam.config().withLearningRate(config.learningRate() * lrScale),
                adam.config().withLearningRate(config.embeddingRate() * lrScale));
    }

    /**
     * One optimisation step ({@link TrainingStep}); while the device runs its forward and backward passes,
     * {@code stageNext} (when not null) takes the next minibatch and uploads it ({@link PinSageModel#stage}).
     */
    private static double step(TrainingStep training, MiniBatch batch, long step, NextBatch stageNext) {
        try {
            return training.run(batch, stageNext);
        } catch (NonFiniteValueException e) {
            throw new TrainingDivergedException(where(step, batch) + ": " + e.getMessage() + "; the last checkpoint is kept");
        }
    }

    private static String where(long step, MiniBatch batch) {
        return "step " + (step + 1) + " (epoch " + (batch.epoch() + 1) + ", batch " + batch.index() + ")";
    }

    /**
     * Takes the next minibatch from the source and stages its inputs on the device, timing the wait. A failure
     * (a producer's exception, a graph the model rejects) is kept and thrown by {@link #take}, when the minibatch is
     * needed: the step during which it was staged still completes, as it did before staging existed.
     */
    private static final class NextBatch implements Runnable {
        private final MiniBatchSource source;
        private final int epoch;
        private final int index;
        private final PinSageModel model;
        private MiniBatch batch;
        private RuntimeException failure;
        long waitNanos;

        NextBatch(MiniBatchSource source, int epoch, int index, PinSageModel model) {
            this.source = source;
            this.epoch = epoch;
            this.index = index;
            this.model = model;
        }

        @Override
        public void run() {
            long t0 = System.nanoTime();
            try {
                batch = source.take(epoch, index);
            } catch (RuntimeException e) {
                failure = e;
                return;
            } finally {
                waitNanos = System.nanoTime() - t0;
            }
            try {
                model.stage(batch.graph());
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** The minibatch, or the failure that came with it. */
        MiniBatch take() {
            if (failure != null) {
                throw failure;
            }
            return batch;
        }
    }
}
