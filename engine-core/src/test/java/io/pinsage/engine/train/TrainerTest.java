package io.pinsage.engine.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    private static final long SEED = 21;
    private static final int NODES = 60;
    private static final ModelShape SHAPE = new ModelShape(NODES, 16, 3, true, 16, new int[] {16, 16}, 16, 16, 4, true);

    @TempDir
    Path dir;

    private static TrainingConfig config(int epochs, int checkpointEvery, int samplers) {
        return new TrainingConfig(epochs, 8, 6, true, 2, LossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 5, SEED, 2, samplers, 2,
                checkpointEvery);
    }

    private Trainer trainer(TrainingConfig config, int[] q, int[] p) {
        Neighbourhoods hood = PinSageNetworkGradientTest.randomHood(NODES, 4, SEED);
        NodeInputs inputs = PinSageNetworkGradientTest.randomInputs(NODES, 3, true, SEED);
        return new Trainer(SHAPE, hood, inputs, q, p, 0, NODES, (query, rnd) -> rnd.nextInt(NODES), config,
                params -> params.dense[0], null);
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

    @Test
    void shouldResumeAKilledRunExactlyAsIfUninterrupted() throws IOException {
        int[][] pp = pairs();
        Path whole = dir.resolve("whole");
        Path killed = dir.resolve("killed");
        trainer(config(3, 2, 1), pp[0], pp[1]).train(whole);
        // 7 batches per epoch, checkpoints every 2 batches: killed at step 10 (epoch 2, batch 3), the last checkpoint
        // is at step 9, mid-epoch. A different sampler count must not matter.
        trainer(config(3, 2, 2), pp[0], pp[1]).stopAfterSteps(10).train(killed);
        Checkpoint mid = Checkpoint.load(killed.resolve(Trainer.CHECKPOINT), SHAPE);
        assertEquals(9, mid.globalStep(), "seed=" + SEED);
        assertEquals(1, mid.epoch());
        assertEquals(2, mid.batch());
        trainer(config(3, 2, 2), pp[0], pp[1]).train(killed);
        Checkpoint a = Checkpoint.load(whole.resolve(Trainer.CHECKPOINT), SHAPE);
        Checkpoint b = Checkpoint.load(killed.resolve(Trainer.CHECKPOINT), SHAPE);
        assertEquals(a.globalStep(), b.globalStep());
        assertArrayEquals(a.params().dense, b.params().dense, "seed=" + SEED);
        assertArrayEquals(a.params().embedding, b.params().embedding, "seed=" + SEED);
        assertArrayEquals(a.adam().denseV, b.adam().denseV, "seed=" + SEED);
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
        Neighbourhoods hood = PinSageNetworkGradientTest.randomHood(NODES, 4, SEED);
        NodeInputs inputs = PinSageNetworkGradientTest.randomInputs(NODES, 3, true, SEED);
        new Trainer(SHAPE, hood, inputs, q, p, 30, NODES, null, config(8, 0, 1), params -> 0, new TrainingListener() {
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
    void shouldRejectUnknownNodeIdsInPairs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(config(1, 0, 1), new int[] {1, 2}, new int[] {3, NODES + 5}));
        assertTrue(e.getMessage().contains("pair 1"), e.getMessage());
    }

    @Test
    void shouldRefuseACorruptCheckpointWithoutOverwritingIt() throws IOException {
        int[][] pp = pairs();
        Files.createDirectories(dir);
        byte[] garbage = "PSCKPT01 not really a checkpoint".getBytes();
        Files.write(dir.resolve(Trainer.CHECKPOINT), garbage);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> trainer(config(1, 0, 1), pp[0], pp[1]).train(dir));
        assertTrue(e.getMessage().contains(Trainer.CHECKPOINT), e.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(dir.resolve(Trainer.CHECKPOINT)));
    }

    @Test
    void shouldStopOnNonFiniteValuesNamingStepAndTensorAndKeepTheCheckpoint() throws IOException {
        int[][] pp = pairs();
        trainer(config(1, 0, 1), pp[0], pp[1]).train(dir);
        byte[] before = Files.readAllBytes(dir.resolve(Trainer.CHECKPOINT));
        Checkpoint c = Checkpoint.load(dir.resolve(Trainer.CHECKPOINT), SHAPE);
        // Poison the id embeddings and resume: the first step must fail.
        java.util.Arrays.fill(c.params().embedding, Float.POSITIVE_INFINITY);
        c.save(dir.resolve(Trainer.CHECKPOINT));
        byte[] poisoned = Files.readAllBytes(dir.resolve(Trainer.CHECKPOINT));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer(config(2, 0, 1), pp[0], pp[1]).train(dir));
        assertTrue(e.getMessage().contains("step 8") && e.getMessage().contains("input h0"), e.getMessage());
        assertArrayEquals(poisoned, Files.readAllBytes(dir.resolve(Trainer.CHECKPOINT)));
        assertEquals(before.length, poisoned.length);
    }
}
