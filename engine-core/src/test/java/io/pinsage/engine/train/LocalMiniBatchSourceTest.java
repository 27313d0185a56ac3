package io.pinsage.engine.train;

import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.rpc.BatchProducer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalMiniBatchSourceTest {

    private static final int NODES = 40;
    private static final int PAIRS = 37;

    private static TrainingConfig config(int samplers, long seed) {
        return new TrainingConfig(2, 5, 3, false, 2, RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 5, seed, 1,
                samplers, 1, 0, false, 0f);
    }

    private static LocalMiniBatchSource open(int samplers, long seed, int[][] pairs, int epoch, int fromBatch) {
        TrainingConfig config = config(samplers, seed);
        return new LocalMiniBatchSource(new BatchSchedule(PAIRS, config.batchSize(), seed), 2,
                RowTable.random(NODES, 3, seed), TrainerTest.randomInputs(NODES, 2, seed), pairs[0], pairs[1], 0,
                NODES, (query, rnd) -> rnd.nextInt(NODES), config, epoch, fromBatch);
    }

    private static int[][] pairs(long seed) {
        Random rnd = new Random(seed);
        int[][] pp = new int[2][PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            pp[0][i] = rnd.nextInt(NODES);
            pp[1][i] = rnd.nextInt(NODES);
        }
        return pp;
    }

    /** Batch i of epoch e is the same whatever the number of samplers and whichever batch the epoch starts from. */
    @Test
    void shouldBuildTheSameBatchesWhateverTheSamplersAndTheFirstBatch() {
        long seed = new Random().nextLong();
        String tag = "seed=" + seed;
        int[][] pp = pairs(seed);
        int batches = new BatchSchedule(PAIRS, 5, seed).batches();
        MiniBatch[] one = new MiniBatch[batches];
        try (LocalMiniBatchSource source = open(1, seed, pp, 1, 0)) {
            for (int b = 0; b < batches; b++) {
                one[b] = source.take(1, b);
            }
        }
        try (LocalMiniBatchSource source = open(3, seed, pp, 1, 2)) {
            for (int b = 2; b < batches; b++) {
                MiniBatch m = source.take(1, b);
                assertEquals(b, m.index(), tag);
                assertEquals(1, m.epoch(), tag);
                assertEquals(1, m.hardPerQuery(), tag);
                assertArrayEquals(one[b].graph().nodeIds(), m.graph().nodeIds(), tag + " batch " + b);
                assertArrayEquals(one[b].queryRows(), m.queryRows(), tag + " batch " + b);
                assertArrayEquals(one[b].negativeRows(), m.negativeRows(), tag + " batch " + b);
                assertArrayEquals(one[b].hardRows(), m.hardRows(), tag + " batch " + b);
            }
        }
    }

    /**
     * The producer a sampler serves builds the sources' batches: asked from three threads at once, in a shuffled order
     * that interleaves two epochs (so its cached epoch order changes under it).
     */
    @Test
    void shouldProduceTheSourcesBatchesInAnyOrderFromManyThreads() throws Exception {
        long seed = new Random().nextLong();
        String tag = "seed=" + seed;
        int[][] pp = pairs(seed);
        TrainingConfig config = config(1, seed);
        BatchSchedule schedule = new BatchSchedule(PAIRS, config.batchSize(), seed);
        int batches = schedule.batches();
        MiniBatch[][] expected = new MiniBatch[2][batches];
        for (int e = 0; e < 2; e++) {
            try (LocalMiniBatchSource source = open(2, seed, pp, e, 0)) {
                for (int b = 0; b < batches; b++) {
                    expected[e][b] = source.take(e, b);
                }
            }
        }
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 2, seed);
        BatchProducer producer = LocalMiniBatchSource.producer(schedule, 2, RowTable.random(NODES, 3, seed), inputs,
                pp[0], pp[1], 0, NODES, (query, rnd) -> rnd.nextInt(NODES), config);
        List<int[]> asks = new java.util.ArrayList<>();
        for (int e = 0; e < 2; e++) {
            for (int b = 0; b < batches; b++) {
                asks.add(new int[] {e, b});
            }
        }
        java.util.Collections.shuffle(asks, new Random(seed));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<MiniBatch>> built = new java.util.ArrayList<>();
            for (int[] ask : asks) {
                built.add(pool.submit(() -> producer.build(ask[0], ask[1])));
            }
            for (int i = 0; i < asks.size(); i++) {
                int e = asks.get(i)[0];
                int b = asks.get(i)[1];
                MiniBatch sent = built.get(i).get();
                String where = tag + " epoch " + e + " batch " + b;
                assertFalse(sent.graph().hasInputs(), "a sampler leaves the inputs to the trainer: " + where);
                MiniBatch m = sent.withInputs(inputs);
                assertArrayEquals(expected[e][b].graph().features(), m.graph().features(), where);
                assertArrayEquals(expected[e][b].graph().logDegrees(), m.graph().logDegrees(), where);
                assertEquals(e, m.epoch(), where);
                assertEquals(b, m.index(), where);
                assertEquals(expected[e][b].hardPerQuery(), m.hardPerQuery(), where);
                assertArrayEquals(expected[e][b].graph().nodeIds(), m.graph().nodeIds(), where);
                assertArrayEquals(expected[e][b].queryRows(), m.queryRows(), where);
                assertArrayEquals(expected[e][b].positiveRows(), m.positiveRows(), where);
                assertArrayEquals(expected[e][b].negativeRows(), m.negativeRows(), where);
                assertArrayEquals(expected[e][b].hardRows(), m.hardRows(), where);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals("epoch=0 index=" + batches + ": an epoch has batches 0.." + (batches - 1),
                assertThrows(IllegalArgumentException.class, () -> producer.build(0, batches)).getMessage());
    }

    @Test
    void shouldRefuseABatchOutOfOrder() {
        int[][] pp = pairs(3);
        try (LocalMiniBatchSource source = open(2, 3, pp, 0, 1)) {
            assertEquals("batch 0 of epoch 0 asked for; this source serves batch 1 of epoch 0 next",
                    assertThrows(IllegalStateException.class, () -> source.take(0, 0)).getMessage());
            assertEquals("batch 1 of epoch 1 asked for; this source serves batch 1 of epoch 0 next",
                    assertThrows(IllegalStateException.class, () -> source.take(1, 1)).getMessage());
            assertEquals(1, source.take(0, 1).index());
        }
    }

    @Test
    void shouldSampleOnTheCallersThreadsAndEndThemAtClose() {
        long seed = 11;
        TrainingConfig config = config(2, seed);
        int[][] pp = pairs(seed);
        List<Thread> made = new CopyOnWriteArrayList<>();
        ThreadFactory host = task -> {
            Thread t = new Thread(task, "host-sampler-" + made.size());
            made.add(t);
            return t;
        };
        try (LocalMiniBatchSource source = new LocalMiniBatchSource(new BatchSchedule(PAIRS, config.batchSize(), seed), 2,
                RowTable.random(NODES, 3, seed), TrainerTest.randomInputs(NODES, 2, seed), pp[0], pp[1], 0, NODES, null,
                config, 0, 0, host)) {
            assertEquals(0, source.take(0, 0).index());
            assertEquals(1, source.take(0, 1).index());
        }
        assertEquals(2, made.size(), "one thread per sampler, from the caller's factory");
        assertTrue(made.stream().noneMatch(Thread::isAlive), "close waits for the samplers");
    }
}
