package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Visit frequencies of many walks against the exact personalised PageRank. Tolerance: total variation distance
 * below 0.01 after 2,000,000 steps on graphs of 30 pins, where the sampling error is about 0.003.
 */
class RandomWalkerTest {

    private static final double TOLERANCE = 0.01;

    @Test
    void shouldMatchPersonalisedPageRankWithUniformChoice() {
        checkAgainstPageRank(UniformEdgeChooser.INSTANCE, false, 32);
    }

    @Test
    void shouldMatchPersonalisedPageRankWithOneLane() {
        checkAgainstPageRank(UniformEdgeChooser.INSTANCE, false, 1);
    }

    @Test
    void shouldMatchWeightedPersonalisedPageRankWithWeightedChoice() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 12, 90, true);
        check(g, new WeightedEdgeChooser(g), true, 16, seed);
    }

    @Test
    void shouldFollowBiasFunctionInProportion() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 12, 90, true);
        // The bias reproduces the edge weights (scaled into [0, 1]) from the ids alone, so the exact answer is the
        // weighted PageRank; boards that stand for the weight go through the rejection path and its fallback.
        float max = 0;
        for (long e = 0; e < g.edgeCount(); e++) {
            max = Math.max(max, g.weightAt(Side.LEFT, e));
        }
        float scale = max;
        BiasFunction bias = (side, node, neighbor) -> weightOf(g, side, node, neighbor) / scale;
        check(g, new BiasedEdgeChooser(g, bias, 3), true, 16, seed);
    }

    /** The weight of the (unique when summed) edge node → neighbor: sum over parallel edges, averaged. */
    private static float weightOf(HeapBipartiteGraph g, Side side, int node, int neighbor) {
        long first = g.firstEdge(side, node);
        float sum = 0;
        int count = 0;
        for (int i = 0; i < g.degree(side, node); i++) {
            if (g.neighborAt(side, first + i) == neighbor) {
                sum += g.weightAt(side, first + i);
                count++;
            }
        }
        return sum / count;
    }

    private static void checkAgainstPageRank(EdgeChooser chooser, boolean weighted, int lanes) {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 12, 90, weighted);
        check(g, chooser, weighted, lanes, seed);
    }

    private static void check(HeapBipartiteGraph g, EdgeChooser chooser, boolean weighted, int lanes, long seed) {
        double alpha = 0.3;
        RandomWalker walker = new RandomWalker(g, chooser, lanes);
        walker.random().reseed(seed);
        VisitMap visits = new VisitMap(64);
        long taken = walker.walk(Side.LEFT, 0, 2_000_000, alpha, visits, null, 0, 0);
        assertEquals(2_000_000, taken);
        double[] expected = weighted && chooser instanceof BiasedEdgeChooser
                ? expectedWithMergedParallelEdges(g, alpha) : RandomGraphs.expectedVisits(g, 0, alpha, weighted);
        double tv = RandomGraphs.totalVariation(visits, expected);
        assertTrue(tv < TOLERANCE, "seed=" + seed + " lanes=" + lanes + " total variation=" + tv);
    }

    /**
     * A bias function sees neighbours, not edges, so parallel edges share one averaged weight; with every
     * parallel edge carrying that average the exact answer is the weighted PageRank of the averaged graph.
     */
    private static double[] expectedWithMergedParallelEdges(HeapBipartiteGraph g, double alpha) {
        int e = (int) g.edgeCount();
        int[] l = new int[e];
        int[] r = new int[e];
        float[] w = new float[e];
        int k = 0;
        for (int u = 0; u < g.nodeCount(Side.LEFT); u++) {
            for (int i = 0; i < g.degree(Side.LEFT, u); i++) {
                l[k] = u;
                r[k] = g.neighbor(Side.LEFT, u, i);
                w[k] = weightOf(g, Side.LEFT, u, r[k]);
                k++;
            }
        }
        return RandomGraphs.expectedVisits(HeapBipartiteGraph.of(g.nodeCount(Side.LEFT), g.nodeCount(Side.RIGHT), l, r, w),
                0, alpha, true);
    }

    @Test
    void shouldStopOnceEnoughNodesReachTheVisitThreshold() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 15, 120, false);
        RandomWalker walker = new RandomWalker(g, UniformEdgeChooser.INSTANCE, 1);
        walker.random().reseed(seed);
        VisitMap visits = new VisitMap(64);
        long taken = walker.walk(Side.LEFT, 3, 1_000_000, 0.5, visits, null, 4, 25);
        RandomGraphs.assertStoppedAtFourNodesOf25Visits(visits, taken, seed);
    }

    @Test
    void shouldReturnNothingForANodeWithoutEdges() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(3, 2, new int[] {0, 1}, new int[] {0, 1}, null);
        VisitMap visits = new VisitMap(4);
        long taken = new RandomWalker(g, UniformEdgeChooser.INSTANCE, 8)
                .walk(Side.LEFT, 2, 1000, 0.5, visits, null, 0, 0);
        assertEquals(0, taken);
        assertEquals(0, visits.size());
    }

    @Test
    void shouldCountOppositeSideVisitsOncePerStep() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 20, 8, 40, false);
        RandomWalker walker = new RandomWalker(g, UniformEdgeChooser.INSTANCE, 8);
        VisitMap pins = new VisitMap(16);
        VisitMap boards = new VisitMap(16);
        long taken = walker.walk(Side.LEFT, 0, 10_000, 0.5, pins, boards, 0, 0);
        assertEquals(taken, (long) ScoreVectors.sum(pins.values(), pins.size()), "seed=" + seed);
        assertEquals(taken, (long) ScoreVectors.sum(boards.values(), boards.size()), "seed=" + seed);
    }
}
