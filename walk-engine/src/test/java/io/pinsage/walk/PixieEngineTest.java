package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixieEngineTest {

    @Test
    void shouldBoostPinsReachedFromSeveralQueryPins() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 12, 100, false);
        PixieQuery q = PixieQuery.builder().pin(1, 1f).pin(7, 0.5f).steps(20_000).topPins(40).seed(seed).build();
        PixieResult r = new PixieEngine(g).query(q);

        // The same walks replayed by hand: each pin's budget, generator and lanes as the engine documents them.
        double c = g.maxDegree(Side.LEFT);
        double s1 = PixieEngine.stepWeight(g.degree(Side.LEFT, 1), c);
        double s7 = PixieEngine.stepWeight(g.degree(Side.LEFT, 7), c);
        VisitMap v1 = replay(g, 1, Math.round(20_000 * 1.0 * s1 / (s1 + s7)), seed);
        VisitMap v7 = replay(g, 7, Math.round(20_000 * 0.5 * s7 / (s1 + s7)), seed);
        assertEquals(v1.size() > 0 ? sum(v1) + sum(v7) : 0, r.stepsTaken(), "seed=" + seed);
        assertTrue(r.pinCount() > 0, "seed=" + seed);
        for (int i = 0; i < r.pinCount(); i++) {
            int p = r.pin(i);
            double expected = Math.pow(Math.sqrt(v1.get(p)) + Math.sqrt(v7.get(p)), 2);
            assertEquals(expected, r.pinScore(i), expected * 1e-5, "seed=" + seed + " pin=" + p);
            assertTrue(p != 1 && p != 7, "query pins are excluded by default");
            if (i > 0) {
                assertTrue(r.pinScore(i - 1) >= r.pinScore(i), "best first");
            }
        }
    }

    @Test
    void shouldSumVisitsWithoutBooster() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 10, 60, false);
        PixieQuery q = PixieQuery.builder().pin(2, 1f).pin(5, 1f).steps(10_000).topPins(30).boost(false)
                .excludeQueryPins(false).seed(seed).build();
        PixieResult r = new PixieEngine(g).query(q);
        double c = g.maxDegree(Side.LEFT);
        double s2 = PixieEngine.stepWeight(g.degree(Side.LEFT, 2), c);
        double s5 = PixieEngine.stepWeight(g.degree(Side.LEFT, 5), c);
        VisitMap v2 = replay(g, 2, Math.round(10_000 * s2 / (s2 + s5)), seed);
        VisitMap v5 = replay(g, 5, Math.round(10_000 * s5 / (s2 + s5)), seed);
        for (int i = 0; i < r.pinCount(); i++) {
            assertEquals(v2.get(r.pin(i)) + v5.get(r.pin(i)), r.pinScore(i), "seed=" + seed);
        }
    }

    private static VisitMap replay(HeapBipartiteGraph g, int pin, long steps, long seed) {
        RandomWalker w = new RandomWalker(g, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        w.random().reseed(PixieEngine.pinSeed(seed, pin));
        VisitMap v = new VisitMap(16);
        w.walk(Side.LEFT, pin, steps, 0.5, v, null, 0, 0);
        return v;
    }

    private static long sum(VisitMap v) {
        return (long) ScoreVectors.sum(v.values(), v.size());
    }

    @Test
    void shouldStopEarlyWhenEnoughPinsAreVisitedEnough() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 50, 10, 150, false);
        PixieQuery q = PixieQuery.builder().pin(0, 1f).steps(1_000_000).earlyStop(5, 50).topPins(50).seed(seed)
                .excludeQueryPins(false).boost(false).build();
        PixieResult r = new PixieEngine(g).query(q);
        String msg = "seed=" + seed + " steps=" + r.stepsTaken();
        assertTrue(r.stepsTaken() < 1_000_000, msg);
        int reached = 0;
        for (int i = 0; i < r.pinCount(); i++) {
            reached += r.pinScore(i) >= 50 ? 1 : 0;
        }
        assertTrue(reached >= 5, msg);
        // Lanes step in rounds, so at most one round of extra steps follows the stop condition.
        assertTrue(reached <= 5 + PixieEngine.DEFAULT_LANES, msg);
    }

    @Test
    void shouldFilterQueryPinsAndBlocklist() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 20, 5, 60, false);
        PixieQuery q = PixieQuery.builder().pin(3, 1f).steps(20_000).topPins(20).blocklist(4, 9).seed(seed).build();
        PixieResult r = new PixieEngine(g).query(q);
        for (int i = 0; i < r.pinCount(); i++) {
            assertFalse(r.pin(i) == 3 || r.pin(i) == 4 || r.pin(i) == 9, "seed=" + seed + " pin=" + r.pin(i));
        }
        PixieResult kept = new PixieEngine(g).query(PixieQuery.builder().pin(3, 1f).steps(20_000).topPins(20)
                .excludeQueryPins(false).seed(seed).build());
        boolean sawQueryPin = false;
        for (int i = 0; i < kept.pinCount(); i++) {
            sawQueryPin |= kept.pin(i) == 3;
        }
        assertTrue(sawQueryPin, "seed=" + seed + ": a walk that restarts at pin 3 revisits it");
    }

    @Test
    void shouldReturnTopBoardsWhenAsked() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 20, 6, 40, false);
        PixieResult r = new PixieEngine(g).query(PixieQuery.builder().pin(0, 1f).steps(5000).topBoards(3).seed(seed).build());
        assertTrue(r.boardCount() > 0 && r.boardCount() <= 3, "seed=" + seed);
        for (int i = 1; i < r.boardCount(); i++) {
            assertTrue(r.boardScore(i - 1) >= r.boardScore(i), "seed=" + seed);
        }
    }

    @Test
    void shouldAnswerAKBeyondTheGraphWithEveryVisitedNode() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 20, 6, 40, false);
        PixieEngine engine = new PixieEngine(g);
        PixieResult r = engine.query(PixieQuery.builder().pin(0, 1f).steps(5000).topPins(Integer.MAX_VALUE)
                .topBoards(Integer.MAX_VALUE).seed(seed).build());
        assertTrue(r.pinCount() > 0 && r.pinCount() < 20, "seed=" + seed + " pins=" + r.pinCount());
        assertTrue(r.boardCount() > 0 && r.boardCount() <= 6, "seed=" + seed + " boards=" + r.boardCount());
        // K = every other pin and every board: the same answer as a K beyond the graph
        PixieResult all = engine.query(PixieQuery.builder().pin(0, 1f).steps(5000).topPins(19).topBoards(6).seed(seed).build());
        assertEquals(all.pinCount(), r.pinCount(), "seed=" + seed);
        assertEquals(all.boardCount(), r.boardCount(), "seed=" + seed);
        PixieResult top3 = engine.query(PixieQuery.builder().pin(0, 1f).steps(5000).topPins(3).seed(seed).build());
        for (int i = 0; i < top3.pinCount(); i++) {
            assertEquals(top3.pin(i), r.pin(i), "seed=" + seed + " rank=" + i);
        }
    }

    @Test
    void shouldRejectAStepBudgetBeyondWhatVisitCountsHold() {
        PixieQuery.Builder b = PixieQuery.builder().pin(0, 1f);
        assertEquals(PixieQuery.MAX_STEPS, b.steps(PixieQuery.MAX_STEPS).build().steps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.steps(99_999_999_999L).build());
        assertTrue(e.getMessage().startsWith("steps=99999999999: must lie in [1, 16777216]"), e.getMessage());
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameSeed() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 200, 40, 800, false);
        checkSameAnswerForSameSeed(new PixieEngine(g), seed);
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameSeedOnATable() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 200, 40, 800, false);
        checkSameAnswerForSameSeed(new PixieEngine(WalkTable.of(g), 64), seed);
    }

    private static void checkSameAnswerForSameSeed(PixieEngine engine, long seed) {
        PixieQuery q = PixieQuery.builder().pin(1, 1f).pin(2, 2f).steps(30_000).topPins(50).seed(seed).build();
        PixieResult a = engine.query(q);
        PixieResult b = new PixieResult();
        engine.query(PixieQuery.builder().pin(9, 1f).steps(1000).seed(seed + 1).build(), b); // dirty the scratch
        engine.query(q, b);
        assertEquals(a.pinCount(), b.pinCount(), "seed=" + seed);
        for (int i = 0; i < a.pinCount(); i++) {
            assertEquals(a.pin(i), b.pin(i), "seed=" + seed);
            assertEquals(a.pinScore(i), b.pinScore(i), "seed=" + seed);
        }
    }

    @Test
    void shouldAnswerConcurrentQueriesAsIfAlone() throws Exception {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 300, 60, 1500, false);
        PixieEngine engine = new PixieEngine(g);
        int queries = 64;
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < queries; i++) {
            expected.add(topPins(engine.query(query(i, seed))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> got = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < queries; i++) {
                    int qi = i;
                    got.add(pool.submit(() -> topPins(engine.query(query(qi, seed)))));
                }
            }
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected.get(i % queries), got.get(i).get(), "seed=" + seed + " query=" + i % queries);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static PixieQuery query(int i, long seed) {
        return PixieQuery.builder().pin(i % 300, 1f).pin((i * 7 + 1) % 300, 0.5f).steps(5000).topPins(20)
                .seed(seed + i).build();
    }

    private static int[] topPins(PixieResult r) {
        int[] ids = new int[r.pinCount()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.pin(i);
        }
        return ids;
    }

    @Test
    void shouldAllocateNothingOnceWarm() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 2000, 300, 8000, false);
        checkNoAllocationOnceWarm(new PixieEngine(g), seed);
    }

    @Test
    void shouldAllocateNothingOnceWarmOnATable() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 2000, 300, 8000, false);
        checkNoAllocationOnceWarm(new PixieEngine(WalkTable.of(g), 128), seed);
    }

    private static void checkNoAllocationOnceWarm(PixieEngine engine, long seed) {
        PixieQuery[] queries = new PixieQuery[64];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = PixieQuery.builder().pin(i * 31 % 2000, 1f).pin(i * 17 % 2000, 0.5f).steps(5000).topPins(50)
                    .topBoards(5).blocklist(3, 4).seed(seed + i).build();
        }
        PixieResult result = new PixieResult();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        // The first rounds run interpreted code (whose vector operations allocate) and grow the scratch; once the
        // compiler has caught up a round must allocate nothing at all. On a loaded machine the compiler may take
        // seconds to get to the SIMD draw loop, so rounds go on for up to 30 s: a leak still fails, a late compile not.
        long last = -1;
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (int round = 0; (round < 60 || System.nanoTime() < deadline) && last != 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 300; i++) {
                engine.query(queries[i & 63], result);
            }
            last = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, last, "seed=" + seed + ": bytes allocated by 300 warm queries");
    }

    @Test
    void shouldRejectBadQueriesWithClearErrors() {
        HeapBipartiteGraph g = TestGraphs.connected(new Random(1), 10, 4, 10, false);
        PixieEngine engine = new PixieEngine(g);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.query(PixieQuery.builder().pin(10, 1f).build()));
        assertTrue(e.getMessage().contains("pin[0]=10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixieQuery.builder().pin(-1, 1f).build());
        assertTrue(e.getMessage().contains("pin[0]=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixieQuery.builder().pin(1, 1f).pin(2, 0f).build());
        assertTrue(e.getMessage().contains("weight[1]=0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixieQuery.builder().build());
        assertTrue(e.getMessage().contains("pins=[]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixieQuery.builder().pin(1, 1f).alpha(0).build());
        assertTrue(e.getMessage().contains("alpha=0"), e.getMessage());
    }

    @Test
    void shouldReturnEmptyResultForAPinWithoutEdges() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(3, 1, new int[] {0, 1}, new int[] {0, 0}, null);
        for (PixieEngine engine : new PixieEngine[] {new PixieEngine(g), new PixieEngine(WalkTable.of(g), 8)}) {
            PixieResult r = engine.query(PixieQuery.builder().pin(2, 1f).topBoards(5).build());
            assertEquals(0, r.pinCount());
            assertEquals(0, r.boardCount());
            assertEquals(0, r.stepsTaken());
        }
    }

    @Test
    void shouldMatchPersonalisedPageRankOnATable() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 30, 12, 90, false);
        PixieQuery q = PixieQuery.builder().pin(0, 1f).steps(2_000_000).alpha(0.3).topPins(30).excludeQueryPins(false)
                .seed(seed).build();
        PixieResult r = new PixieEngine(WalkTable.of(g), 64).query(q);
        assertEquals(2_000_000, r.stepsTaken(), "seed=" + seed);
        VisitMap visits = new VisitMap(30);
        for (int i = 0; i < r.pinCount(); i++) {
            assertTrue(i == 0 || r.pinScore(i - 1) >= r.pinScore(i), "seed=" + seed + ": best first");
            visits.add(r.pin(i), r.pinScore(i));
        }
        double tv = RandomGraphs.totalVariation(visits, RandomGraphs.expectedVisits(g, 0, 0.3, false));
        assertTrue(tv < 0.01, "seed=" + seed + " total variation=" + tv);
    }

    @Test
    void shouldReportTheSameBoardsOnATableAsOnTheGraph() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 12, 100, false);
        PixieQuery q = PixieQuery.builder().pin(3, 1f).steps(1_000_000).topBoards(12).seed(seed).build();
        double tv = distance(boards(new PixieEngine(g).query(q)), boards(new PixieEngine(WalkTable.of(g), 32).query(q)));
        assertTrue(tv < 0.01, "seed=" + seed + " total variation between the engines' board visits=" + tv);
    }

    /** Weighted walks give the same board visits over a weighted table as over the graph with the alias chooser. */
    @Test
    void shouldReportTheSameBoardsOnAWeightedTableAsOnTheWeightedGraph() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = RandomGraphs.skewedWeights(TestGraphs.connected(new Random(seed), 40, 12, 100, false),
                new Random(seed));
        PixieQuery q = PixieQuery.builder().pin(3, 1f).steps(1_000_000).topBoards(12).seed(seed).build();
        double[] onGraph = boards(new PixieEngine(g, new WeightedEdgeChooser(g), 64).query(q));
        double tv = distance(onGraph, boards(new PixieEngine(WalkTable.weighted(g), 32).query(q)));
        assertTrue(tv < 0.01, "seed=" + seed + " total variation between the engines' board visits=" + tv);
        double uniform = distance(onGraph, boards(new PixieEngine(WalkTable.of(g), 32).query(q)));
        assertTrue(uniform > 0.03, "seed=" + seed + " the weights must matter: uniform walks at " + uniform);
    }

    private static double[] boards(PixieResult r) {
        double[] share = new double[12];
        double total = 0;
        for (int i = 0; i < r.boardCount(); i++) {
            share[r.board(i)] += r.boardScore(i);
            total += r.boardScore(i);
        }
        for (int b = 0; b < share.length; b++) {
            share[b] /= total;
        }
        return share;
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.abs(a[i] - b[i]);
        }
        return d / 2;
    }

    @Test
    void shouldFilterQueryPinsAndBlocklistOnATable() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 20, 5, 60, false);
        PixieEngine engine = new PixieEngine(WalkTable.of(g), 16);
        PixieResult r = engine.query(PixieQuery.builder().pin(3, 1f).steps(20_000).topPins(20).blocklist(4, 9, 999)
                .seed(seed).build());
        assertTrue(r.pinCount() > 0, "seed=" + seed);
        for (int i = 0; i < r.pinCount(); i++) {
            assertFalse(r.pin(i) == 3 || r.pin(i) == 4 || r.pin(i) == 9, "seed=" + seed + " pin=" + r.pin(i));
        }
    }

    /**
     * A service that swaps its walk table for a new one must not keep the old one: after a query on this thread,
     * dropping the engine lets its table be collected (a thread-local scratch would keep it reachable from the
     * thread).
     */
    @Test
    void shouldLetADroppedEngineAndItsTableBeCollected() throws InterruptedException {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 12, 100, false);
        WeakReference<WalkTable> table = queryOnceAndDrop(g, seed);
        for (int i = 0; i < 100 && table.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(table.get(), "seed=" + seed + ": the dropped engine's table is still reachable");
    }

    /** Builds a table engine, queries it on this thread and returns only a weak reference to its table. */
    private static WeakReference<WalkTable> queryOnceAndDrop(HeapBipartiteGraph g, long seed) {
        WalkTable t = WalkTable.of(g);
        PixieResult r = new PixieEngine(t, 16).query(PixieQuery.builder().pin(0, 1f).steps(2_000).topPins(5).seed(seed).build());
        assertTrue(r.pinCount() > 0, "seed=" + seed);
        return new WeakReference<>(t);
    }

    @Test
    void shouldRefuseALaneCountOutOfRangeWhenBuilt() {
        HeapBipartiteGraph g = TestGraphs.connected(new Random(1), 10, 4, 10, false);
        WalkTable t = WalkTable.of(g);
        for (int lanes : new int[] {0, 1025}) {
            IllegalArgumentException csr = assertThrows(IllegalArgumentException.class,
                    () -> new PixieEngine(g, UniformEdgeChooser.INSTANCE, lanes));
            assertTrue(csr.getMessage().contains("lanes=" + lanes), csr.getMessage());
            IllegalArgumentException table = assertThrows(IllegalArgumentException.class, () -> new PixieEngine(t, lanes));
            assertTrue(table.getMessage().contains("lanes=" + lanes), table.getMessage());
        }
    }
}
