package io.pinsage.engine.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Trains a PinSage model on (query, positive) pairs with producer–consumer minibatches.
 *
 * <p>Sampler threads build batch i (neighbourhood lookup, re-indexing to the compact computation graph, input
 * gather, shared and curriculum hard negatives) into bounded queues while the trainer thread runs the step of
 * batch i − 1; batch i is built by sampler {@code i mod S} and taken from its queue in order, and its draws come
 * from a generator seeded by (seed, epoch, i), so the batch sequence is the same whatever the number of sampler
 * threads or their timing. The time the trainer spends waiting on the queue is reported per epoch.
 *
 * <p>After each epoch the validator scores the model; a better score saves {@code best.bin}, a worse one scales
 * the learning rates by {@code lrDecay}, and {@code patience} bad epochs in a row stop training (early stopping).
 * A checkpoint is written at each epoch end (and every {@code checkpointEvery} batches): a run started on a
 * directory holding one resumes from it and, with the same configuration and thread count, continues exactly
 * as an uninterrupted run would have. A NaN or infinity stops training with a {@link TrainingDivergedException}
 * naming the step and tensor; the last checkpoint stays as it was.
 *
 * <p>Threading: {@link #train} runs on the caller's thread and starts its own samplers and compute threads.
 */
public final class Trainer {

    /** File names inside the output directory. */
    public static final String CHECKPOINT = "checkpoint.bin";
    public static final String BEST = "best.bin";

    private final ModelShape shape;
    private final Neighbourhoods hood;
    private final NodeInputs inputs;
    private final int[] queries;
    private final int[] positives;
    private final int negativeFrom;
    private final int negativeTo;
    private final HardNegatives hard;
    private final TrainingConfig config;
    private final Validator validator;
    private final TrainingListener listener;
    private long stopAfterSteps = Long.MAX_VALUE;

    /**
     * @param queries   query node of each training pair (unified ids)
     * @param positives positive node of each pair
     * @throws IllegalArgumentException if the arrays differ in length or name a node outside the node space
     */
    public Trainer(ModelShape shape, Neighbourhoods hood, NodeInputs inputs, int[] queries, int[] positives, int negativeFrom,
                   int negativeTo, HardNegatives hard, TrainingConfig config, Validator validator, TrainingListener listener) {
        if (queries.length != positives.length || queries.length == 0) {
            throw new IllegalArgumentException("queries.length=" + queries.length + " positives.length=" + positives.length
                    + ": must be equal and non-zero");
        }
        for (int i = 0; i < queries.length; i++) {
            if (queries[i] < 0 || queries[i] >= shape.nodeCount() || positives[i] < 0 || positives[i] >= shape.nodeCount()) {
                throw new IllegalArgumentException("pair " + i + " = (" + queries[i] + ", " + positives[i]
                        + "): unknown node id, the graph has " + shape.nodeCount() + " nodes");
            }
        }
        if (hood.width() != shape.width()) {
            throw new IllegalArgumentException("neighbourhoods.width=" + hood.width() + " shape.width=" + shape.width() + ": must be equal");
        }
        this.shape = shape;
        this.hood = hood;
        this.inputs = inputs;
        this.queries = queries;
        this.positives = positives;
        this.negativeFrom = negativeFrom;
        this.negativeTo = negativeTo;
        this.hard = hard;
        this.config = config;
        this.validator = validator;
        this.listener = listener == null ? new TrainingListener() { } : listener;
    }

    /** Stops (as if killed) after this many steps in total, leaving the checkpoint of the last checkpoint point. For tests. */
    Trainer stopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /** Outcome of a run. */
    public record Result(ModelParams best, double bestScore, int epochsRun, long steps, double waitFraction, boolean stoppedEarly) {
    }

    /**
     * Trains, resuming from {@code outDir/checkpoint.bin} when present.
     *
     * @throws CorruptCheckpointException if a checkpoint is there but unreadable or of another shape (nothing is
     *                                    overwritten)
     */
    public Result train(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path ckptFile = outDir.resolve(CHECKPOINT);
        Checkpoint state;
        if (Files.exists(ckptFile)) {
            state = Checkpoint.load(ckptFile, shape);
        } else {
            ModelParams fresh = ModelParams.initialize(shape, config.seed());
            state = new Checkpoint(fresh, new Adam(fresh.dense.length, fresh.embedding.length), 0, 0, 0, 1f,
                    Double.NEGATIVE_INFINITY, 0);
        }
        ModelParams params = state.params();
        Adam adam = state.adam();
        int epoch = state.epoch();
        int startBatch = state.batch();
        long step = state.globalStep();
        float lrScale = state.lrScale();
        double best = state.best();
        int bad = state.badEpochs();
        ModelParams bestParams = Files.exists(outDir.resolve(BEST)) ? ModelFile.load(outDir.resolve(BEST)) : params.copy();
        int pairs = queries.length;
        int batches = (pairs + config.batchSize() - 1) / config.batchSize();
        long totalWaitNanos = 0;
        long totalNanos = 0;
        boolean stoppedEarly = bad >= config.patience();
        try (Parallel par = new Parallel(config.threads())) {
            PinSageNetwork net = new PinSageNetwork(shape, par);
            PairLoss loss = new PairLoss(config.loss(), config.margin(), config.temperature(), config.inBatchNegatives(), par);
            float[] denseGrad = params.newDenseGradient();
            for (; epoch < config.epochs() && !stoppedEarly; epoch++, startBatch = 0) {
                int[] order = shuffle(pairs, mix(config.seed(), epoch));
                int hardPerQuery = config.hardNegativesIn(epoch);
                long epochStart = System.nanoTime();
                long waitNanos = 0;
                double lossSum = 0;
                int lossCount = 0;
                try (Samplers samplers = new Samplers(order, epoch, startBatch, batches, hardPerQuery)) {
                    for (int b = startBatch; b < batches; b++) {
                        long t0 = System.nanoTime();
                        MiniBatch batch = samplers.take(b);
                        waitNanos += System.nanoTime() - t0;
                        double l = step(net, loss, params, adam, batch, denseGrad, lrScale, par, step);
                        step++;
                        lossSum += l;
                        lossCount++;
                        listener.batchDone(epoch, b, batches, l);
                        if (config.checkpointEvery() > 0 && (b + 1) % config.checkpointEvery() == 0 && b + 1 < batches) {
                            new Checkpoint(params, adam, epoch, b + 1, step, lrScale, best, bad).save(ckptFile);
                        }
                        if (step >= stopAfterSteps) {
                            return new Result(bestParams, best, epoch, step, 0, false);
                        }
                    }
                }
                long epochNanos = System.nanoTime() - epochStart;
                totalWaitNanos += waitNanos;
                totalNanos += epochNanos;
                double score = validator.score(params);
                boolean improved = score > best;
                if (improved) {
                    best = score;
                    bad = 0;
                    bestParams = params.copy();
                    ModelFile.save(outDir.resolve(BEST), bestParams);
                } else {
                    bad++;
                    lrScale *= config.lrDecay();
                    stoppedEarly = bad >= config.patience();
                }
                new Checkpoint(params, adam, epoch + 1, 0, step, lrScale, best, bad).save(ckptFile);
                listener.epochDone(new TrainingListener.EpochStats(epoch + 1, lossSum / Math.max(1, lossCount), score, lrScale,
                        epochNanos / 1e9, epochNanos == 0 ? 0 : (double) waitNanos / epochNanos, hardPerQuery, improved));
            }
        }
        return new Result(bestParams, best, epoch, step, totalNanos == 0 ? 0 : (double) totalWaitNanos / totalNanos, stoppedEarly);
    }

    /** Gradient of the loss with respect to the output rows; grows to the largest batch, then is reused. */
    private float[] dOut = new float[0];

    private double step(PinSageNetwork net, PairLoss loss, ModelParams params, Adam adam, MiniBatch batch, float[] denseGrad,
                        float lrScale, Parallel par, long step) {
        net.forward(batch.graph, params);
        int rows = net.outputRows();
        int dim = shape.outDim();
        if (dOut.length < rows * dim) {
            dOut = new float[Math.max(rows * dim, dOut.length + dOut.length / 2)];
        }
        double l = loss.lossAndGradient(batch, net.output(), rows, dim, dOut);
        String where = "step " + (step + 1) + " (epoch " + (batch.epoch + 1) + ", batch " + batch.index + ")";
        if (!Double.isFinite(l)) {
            String tensor = net.firstNonFiniteTensor();
            throw new TrainingDivergedException(where + ": non-finite " + (tensor == null ? "loss" : tensor)
                    + "; the last checkpoint is kept");
        }
        java.util.Arrays.fill(denseGrad, 0f);
        net.backward(params, dOut, denseGrad);
        for (float g : denseGrad) {
            if (!Float.isFinite(g)) {
                throw new TrainingDivergedException(where + ": non-finite gradient of the dense weights; the last checkpoint is kept");
            }
        }
        adam.beginStep();
        adam.updateDense(params.dense, denseGrad, config.learningRate() * lrScale);
        if (shape.embedDim() > 0) {
            adam.updateRows(params.embedding, shape.embedDim(), batch.graph.nodes[0], batch.graph.count[0], net.embeddingGradient(),
                    net.embeddingGradientStride(), config.embeddingRate() * lrScale, par);
        }
        return l;
    }

    /** Epoch e's order of the pairs: a Fisher–Yates shuffle seeded by (seed, e). */
    static int[] shuffle(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static long mix(long seed, long a) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The sampler threads of one epoch and their bounded queues. */
    private final class Samplers implements AutoCloseable {
        private final Thread[] threads;
        private final BlockingQueue<Object>[] queues;

        @SuppressWarnings("unchecked")
        Samplers(int[] order, int epoch, int fromBatch, int batches, int hardPerQuery) {
            int s = config.samplerThreads();
            threads = new Thread[s];
            queues = new BlockingQueue[s];
            for (int t = 0; t < s; t++) {
                int me = t;
                BlockingQueue<Object> q = new ArrayBlockingQueue<>(config.queueCapacity());
                queues[t] = q;
                threads[t] = new Thread(() -> {
                    MiniBatchBuilder builder = new MiniBatchBuilder(shape.layers(), hood, inputs, negativeFrom, negativeTo,
                            config.sharedNegatives(), hard);
                    try {
                        for (int b = first(fromBatch, me, s); b < batches; b += s) {
                            int from = b * config.batchSize();
                            int to = Math.min(queries.length, from + config.batchSize());
                            SplittableRandom rnd = new SplittableRandom(mix(mix(config.seed(), epoch), b + 1));
                            Object item;
                            try {
                                item = builder.build(queries, positives, order, from, to, hardPerQuery, rnd, epoch, b);
                            } catch (RuntimeException e) {
                                item = e;
                            }
                            q.put(item);
                            if (item instanceof RuntimeException) {
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "pinsage-sampler-" + t);
                threads[t].setDaemon(true);
                threads[t].start();
            }
        }

        private static int first(int fromBatch, int me, int s) {
            int r = Math.floorMod(me - fromBatch, s);
            return fromBatch + r;
        }

        MiniBatch take(int b) {
            try {
                Object item = queues[b % threads.length].take();
                if (item instanceof RuntimeException e) {
                    throw e;
                }
                MiniBatch batch = (MiniBatch) item;
                assert batch.index == b : "batch " + batch.index + " taken for " + b;
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a minibatch", e);
            }
        }

        @Override
        public void close() {
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
