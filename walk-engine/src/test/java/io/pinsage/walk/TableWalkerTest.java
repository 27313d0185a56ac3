package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks over a {@link WalkTable} against exact statistics: visit frequencies against the personalised PageRank
 * (total variation below 0.01 after 2,000,000 steps on 30 pins, sampling error about 0.003), and single hops
 * against the uniform choice of an edge.
 */
class TableWalkerTest {

    private static final double TOLERANCE = 0.01;

    @Test
    void shouldMatchPersonalisedPageRank() {
        checkAgainstPageRank(128);
    }

    @Test
    void shouldMatchPersonalisedPageRankWithOneLane() {
        checkAgainstPageRank(1);
    }

    @Test
    void shouldMatchPersonalisedPageRankWithAnOddLaneCount() {
        checkAgainstPageRank(7);
    }

    /** On a weighted table the walks follow the edge weights: the weighted personalised PageRank. */
    @Test
    void shouldMatchWeightedPersonalisedPageRankOnAWeightedTable() {
        checkAgainstPageRank(128, true);
        checkAgainstPageRank(7, true);
    }

    @Test
    void shouldRefuseAWeightedTableOfAGraphWithoutWeights() {
        HeapBipartiteGraph g = TestGraphs.connected(new Random(1), 5, 3, 4, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WalkTable.weighted(g));
        assertTrue(e.getMessage().contains("no edge weights"), e.getMessage());
        assertFalse(WalkTable.of(g).isWeighted());
    }

    private static void checkAgainstPageRank(int lanes) {
        checkAgainstPageRank(lanes, false);
    }

