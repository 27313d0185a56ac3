package io.pinsage.engine.train;

import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A minibatch names its pairs' nodes, its negatives and its hard negatives by rows of a computation graph that expands
 * them through the neighbourhoods. Randomized: seed from {@code -Dtests.seed=N} or the clock, printed in every failure.
 */
class MiniBatchBuilderTest {

    private static final int NODES = 50;
    private static final int LAYERS = 2;

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());

    private MiniBatch build(RowTable hood, HardNegatives hard, int[] q, int[] p, int[] order, int from, int to, long batchSeed) {
        MiniBatchBuilder builder = new MiniBatchBuilder(LAYERS, hood, TrainerTest.randomInputs(NODES, 2, seed), 20, NODES, 7, hard);
        return builder.build(q, p, order, from, to, 2, new SplittableRandom(batchSeed), 3, 4);
    }

    @Test
    void shouldNameEveryPairNegativeAndHardNegativeByItsRowAndExpandThemThroughTheRows() {
        String tag = "seed=" + seed;
        Random rnd = new Random(seed);
        RowTable hood = RowTable.random(NODES, 4, seed);
        int[] q = rnd.ints(12, 0, NODES).toArray();
        int[] p = rnd.ints(12, 0, NODES).toArray();
        int[] order = rnd.ints(0, 12).distinct().limit(12).toArray();
        // every other hard draw finds none
        HardNegatives hard = (query, r) -> query % 2 == 0 ? -1 : 20 + r.nextInt(NODES - 20);
        MiniBatch m = build(hood, hard, q, p, order, 3, 9, seed);
        ComputationGraph g = m.graph();
        int[] ids = g.nodeIds();
        assertEquals(3, m.epoch(), tag);
        assertEquals(4, m.index(), tag);
        assertEquals(6, m.size(), tag);
        for (int i = 0; i < 6; i++) {
            assertEquals(q[order[3 + i]], ids[m.queryRows()[i]], tag + " query " + i);
            assertEquals(p[order[3 + i]], ids[m.positiveRows()[i]], tag + " positive " + i);
            for (int s = 0; s < 2; s++) {
                int row = m.hardRows()[i * 2 + s];
                if (q[order[3 + i]] % 2 == 0) {
                    assertEquals(-1, row, tag);
                } else {
                    assertTrue(row >= 0 && row < g.nodeCount(LAYERS) && ids[row] >= 20, tag + " hard " + ids[row]);
                }
            }
        }
        assertEquals(7, m.negativeRows().length, tag);
        for (int row : m.negativeRows()) {
            assertTrue(row < g.nodeCount(LAYERS) && ids[row] >= 20 && ids[row] < NODES, tag + " negative " + ids[row]);
        }
        // the outputs are distinct, and every listed node's neighbours are its row, in order, with its weights
        int outputs = g.nodeCount(LAYERS);
        assertEquals(outputs, Arrays.stream(ids, 0, outputs).distinct().count(), tag);
        for (int k = LAYERS; k >= 1; k--) {
            for (int u = 0; u < g.nodeCount(k); u++) {
                int[] off = g.offsets(k);
                int[] expected = hood.ids(ids[u]);
                int[] got = new int[off[u + 1] - off[u]];
                for (int e = off[u]; e < off[u + 1]; e++) {
                    got[e - off[u]] = ids[g.neighbours(k)[e]];
                }
                assertArrayEquals(expected, got, tag + " layer " + k + " node " + ids[u]);
                assertArrayEquals(hood.weights(ids[u]), Arrays.copyOfRange(g.weights(k), off[u], off[u + 1]), tag);
            }
        }
    }

    @Test
    void shouldBuildTheSameBatchFromTheSameSeed() {
        String tag = "seed=" + seed;
        Random rnd = new Random(seed);
        RowTable hood = RowTable.random(NODES, 3, seed);
        int[] q = rnd.ints(10, 0, NODES).toArray();
        int[] p = rnd.ints(10, 0, NODES).toArray();
        int[] order = rnd.ints(0, 10).distinct().limit(10).toArray();
        HardNegatives hard = (query, r) -> 20 + r.nextInt(NODES - 20);
        MiniBatch a = build(hood, hard, q, p, order, 0, 10, seed);
        MiniBatch b = build(hood, hard, q, p, order, 0, 10, seed);
        assertArrayEquals(a.graph().nodeIds(), b.graph().nodeIds(), tag);
        assertArrayEquals(a.negativeRows(), b.negativeRows(), tag);
        assertArrayEquals(a.hardRows(), b.hardRows(), tag);
        assertArrayEquals(a.graph().features(), b.graph().features(), tag);
    }

    @Test
    void shouldLeaveEachQuerysPositivesOutOfItsRowAndNothingElse() {
        String tag = "seed=" + seed;
        Random rnd = new Random(seed);
        RowTable base = RowTable.random(NODES, 4, seed);
        // query 3 is paired with 41 and 42 (both in its row), query 4 with 43 (in its row), query 5 with 44 (not in
        // its row); 41 is also in node 43's row, where it must stay
        int[][] ids = new int[NODES][];
        float[][] weights = new float[NODES][];
        for (int u = 0; u < NODES; u++) {
            ids[u] = base.ids(u);
            weights[u] = base.weights(u);
        }
        ids[3] = new int[] {41, 7, 42, 9};
        weights[3] = new float[] {0.4f, 0.3f, 0.2f, 0.1f};
        ids[4] = new int[] {43, 8};
        weights[4] = new float[] {0.5f, 0.5f};
        ids[43] = new int[] {41, 2};
        weights[43] = new float[] {0.7f, 0.3f};
        RowTable hood = new RowTable(4, ids, weights);
        int[] q = {3, 4, 3, 5};
        int[] p = {41, 43, 42, 44};
        int[] order = rnd.ints(0, 4).distinct().limit(4).toArray();
        for (boolean leave : new boolean[] {true, false}) {
            MiniBatchBuilder builder = new MiniBatchBuilder(1, hood, TrainerTest.randomInputs(NODES, 2, seed), 20, NODES, 3,
                    null, leave);
            ComputationGraph g = builder.build(q, p, order, 0, 4, 0, new SplittableRandom(seed), 0, 0).graph();
            int[] listed = g.nodeIds();
            int[] off = g.offsets(1);
            for (int u = 0; u < g.nodeCount(1); u++) {
                int node = listed[u];
                int[] got = new int[off[u + 1] - off[u]];
                float[] gotWeights = Arrays.copyOfRange(g.weights(1), off[u], off[u + 1]);
                for (int e = off[u]; e < off[u + 1]; e++) {
                    got[e - off[u]] = listed[g.neighbours(1)[e]];
                }
                int[] want = ids[node];
                float[] wantWeights = weights[node];
                if (leave && node == 3) {
                    want = new int[] {7, 9};
                    wantWeights = new float[] {0.3f, 0.1f};
                } else if (leave && node == 4) {
                    want = new int[] {8};
                    wantWeights = new float[] {0.5f};
                }
                assertArrayEquals(want, got, tag + " leave=" + leave + " node " + node);
                assertArrayEquals(wantWeights, gotWeights, tag + " leave=" + leave + " node " + node);
            }
        }
    }

    @Test
    void shouldRefuseANegativeRangeOutsideTheNodes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MiniBatchBuilder(LAYERS,
                RowTable.random(NODES, 3, seed), TrainerTest.randomInputs(NODES, 2, seed), 10, NODES + 1, 5, null));
        assertEquals("negativeFrom=10 negativeTo=51: must be a non-empty range within [0, 50)", e.getMessage());
    }
}
