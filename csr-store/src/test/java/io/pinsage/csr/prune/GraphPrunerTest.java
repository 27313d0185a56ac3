package io.pinsage.csr.prune;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphPrunerTest {

    /** Pins 0–3 are about topic 0, pins 4–7 about topic 1 (dim 2). */
    private static final float[] FEATURES = {1, 0, 1, 0, 0.9f, 0.1f, 1, 0, 0, 1, 0, 1, 0.1f, 0.9f, 0, 1};

    private static final int DIM = 6;

    @Test
    void shouldDropBoardsWhosePinsSpanTooManyTopics() {
        // Board 0 holds topic-0 pins, board 1 topic-1 pins, board 2 mixes both evenly.
        int[] l = {0, 1, 2, 4, 5, 6, 0, 4, 1, 5};
        int[] r = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
        HeapBipartiteGraph g = HeapBipartiteGraph.of(8, 3, l, r, null);
        PrunePlan plan = GraphPruner.plan(g, FEATURES, 2, PruneSettings.none().withMaxDiversity(0.8));
        HeapBipartiteGraph pruned = plan.toHeapGraph();
        assertEquals(1, plan.stats().boardsDropped());
        assertEquals(4, plan.stats().edgesDropped());
        assertEquals(4, plan.stats().edgesOfDroppedBoards());
        assertEquals(0, pruned.degree(Side.RIGHT, 2));
        assertEquals(3, pruned.degree(Side.RIGHT, 0));
        assertEquals(3, pruned.degree(Side.RIGHT, 1));
        assertEquals(8, pruned.nodeCount(Side.LEFT), "ids are kept");
    }

    @Test
    void shouldCapDegreesKeepingTheMostRelevantEdges() {
        // Pin 2 (mostly topic 0) sits on boards 0 (topic 0) and 1 (topic 1); with a cap of one edge it keeps board 0.
        int[] l = {0, 1, 2, 2, 4, 5};
        int[] r = {0, 0, 0, 1, 1, 1};
        HeapBipartiteGraph g = HeapBipartiteGraph.of(8, 2, l, r, new float[] {1, 1, 2, 3, 1, 1});
        PrunePlan pinCap = GraphPruner.plan(g, FEATURES, 2, PruneSettings.none().withMaxDegrees(1, PruneSettings.NO_CAP));
        HeapBipartiteGraph pruned = pinCap.toHeapGraph();
        assertEquals(1, pruned.degree(Side.LEFT, 2));
        assertEquals(0, pruned.neighbor(Side.LEFT, 2, 0));
        assertEquals(2f, pruned.weightAt(Side.LEFT, pruned.firstEdge(Side.LEFT, 2)), "weights travel with their edges");
        assertEquals(1, pinCap.stats().pinsCapped());
        assertEquals(1, pinCap.stats().edgesCutAtPins());
        // Capped at two pins, each board loses pin 2, its least typical member: pin 2 is less purely about topic 0
        // than pins 0 and 1 (board 0), and about the opposite topic from pins 4 and 5 (board 1).
        PrunePlan boardCap = GraphPruner.plan(g, FEATURES, 2, PruneSettings.none().withMaxDegrees(PruneSettings.NO_CAP, 2));
        for (int b = 0; b < 2; b++) {
            assertEquals(2, boardCap.toHeapGraph().degree(Side.RIGHT, b));
            for (int i = 0; i < 2; i++) {
                assertTrue(boardCap.toHeapGraph().neighbor(Side.RIGHT, b, i) != 2, "board " + b + " keeps pin 2");
            }
        }
        assertEquals(2, boardCap.stats().boardsCapped());
        assertEquals(2, boardCap.stats().edgesCutAtBoards());
        assertEquals(2, boardCap.stats().edgesDropped());
    }

    @Test
    void shouldCapWithoutFeaturesKeepingTheHeaviestEdgesToTheMostSpecificBoards() {
        // Pin 0 has edges of weight 1 to board 0 (4 pins) and board 1 (1 pin), and of weight 3 to board 2 (4 pins).
        int[] l = {0, 0, 0, 1, 2, 3, 1, 2, 3};
        int[] r = {0, 1, 2, 0, 0, 0, 2, 2, 2};
        HeapBipartiteGraph g = HeapBipartiteGraph.of(4, 3, l, r, new float[] {1, 1, 3, 1, 1, 1, 1, 1, 1});
        HeapBipartiteGraph two = GraphPruner.plan(g, null, PruneSettings.none().withMaxDegrees(2, PruneSettings.NO_CAP)).toHeapGraph();
        assertEquals(2, two.degree(Side.LEFT, 0));
        assertEquals(1, two.neighbor(Side.LEFT, 0, 0), "the board of one pin outranks the board of four at equal weight");
        assertEquals(2, two.neighbor(Side.LEFT, 0, 1), "the heaviest edge is kept");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphPruner.plan(g, null, PruneSettings.none().withMaxDiversity(0.5)));
        assertTrue(e.getMessage().contains("maxDiversity=0.5") && e.getMessage().contains("features"), e.getMessage());
    }

    @Test
    void shouldKeepEveryEdgeWithoutLimits() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 10, 60, false);
        PrunePlan plan = GraphPruner.plan(g, topicFeatures(new Random(seed), 30), DIM, PruneSettings.none());
        assertEquals(0, plan.stats().edgesDropped(), "seed=" + seed);
        assertEquals(g.edgeCount(), plan.toHeapGraph().edgeCount(), "seed=" + seed);
        for (long e = 0; e < g.edgeCount(); e++) {
            assertTrue(plan.keeps(e), "seed=" + seed + " edge " + e);
        }
    }

    @Test
    void shouldSatisfyItsOwnSettingsSoPruningTwiceRemovesNothing() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int round = 0; round < 30; round++) {
            String tag = "seed=" + seed + " round=" + round;
            int pins = 20 + rnd.nextInt(60);
            HeapBipartiteGraph g = TestGraphs.connected(rnd, pins, 5 + rnd.nextInt(20), rnd.nextInt(400), rnd.nextBoolean());
            float[] f = topicFeatures(rnd, pins);
            PruneSettings s = new PruneSettings(rnd.nextBoolean() ? 1 : 0.6 + 0.4 * rnd.nextDouble(), 1,
                    rnd.nextBoolean() ? PruneSettings.NO_CAP : 1 + rnd.nextInt(6), rnd.nextBoolean() ? PruneSettings.NO_CAP : 1 + rnd.nextInt(20));
            PrunePlan plan = GraphPruner.plan(g, f, DIM, s);
            HeapBipartiteGraph once = plan.toHeapGraph();
            assertEquals(plan.stats().edgesKept(), once.edgeCount(), tag);
            assertEquals(g.edgeCount() - once.edgeCount(), plan.stats().edgesOfDroppedBoards() + plan.stats().edgesCutAtPins()
                    + plan.stats().edgesCutAtBoards(), tag + ": every removed edge is counted once");
            assertTrue(once.maxDegree(Side.LEFT) <= s.maxPinDegree() && once.maxDegree(Side.RIGHT) <= s.maxBoardDegree(), tag);
            float[] diversity = GraphPruner.diversities(once, f, DIM);
            for (int b = 0; b < diversity.length; b++) {
                assertFalse(diversity[b] > s.maxDiversity(), tag + " board " + b + " diversity " + diversity[b]);
            }
            PrunePlan again = GraphPruner.plan(once, f, DIM, s);
            assertEquals(0, again.stats().edgesDropped(), tag + ": " + again.stats());
        }
    }

    @Test
    void shouldKeepASubsetOfEdgesWhenALimitTightens() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int round = 0; round < 20; round++) {
            String tag = "seed=" + seed + " round=" + round;
            int pins = 30 + rnd.nextInt(50);
            HeapBipartiteGraph g = TestGraphs.connected(rnd, pins, 5 + rnd.nextInt(15), rnd.nextInt(400), false);
            float[] f = topicFeatures(rnd, pins);
            double loose = 0.7 + 0.3 * rnd.nextDouble();
            int cap = 2 + rnd.nextInt(10);
            assertSubset(GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDiversity(loose - 0.2 * rnd.nextDouble())),
                    GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDiversity(loose)), g.edgeCount(), tag + " diversity");
            assertSubset(GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDegrees(cap - 1, PruneSettings.NO_CAP)),
                    GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDegrees(cap, PruneSettings.NO_CAP)), g.edgeCount(), tag + " pin cap");
            assertSubset(GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDegrees(PruneSettings.NO_CAP, 2 * cap - 1)),
                    GraphPruner.plan(g, f, DIM, PruneSettings.none().withMaxDegrees(PruneSettings.NO_CAP, 2 * cap)), g.edgeCount(), tag + " board cap");
            double q = 0.3 + 0.6 * rnd.nextDouble();
            assertSubset(GraphPruner.plan(g, f, DIM, PruneSettings.none().withDiversityQuantile(q)),
                    GraphPruner.plan(g, f, DIM, PruneSettings.none().withDiversityQuantile(Math.min(1, q + 0.1))), g.edgeCount(), tag + " quantile");
        }
    }

    private static void assertSubset(PrunePlan tight, PrunePlan loose, long edges, String tag) {
        for (long e = 0; e < edges; e++) {
            assertFalse(tight.keeps(e) && !loose.keeps(e), tag + ": edge " + e + " kept under the tighter limit only");
        }
        assertTrue(tight.stats().edgesKept() <= loose.stats().edgesKept(), tag);
    }

    @Test
    void shouldDropTheBoardsAboveTheRequestedQuantile() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        HeapBipartiteGraph g = TestGraphs.connected(rnd, 200, 60, 1500, false);
        float[] f = topicFeatures(rnd, 200);
        float[] diversity = GraphPruner.diversities(g, f, DIM);
        PrunePlan plan = GraphPruner.plan(g, f, DIM, PruneSettings.none().withDiversityQuantile(0.75));
        int above = 0;
        int multiPin = 0;
        for (float d : diversity) {
            multiPin += Float.isNaN(d) ? 0 : 1;
            above += d > plan.stats().diversityThreshold() ? 1 : 0;
        }
        assertEquals(multiPin, plan.stats().multiPinBoards(), "seed=" + seed);
        assertEquals(above, plan.stats().boardsDropped(), "seed=" + seed);
        assertTrue(above <= multiPin - Math.ceil(0.75 * multiPin) && above >= multiPin / 5, "seed=" + seed + " dropped " + above + " of " + multiPin);
    }

    @Test
    void shouldRejectBadSettingsAndFeatures() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(2, 1, new int[] {0, 1}, new int[] {0, 0}, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphPruner.plan(g, new float[5], 2, PruneSettings.none()));
        assertTrue(e.getMessage().contains("features.length=5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PruneSettings.none().withMaxDiversity(0));
        assertTrue(e.getMessage().contains("maxDiversity=0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PruneSettings.none().withDiversityQuantile(1.5));
        assertThrows(IllegalArgumentException.class, () -> PruneSettings.none().withMaxDegrees(0, 3));
        e = assertThrows(IllegalArgumentException.class, () -> new PruneSettings(0.5, 0.5, 3, 3));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    /** Each pin near one of three topic directions in {@link #DIM} dimensions, with noise. */
    private static float[] topicFeatures(Random rnd, int pins) {
        float[] f = new float[pins * DIM];
        for (int p = 0; p < pins; p++) {
            int topic = rnd.nextInt(3);
            for (int k = 0; k < DIM; k++) {
                f[p * DIM + k] = (k / 2 == topic ? 1f : 0f) + 0.3f * rnd.nextFloat();
            }
        }
        return f;
    }
}
