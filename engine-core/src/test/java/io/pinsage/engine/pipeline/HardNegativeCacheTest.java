package io.pinsage.engine.pipeline;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.walk.HardNegativeSampler;
import io.pinsage.walk.WalkTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hard negatives ranked on demand: the draws depend on (query, seed) alone, and the cache keeps to its budget. */
class HardNegativeCacheTest {

    private static final int PINS = 300;
    private static final int BOARDS = 40;
    private static final HardNegativeBand BAND = new HardNegativeBand(5, 20, 40);
    private static final int DRAWS = 600;

    private static HeapBipartiteGraph graph(long seed) {
        return TestGraphs.connected(new Random(seed), PINS, BOARDS, 1500, false);
    }

    /** Draw i: a query pin and the generator its batch would hand the cache, both fixed by (seed, i). */
    private static int query(long seed, int i) {
        return new SplittableRandom(seed + 31L * i).nextInt(PINS / 3); // a third of the pins, so that queries repeat
    }

    private static int draw(HardNegativeCache cache, long seed, int i) {
        return cache.sample(query(seed, i), new SplittableRandom(seed ^ (1000L + i)));
    }

    /** Draws 0..DRAWS-1 on {@code threads} threads, each thread taking every threads-th draw of a shuffled order. */
    private static int[] drawAll(HardNegativeCache cache, long seed, int threads) throws Exception {
        int[] out = new int[DRAWS];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < DRAWS; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed + threads));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int k = first; k < DRAWS; k += threads) {
                        int i = order.get(k);
                        out[i] = draw(cache, seed, i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return out;
    }

    @Test
    void shouldDrawTheSameNegativesWhateverTheThreadsTheOrderAndTheCacheSize() throws Exception {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        HeapBipartiteGraph g = graph(seed);
        long roomy = 1L << 20;
        long tiny = 3 * HardNegativeCache.rowBytes(16);
        int[] one = drawAll(new HardNegativeCache(g, BAND, 16, seed, roomy), seed, 1);
        int found = 0;
        for (int v : one) {
            found += v >= 0 ? 1 : 0;
        }
        assertTrue(found > DRAWS / 2, tag + ": most queries have a band, " + found + " of " + DRAWS);
        assertArrayEquals(one, drawAll(new HardNegativeCache(g, BAND, 16, seed, roomy), seed, 4), tag + " 4 threads");
        assertArrayEquals(one, drawAll(new HardNegativeCache(g, BAND, 16, seed, tiny), seed, 3),
                tag + " 3 threads, a cache of 3 bands that evicts all the time");
    }

    /**
     * Every draw is a member of the query's band as the walk engine ranks it on its own: over a walk table for a graph
     * within the table's size rule, over the graph above it.
     */
    @Test
    void shouldDrawFromTheQuerysPprBand() {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = graph(seed);
        assertDrawsFromBand(seed, g, new HardNegativeCache(g, BAND, 16, seed, 1L << 20),
                new HardNegativeSampler(WalkTable.of(g), Side.LEFT, BAND.from(), BAND.to(), BAND.steps(), 0.5), "table");
        assertDrawsFromBand(seed, g, new HardNegativeCache(g, Side.LEFT, Side.LEFT, BAND, 16, seed, 1L << 20, g.edgeCount() - 1),
                new HardNegativeSampler(g, Side.LEFT, BAND.from(), BAND.to(), BAND.steps(), 0.5), "graph");
    }

    private static void assertDrawsFromBand(long seed, HeapBipartiteGraph g, HardNegativeCache cache,
                                            HardNegativeSampler ranking, String over) {
        for (int i = 0; i < 50; i++) {
            int q = query(seed, i);
            int v = draw(cache, seed, i);
            int band = ranking.rank(q, seed ^ (q * 0x9E3779B97F4A7C15L));
            boolean member = false;
            for (int r = BAND.from(); r < BAND.from() + band; r++) {
                member |= ranking.rankedNode(r) == v;
            }
            assertTrue(band == 0 ? v == -1 : member, TestSeed.tag(seed) + " over the " + over + ": query " + q
                    + " drew " + v);
        }
    }

    @Test
    void shouldHoldNoMoreBandsThanTheBudgetAllows() throws Exception {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        HeapBipartiteGraph g = graph(seed);
        HardNegativeCache cache = new HardNegativeCache(g, BAND, 16, seed, 8 * HardNegativeCache.rowBytes(16) + 5);
        assertEquals(8, cache.capacity(), tag);
        drawAll(cache, seed, 2);
        assertTrue(cache.resident() <= 8, tag + ": " + cache.resident() + " bands held");
        assertTrue(cache.ranked() > 8, tag + ": more distinct queries than slots were ranked, " + cache.ranked());
        assertEquals(DRAWS, cache.ranked() + cache.reused(), tag);
        long distinct = java.util.stream.IntStream.range(0, DRAWS).map(i -> query(seed, i)).distinct().count();
        HardNegativeCache roomy = new HardNegativeCache(g, BAND, 16, seed, 1L << 20);
        drawAll(roomy, seed, 1);
        assertTrue(roomy.ranked() >= distinct && roomy.ranked() <= distinct + distinct / 4,
                tag + ": a roomy cache ranks each of the " + distinct + " queries about once, ranked " + roomy.ranked());
    }
}
