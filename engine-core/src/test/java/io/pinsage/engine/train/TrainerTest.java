package io.pinsage.engine.train;

import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.backend.RankingLossKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    private static final long SEED = 21;
    private static final int NODES = 60;
    private static final PinSageConfig MODEL = new PinSageConfig(3, true, NODES, 16, 2, 16, 16, 16, 16, Pooling.MEAN, true, SEED);

    @TempDir
    Path dir;

    private CpuBackend backend;

    @BeforeEach
    void openBackend() {
        backend = new CpuBackend(2);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private static TrainingConfig config(int epochs, int checkpointEvery, int samplers) {
        return new TrainingConfig(epochs, 8, 6, true, 2, RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 5, SEED, 2, samplers,
                2, checkpointEvery, false, 0f);
    }

    static NodeInputs randomInputs(int n, int f, long seed) {
        Random rnd = new Random(seed);
        float[] feat = new float[n * f];
        float[] deg = new float[n];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            deg[i] = (float) Math.log1p(rnd.nextInt(10));
        }
        return NodeInputs.of(n, f, feat, deg);
    }

    private Trainer trainer(TrainingConfig config, int[] q, int[] p, HardNegatives hard, TrainingListener listener) {
        return new Trainer(backend, MODEL, RowTable.random(NODES, 4, SEED), randomInputs(NODES, 3, SEED), q, p, 0, NODES, hard, config,
                m -> Tensors.toArray(m.parameters().get(0).value())[0], listener);
    }

    private Trainer trainer(TrainingConfig config, int[] q, int[] p) {
        return trainer(config, q, p, (query, rnd) -> rnd.nextInt(NODES), null);
    }

    private static int[][] pairs() {
        Random rnd = new Random(SEED);
        int[] q = new int[50];
        int[] p = new int[50];
        for (int i = 0; i < q.length; i++) {
            q[i] = rnd.nextInt(NODES);
            p[i] = rnd.nextInt(NODES);
        }
        return new int[][] {q, p};
    }

    private static byte[] checkpointFile(Path outDir, String name) throws IOException {
        return Files.readAllBytes(outDir.resolve(Trainer.CHECKPOINT).resolve(name));
    }

    @Test
    void shouldShrinkTheWeightsByTheConfiguredDecayAndKeepItAcrossAResume() throws IOException {
        int[][] pp = pairs();
        TrainingConfig plain = config(2, 0, 1);
        TrainingConfig decayed = plain.withWeightDecay(5f);
        trainer(plain, pp[0], pp[1]).train(dir.resolve("plain"));
        trainer(decayed, pp[0], pp[1]).stopAfterSteps(9).train(dir.resolve("decayed"));
        // the optimiser state written at the checkpoint holds the decay, so a resumed run goes on decaying
        AdamOptimizer saved = Checkpoint.load(dir.resolve("decayed"), backend, MODEL).optimizer();
        assertEquals(5f, saved.config().weightDecay(), "seed=" + SEED);
        assertEquals(5f, saved.sparseConfig().weightDecay(), "seed=" + SEED);
        trainer(decayed, pp[0], pp[1]).train(dir.resolve("decayed"));
        // lr 1e-2 x decay 5 shrinks each dense weight by 5 % a step before Adam's move: the decayed model's weights
        // end up smaller in norm than the plain run's
        PinSageModel a = Checkpoint.load(dir.resolve("plain"), backend, MODEL).model();
        PinSageModel b = Checkpoint.load(dir.resolve("decayed"), backend, MODEL).model();
        for (int i = 0; i < a.parameters().size(); i++) {
            if (a.parameters().get(i).isSparse() || !a.parameters().get(i).name().endsWith("W")) {
                continue;
            }
            double na = norm(Tensors.toArray(a.parameters().get(i).value()));
            double nb = norm(Tensors.toArray(b.parameters().get(i).value()));
            assertTrue(nb < 0.8 * na, "seed=" + SEED + " " + a.parameters().get(i).name() + ": " + nb + " vs " + na);
        }
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    @Test
    void shouldResumeAKilledRunExactlyAsIfUninterrupted() throws IOException {
        int[][] pp = pairs();
        Path whole = dir.resolve("whole");
        Path killed = dir.resolve("killed");
        trainer(config(3, 2, 1), pp[0], pp[1]).train(whole);
        // 7 batches per epoch, checkpoints every 2 batches: killed at step 10 (epoch 2, batch 3), the last checkpoint
        // is at step 9, mid-epoch. A different sampler count must not matter.
        trainer(config(3, 2, 2), pp[0], pp[1]).stopAfterSteps(10).train(killed);
        Checkpoint mid = Checkpoint.load(killed, backend, MODEL).position();
        assertEquals(9, mid.globalStep(), "seed=" + SEED);
        assertEquals(1, mid.epoch());
        assertEquals(2, mid.batch());
        trainer(config(3, 2, 2), pp[0], pp[1]).train(killed);
        assertEquals(Checkpoint.load(whole, backend, MODEL).position(), Checkpoint.load(killed, backend, MODEL).position());
        // Parameters, Adam moments and step, and the trainer's position, bit for bit.
        for (String file : new String[] {Checkpoint.MODEL, Checkpoint.OPTIMIZER, Checkpoint.TRAINER}) {
            assertArrayEquals(checkpointFile(whole, file), checkpointFile(killed, file), "seed=" + SEED + " " + file);
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve(Trainer.BEST)), Files.readAllBytes(killed.resolve(Trainer.BEST)));
    }

    /**
     * Every epoch's model is kept once, numbered as the log counts, across a run killed in mid-epoch and resumed: the
     * files are the uninterrupted run's, bit for bit, and the last is the checkpoint's model; without the option, none.
     */
    @Test
    void shouldKeepEachEpochsModelOnceAcrossAKilledRun() throws IOException {
        int[][] pp = pairs();
        Path whole = dir.resolve("whole");
        Path killed = dir.resolve("killed");
        Path plain = dir.resolve("plain");
        trainer(config(3, 2, 1), pp[0], pp[1]).keepEpochs(true).train(whole);
        trainer(config(3, 2, 1), pp[0], pp[1]).stopAfterSteps(10).keepEpochs(true).train(killed);
        assertEquals(List.of(1), epochs(killed), "killed in epoch 2: only epoch 1 kept");
        Files.writeString(killed.resolve(EpochSnapshots.DIR).resolve("epoch-001.bin.123.tmp"), "left by a crash");
        trainer(config(3, 2, 1), pp[0], pp[1]).keepEpochs(true).train(killed);
        assertEquals(List.of(1, 2, 3), epochs(whole));
        assertEquals(List.of(1, 2, 3), epochs(killed));
        for (int e = 1; e <= 3; e++) {
            assertArrayEquals(Files.readAllBytes(EpochSnapshots.file(whole, e)), Files.readAllBytes(EpochSnapshots.file(killed, e)),
                    "seed=" + SEED + " epoch " + e);
        }
        assertArrayEquals(checkpointFile(whole, Checkpoint.MODEL), Files.readAllBytes(EpochSnapshots.file(whole, 3)));
        trainer(config(1, 2, 1), pp[0], pp[1]).train(plain);
        assertTrue(Files.notExists(plain.resolve(EpochSnapshots.DIR)), "off by default");
        assertEquals(List.of(), epochs(plain));
    }

    private static List<Integer> epochs(Path outDir) throws IOException {
        return EpochSnapshots.list(outDir).stream().map(EpochSnapshots.Snapshot::epoch).toList();
    }

    /**
     * The trainer sees only the minibatch contract: batches built on its own thread, with no queue, by a source that
     * follows the same schedule, train the same model bit for bit, also across a resume in mid-epoch.
     */
    @Test
    void shouldTrainTheSameWhateverProducesTheMinibatches() throws IOException {
        int[][] pp = pairs();
        TrainingConfig config = config(3, 2, 2);
        HardNegatives hard = (query, rnd) -> rnd.nextInt(NODES);
        Path local = dir.resolve("local");
        Path inline = dir.resolve("inline");
        trainer(config, pp[0], pp[1], hard, null).train(local);
        RowTable hood = RowTable.random(NODES, 4, SEED);
        NodeInputs inputs = randomInputs(NODES, 3, SEED);
        BatchSchedule schedule = new BatchSchedule(pp[0].length, config.batchSize(), config.seed());
        List<String> opened = new ArrayList<>();
        MiniBatchSource.Factory sources = (epoch, fromBatch) -> {
            opened.add(epoch + "/" + fromBatch);
            MiniBatchBuilder builder = new MiniBatchBuilder(MODEL.layers(), hood, inputs, 0, NODES, config.sharedNegatives(), hard);
            int[] order = schedule.order(epoch);
            return new MiniBatchSource() {
                @Override
                public MiniBatch take(int e, int b) {
                    return builder.build(pp[0], pp[1], order, schedule.from(b), schedule.to(b), config.hardNegativesIn(e),
                            new SplittableRandom(schedule.batchSeed(e, b)), e, b);
                }

                @Override
                public void close() {
                }
            };
        };
        Validator validator = m -> Tensors.toArray(m.parameters().get(0).value())[0];
        new Trainer(backend, MODEL, schedule, sources, config, validator, null).stopAfterSteps(10).train(inline);
        new Trainer(backend, MODEL, schedule, sources, config, validator, null).train(inline);
        assertEquals(List.of("0/0", "1/0", "1/2", "2/0"), opened, "opened at each epoch's start and at the checkpoint");
        assertEquals("schedule batchSize=9 seed=21: must be the training configuration's, batchSize=8 seed=21",
                assertThrows(IllegalArgumentException.class, () -> new Trainer(backend, MODEL,
                        new BatchSchedule(pp[0].length, 9, SEED), sources, config, validator, null)).getMessage());
        for (String file : new String[] {Checkpoint.MODEL, Checkpoint.OPTIMIZER, Checkpoint.TRAINER}) {
            assertArrayEquals(checkpointFile(local, file), checkpointFile(inline, file), "seed=" + SEED + " " + file);
        }
    }

    @Test
    void shouldLowerTheLossOnLearnablePairs() throws IOException {
        // Pairs (u, u + 30) repeated: the model can learn them; the loss of the last epoch must fall well below the first.
        int[] q = new int[120];
        int[] p = new int[120];
        for (int i = 0; i < q.length; i++) {
            q[i] = i % 30;
            p[i] = 30 + i % 30;
        }
        double[] first = new double[1];
        double[] last = new double[1];
        new Trainer(backend, MODEL, RowTable.random(NODES, 4, SEED), randomInputs(NODES, 3, SEED), q, p, 30, NODES, null, config(8, 0, 1),
                m -> 0, new TrainingListener() {
                    @Override
                    public void epochDone(EpochStats s) {
                        if (s.epoch() == 1) {
                            first[0] = s.meanLoss();
                        }
                        last[0] = s.meanLoss();
                    }
                }).train(dir);
        assertTrue(last[0] < 0.7 * first[0], "seed=" + SEED + " first=" + first[0] + " last=" + last[0]);
    }

    @Test
    void shouldReportTheTrainerWaitingAndTheDeviceIdleOnASlowSampler() throws IOException {
        int[][] pp = pairs();
        double[] waiting = new double[2];
        double[] idle = new double[2];
        // Epoch 1 draws no hard negatives; in epoch 2 each draw sleeps, so building a batch takes far longer than its step.
        trainer(config(2, 0, 1), pp[0], pp[1], (query, rnd) -> {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rnd.nextInt(NODES);
        }, new TrainingListener() {
            @Override
            public void epochDone(EpochStats s) {
                waiting[s.epoch() - 1] = s.waitFraction();
                idle[s.epoch() - 1] = s.deviceIdleFraction();
            }
        }).train(dir);
        String tag = "seed=" + SEED + " waiting=" + Arrays.toString(waiting) + " idle=" + Arrays.toString(idle);
        assertTrue(waiting[1] > 0.5 && waiting[1] <= 1, tag);
        assertTrue(waiting[0] >= 0 && waiting[0] < waiting[1], tag);
        // The backend is busy only inside steps, which never overlap the waits: idle time includes all waiting,
        // and the steps themselves keep it below one.
        for (int e = 0; e < 2; e++) {
            assertTrue(idle[e] >= waiting[e] - 1e-9 && idle[e] < 1, tag);
        }
        assertTrue(idle[1] > idle[0], tag);
    }

    /**
     * The next minibatch is taken and staged while a step runs; when building it fails, the step in flight still
     * completes (its batch is reported done) and the failure surfaces when that minibatch is needed.
     */
    @Test
    void shouldFinishTheStepInFlightWhenTheNextMinibatchFails() {
        int[][] pp = pairs();
        int poisoned = pp[0][0];
        // The second epoch is the first with hard negatives: its first batch holding the poisoned query fails.
        int[] order = new BatchSchedule(pp[0].length, 8, SEED).order(1);
        int failing = Integer.MAX_VALUE;
        for (int position = 0; position < order.length; position++) {
            if (pp[0][order[position]] == poisoned) {
                failing = Math.min(failing, position / 8);
            }
        }
        int[] done = new int[2];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer(config(2, 0, 2), pp[0], pp[1],
                (query, rnd) -> {
                    if (query == poisoned) {
                        throw new IllegalStateException("no hard negative for " + query);
                    }
                    return rnd.nextInt(NODES);
                }, new TrainingListener() {
                    @Override
                    public void batchDone(int epoch, int batch, int batches, double loss) {
                        done[epoch]++;
                    }
                }).train(dir));
        assertTrue(e.getMessage().contains("no hard negative for " + poisoned), e.getMessage());
        assertEquals(failing, done[1], "seed=" + SEED + ": batches of the second epoch done before the failing one");
    }

    /**
     * An {@link Error} in a sampler thread (an assertion, a stack overflow, an allocation that fails) used to end the
     * thread without a word, leaving the trainer waiting forever for its minibatch; it surfaces like any failure.
     */
    @Test
    void shouldSurfaceAnErrorThrownWhileBuildingAMinibatchInsteadOfWaitingForever() throws Exception {
        int[][] pp = pairs();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().unstarted(r));
        try {
            Future<?> run = runner.submit(() -> {
                trainer(config(2, 0, 2), pp[0], pp[1], (query, rnd) -> {
                    throw new AssertionError("sampler broke on query " + query);
                }, new TrainingListener() { }).train(dir);
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS),
                    "seed=" + SEED + ": the trainer must not wait forever for a minibatch whose sampler died");
            assertTrue(String.valueOf(e.getCause()).contains("sampler broke on query"), String.valueOf(e.getCause()));
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void shouldRejectUnknownNodeIdsInPairs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(config(1, 0, 1), new int[] {1, 2}, new int[] {3, NODES + 5}));
        assertTrue(e.getMessage().contains("pair 1"), e.getMessage());
    }

    @Test
    void shouldRejectAModelWhoseInputsDoNotMatchTheNodes() {
        PinSageConfig noFeatures = new PinSageConfig(0, true, NODES, 16, 2, 16, 16, 16, 16, Pooling.MEAN, true, SEED);
        int[][] pp = pairs();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(backend, noFeatures,
                RowTable.random(NODES, 4, SEED), randomInputs(NODES, 3, SEED), pp[0], pp[1], 0, NODES, null, config(1, 0, 1), m -> 0, null));
        assertTrue(e.getMessage().contains("featureDim=0"), e.getMessage());
    }

    @Test
    void shouldRefuseACorruptCheckpointWithoutOverwritingIt() throws IOException {
        int[][] pp = pairs();
        Path ckpt = dir.resolve(Trainer.CHECKPOINT);
        Files.createDirectories(ckpt);
        byte[] garbage = "PSNN not really a checkpoint".getBytes();
        Files.write(ckpt.resolve(Checkpoint.TRAINER), garbage);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> trainer(config(1, 0, 1), pp[0], pp[1]).train(dir));
        assertTrue(e.getMessage().contains(ckpt.resolve(Checkpoint.TRAINER).toString()), e.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(ckpt.resolve(Checkpoint.TRAINER)));
    }

    @Test
    void shouldRefuseACheckpointOfAnotherModel() throws IOException {
        int[][] pp = pairs();
        trainer(config(1, 0, 1), pp[0], pp[1]).train(dir);
        PinSageConfig wider = new PinSageConfig(3, true, NODES, 32, 2, 16, 16, 16, 16, Pooling.MEAN, true, SEED);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> new Trainer(backend, wider,
                RowTable.random(NODES, 4, SEED), randomInputs(NODES, 3, SEED), pp[0], pp[1], 0, NODES, null, config(2, 0, 1), m -> 0, null)
                .train(dir));
        assertTrue(e.getMessage().contains(Checkpoint.MODEL) && e.getMessage().contains("written for a model with"
                + " idEmbeddingDim=16 inputDim=16, but this run trains one with idEmbeddingDim=32 inputDim=32"), e.getMessage());
        assertTrue(!e.getMessage().contains("layers="), "only the fields that differ: " + e.getMessage());
    }

    @Test
    void shouldStopOnNonFiniteValuesNamingStepAndTensorAndKeepTheCheckpoint() throws IOException {
        int[][] pp = pairs();
        trainer(config(1, 0, 1), pp[0], pp[1]).train(dir);
        Path modelFile = dir.resolve(Trainer.CHECKPOINT).resolve(Checkpoint.MODEL);
        byte[] before = Files.readAllBytes(modelFile);
        // Poison the id embeddings and resume: the first step must fail.
        PinSageModel model = PinSageModel.load(modelFile, backend);
        Tensor table = model.parameter("input.E").value();
        float[] inf = new float[(int) table.size()];
        Arrays.fill(inf, Float.POSITIVE_INFINITY);
        backend.upload(inf, 0, table);
        model.save(modelFile);
        byte[] poisoned = Files.readAllBytes(modelFile);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer(config(2, 0, 1), pp[0], pp[1]).train(dir));
        assertTrue(e.getMessage().contains("step 8") && e.getMessage().contains("h0"), e.getMessage());
        assertArrayEquals(poisoned, Files.readAllBytes(modelFile));
        assertEquals(before.length, poisoned.length);
    }
}