    private static void checkAgainstPageRank(int lanes, boolean weighted) {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 12, 90, false);
        if (weighted) {
            g = RandomGraphs.skewedWeights(g, new Random(seed));
        }
        WalkTable t = weighted ? WalkTable.weighted(g) : WalkTable.of(g);
        assertEquals(weighted, t.isWeighted());
        TableWalker walker = new TableWalker(t, lanes);
        walker.random().reseed(seed);
        VisitMap keys = new VisitMap(64);
        VisitMap boardKeys = new VisitMap(64);
        double alpha = 0.3;
        long taken = walker.walk(Side.LEFT, 0, 2_000_000, alpha, keys, boardKeys, 0, 0);
        assertEquals(2_000_000, taken);
        VisitMap visits = byId(t, Side.LEFT, keys);
        double tv = RandomGraphs.totalVariation(visits, RandomGraphs.expectedVisits(g, 0, alpha, weighted));
        assertTrue(tv < TOLERANCE, "seed=" + seed + " lanes=" + lanes + " weighted=" + weighted
                + " total variation=" + tv);
        if (weighted) {
            // The weights must matter: the walk stays well away from what a uniform walk would give.
            double uniform = RandomGraphs.totalVariation(visits, RandomGraphs.expectedVisits(g, 0, alpha, false));
            assertTrue(uniform > 3 * TOLERANCE, "seed=" + seed + " lanes=" + lanes
                    + " total variation from the uniform walk's visits=" + uniform);
        }
        assertEquals(taken, (long) ScoreVectors.sum(boardKeys.values(), boardKeys.size()), "seed=" + seed);
    }

    /** Visits counted under keys, re-counted under ids. */
    static VisitMap byId(WalkTable t, Side side, VisitMap keys) {
        VisitMap ids = new VisitMap(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            ids.add(t.node(side, keys.keyAt(i)), keys.valueAt(i));
        }
        return ids;
    }

    @Test
    void shouldChooseEveryEdgeOfANodeEquallyOften() {
        long seed = new Random().nextLong();
        // Pin 0 has 37 edges, some to the same board; one hop from it must pick each edge with probability 1/37.
        Random rnd = new Random(seed);
        int degree = 37;
        int[] l = new int[degree + 20];
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = i < degree ? 0 : 1 + rnd.nextInt(5);
            r[i] = rnd.nextInt(25);
        }
        HeapBipartiteGraph g = HeapBipartiteGraph.of(6, 25, l, r, null);
        WalkTable t = WalkTable.of(g);
        TableWalker walker = new TableWalker(t, 64);
        walker.random().reseed(seed);
        int[] walkers = new int[640];
        int rounds = 2000;
        double[] counts = new double[25];
        for (int round = 0; round < rounds; round++) {
            Arrays.fill(walkers, t.key(Side.LEFT, 0));
            assertEquals(Side.RIGHT, walker.advanceUniform(Side.LEFT, walkers, 1));
            for (int w : walkers) {
                counts[t.node(Side.RIGHT, w)]++;
            }
        }
        double n = (double) rounds * walkers.length;
        double tv = 0;
        for (int b = 0; b < 25; b++) {
            int edges = 0;
            for (int i = 0; i < g.degree(Side.LEFT, 0); i++) {
                edges += g.neighbor(Side.LEFT, 0, i) == b ? 1 : 0;
            }
            tv += Math.abs(counts[b] / n - edges / (double) degree);
        }
        assertTrue(tv / 2 < 0.005, "seed=" + seed + " total variation=" + tv / 2);
    }

    @Test
    void shouldHopOnlyAlongEdgesWhereRunsArePaddedToBuckets() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        // Pin u < 700 has degree u + 1: over 2^16 slots a bucket of the degree index spans several, so these narrow
        // runs are padded to bucket boundaries; a wrong degree would step outside the node's range.
        int pins = 700;
        int boards = 300;
        int edges = pins * (pins + 1) / 2;
        int[] l = new int[edges];
        int[] r = new int[edges];
        for (int u = 0, e = 0; u < pins; u++) {
            for (int k = 0; k <= u; k++, e++) {
                l[e] = u;
                r[e] = rnd.nextInt(boards);
            }
        }
        HeapBipartiteGraph g = HeapBipartiteGraph.of(pins, boards, l, r, null);
        WalkTable t = WalkTable.of(g);
        TableWalker walker = new TableWalker(t, 64);
        walker.random().reseed(seed);
        int[] from = new int[1000];
        int[] walkers = new int[from.length];
        for (int round = 0; round < 20; round++) {
            for (int w = 0; w < from.length; w++) {
                from[w] = rnd.nextInt(pins);
                walkers[w] = t.key(Side.LEFT, from[w]);
            }
            walker.advanceUniform(Side.LEFT, walkers, 1);
            for (int w = 0; w < from.length; w++) {
                int board = t.node(Side.RIGHT, walkers[w]);
                assertTrue(hasEdge(g, from[w], board), "seed=" + seed + ": pin " + from[w] + " to board " + board);
                from[w] = board;
            }
            walker.advanceUniform(Side.RIGHT, walkers, 1);
            for (int w = 0; w < from.length; w++) {
                int pin = t.node(Side.LEFT, walkers[w]);
                assertTrue(hasEdge(g, pin, from[w]), "seed=" + seed + ": board " + from[w] + " to pin " + pin);
            }
        }
    }

    @Test
    void shouldDrawInVectorsExactlyTheEdgesOfTheScalarRule() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 400, 90, 5000, false);
        assertVectorDrawsFollowTheScalarRule(WalkTable.of(g, 64), seed);
        // The widest buckets (2^16 slots), with keys anywhere in them, past a late split or inside one run.
        assertVectorDrawsFollowTheScalarRule(WalkTable.of(RandomGraphs.wideRuns(new Random(seed)), 2), seed);
    }

    private static void assertVectorDrawsFollowTheScalarRule(WalkTable t, long seed) {
        Random rnd = new Random(seed);
        int pins = t.graph().nodeCount(Side.LEFT);
        // 53 lanes: whole vectors of any width up to 16 ints, then a scalar tail.
        for (int lanes : new int[] {48, 53}) {
            TableWalker walker = new TableWalker(t, lanes);
            int[] walkers = new int[lanes];
            for (int w = 0; w < lanes; w++) {
                int pin;
                do {
                    pin = rnd.nextInt(pins);
                } while (t.key(Side.LEFT, pin) < 0);
                walkers[w] = t.key(Side.LEFT, pin);
            }
            int[] start = walkers.clone();
            walker.random().reseed(seed);
            walker.advanceUniform(Side.LEFT, walkers, 1);
            WalkRandom reference = new WalkRandom(0);
            reference.reseed(seed);
            long base = reference.reserve((lanes + 1) >>> 1);
            for (int w = 0; w < lanes; w++) {
                long r = WalkRandom.outputAt(base, w >>> 1);
                long bits = (w & 1) == 0 ? r & 0xFFFF_FFFFL : r >>> 32;
                int edge = start[w] + (int) ((bits * t.degree(Side.LEFT, start[w])) >>> 32);
                assertEquals(t.slots(Side.LEFT)[edge], walkers[w], "seed=" + seed + " lanes=" + lanes + " lane " + w);
            }
        }
    }

    private static boolean hasEdge(HeapBipartiteGraph g, int pin, int board) {
        for (int i = 0; i < g.degree(Side.LEFT, pin); i++) {
            if (g.neighbor(Side.LEFT, pin, i) == board) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldStopOnceEnoughNodesReachTheVisitThreshold() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 15, 120, false);
        TableWalker walker = new TableWalker(WalkTable.of(g), 1);
        walker.random().reseed(seed);
        VisitMap visits = new VisitMap(64);
        long taken = walker.walk(Side.LEFT, 3, 1_000_000, 0.5, visits, null, 4, 25);
        RandomGraphs.assertStoppedAtFourNodesOf25Visits(visits, taken, seed);
    }

    @Test
    void shouldRepeatAWalkForTheSameSeed() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 200, 40, 800, false);
        TableWalker walker = new TableWalker(WalkTable.of(g), 16);
        VisitMap a = new VisitMap(64);
        VisitMap b = new VisitMap(64);
        walker.random().reseed(seed);
        walker.walk(Side.LEFT, 5, 10_000, 0.4, a, null, 0, 0);
        walker.random().reseed(seed + 1);
        walker.walk(Side.LEFT, 5, 777, 0.4, new VisitMap(8), null, 0, 0);
        walker.random().reseed(seed);
        walker.walk(Side.LEFT, 5, 10_000, 0.4, b, null, 0, 0);
        assertEquals(a.size(), b.size(), "seed=" + seed);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.valueAt(i), b.get(a.keyAt(i)), "seed=" + seed + " key=" + a.keyAt(i));
        }
    }

    @Test
    void shouldReturnNothingForANodeWithoutEdges() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(3, 2, new int[] {0, 1}, new int[] {0, 1}, null);
        VisitMap visits = new VisitMap(4);
        long taken = new TableWalker(WalkTable.of(g), 8).walk(Side.LEFT, 2, 1000, 0.5, visits, null, 0, 0);
        assertEquals(0, taken);
        assertEquals(0, visits.size());
    }

    @Test
    void shouldRejectLaneCountsOutOfRange() {
        WalkTable t = WalkTable.of(HeapBipartiteGraph.of(1, 1, new int[] {0}, new int[] {0}, null));
        for (int lanes : new int[] {0, 1025}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TableWalker(t, lanes));
            assertTrue(e.getMessage().contains("lanes=" + lanes), e.getMessage());
        }
    }
}
