package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walks and Pixie queries over a live graph see its base and recent edges as one graph. */
class LiveWalksTest {

    /**
     * Total variation allowed between 2 M walk steps and the exact distribution: walks restart with probability 0.3,
     * so the steps form about 600,000 independent walks; over about 40 nodes the expected deviation is then near
     * 0.003 (half the sum of sqrt(p_i / 600,000) · 0.8), and 0.01 is more than three times that. The recent edges
     * move the exact distribution by far more than this ({@link #check}), so a walk that missed them would fail.
     */
    private static final double TOLERANCE = 0.01;
    private static final double ALPHA = 0.3;

    @Test
    void shouldMatchPageRankOfTheMergedGraphWithUniformChoice() throws IOException {
        long seed = TestSeed.next();
        Merged m = merged(seed, false);
        check(m, new RandomWalker(m.live.view(), UniformEdgeChooser.INSTANCE, 32), false, seed);
    }

    @Test
    void shouldMatchWeightedPageRankOfTheMergedGraphWithBiasedChoice() throws IOException {
        long seed = TestSeed.next();
        Merged m = merged(seed, true);
        BipartiteGraph view = m.live.view();
        // weights are in (0, 4]; every (pin, board) pair carries one weight, so the bias is exactly the edge weight
        BiasFunction bias = (side, node, neighbor) -> m.weight[side == Side.LEFT ? node : neighbor][side == Side.LEFT ? neighbor : node] / 4f;
        check(m, new RandomWalker(view, new BiasedEdgeChooser(view, bias, 3), 16), true, seed);
    }

    /**
     * Pixie over a live graph whose base a compaction replaces: queries before and after find the fresh pin, and each
     * query's lease ends with it, so no replaced generation stays mapped once the queries are done.
     */
    @Test
    void shouldLetGoOfReplacedGenerationsAfterEachQuery(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, HeapBipartiteGraph.of(4, 2, new int[] {0, 1, 2, 3}, new int[] {0, 0, 1, 1}, null), false);
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LiveGraph.Limits.defaults())) {
            PixieEngine pixie = new PixieEngine(live, view -> UniformEdgeChooser.INSTANCE, 8);
            PixieQuery query = PixieQuery.builder().pin(0, 1f).steps(20_000).topPins(10).seed(5).build();
            live.add(new EdgeBatch().add("77", "0"));
            assertTrue(ids(pixie.query(query)).contains(4));
            for (int round = 0; round < 3; round++) {
                live.compact(CsrBuildOptions.defaults().withThreads(1));
                live.add(new EdgeBatch().add(Integer.toString(78 + round), "0"));
                List<Integer> found = ids(pixie.query(query));
                assertTrue(found.contains(4) && found.contains(5 + round), "round " + round + ": " + found);
            }
            live.compact(CsrBuildOptions.defaults().withThreads(1)); // no query runs: none may hold the replaced base
            assertEquals(0, live.retainedGenerations());
            BipartiteGraph held = pixie.graph(); // a view the caller must release
            live.compact(CsrBuildOptions.defaults().withThreads(1));
            assertEquals(1, live.retainedGenerations());
            ((LiveView) held).release();
            assertEquals(0, live.retainedGenerations());
        }
    }

    @Test
    void shouldRecommendAFreshPinToQueriesThatStartAfterItsEdgesWereAcknowledged() throws IOException {
        HeapBipartiteGraph base = HeapBipartiteGraph.of(4, 2, new int[] {0, 1, 2, 3}, new int[] {0, 0, 1, 1}, null);
        LiveGraph live = LiveGraph.inMemory(base, null, null, LiveGraph.Limits.defaults());
        PixieEngine pixie = new PixieEngine(live, view -> UniformEdgeChooser.INSTANCE, 8);
        PixieQuery query = PixieQuery.builder().pin(0, 1f).steps(20_000).topPins(10).seed(5).build();
        PixieResult before = pixie.query(query);
        assertEquals(Arrays.asList(1), ids(before));
        live.add(new EdgeBatch().add("77", "0").add("77", "5"));
        PixieResult after = pixie.query(query);
        int fresh = live.find(Side.LEFT, "77");
        assertEquals(4, fresh);
        assertTrue(ids(after).contains(fresh), "a query after the batch must reach the new pin: " + ids(after));
        assertEquals(2, ids(after).size());
    }

    private static List<Integer> ids(PixieResult r) {
        return Arrays.stream(Arrays.copyOf(r.pins, r.pinCount)).boxed().toList();
    }

    /** A base graph, recent edges added to it (new pins and boards among them), and the same edges as one graph. */
    private record Merged(LiveGraph live, HeapBipartiteGraph base, HeapBipartiteGraph all, float[][] weight) {
    }

    private static Merged merged(long seed, boolean weighted) throws IOException {
        Random rnd = new Random(seed);
        int pins = 30;
        int boards = 12;
        HeapBipartiteGraph shape = TestGraphs.connected(rnd, pins, boards, 60, false);
        // one weight per (pin, board) pair, also for the new nodes: parallel edges share it
        int newPins = 6;
        int newBoards = 3;
        float[][] weight = new float[pins + newPins][boards + newBoards];
        for (float[] row : weight) {
            for (int j = 0; j < row.length; j++) {
                row[j] = weighted ? 0.25f * (1 + rnd.nextInt(16)) : 1f;
            }
        }
        int baseEdges = (int) shape.edgeCount();
        int recent = 70;
        int[] l = new int[baseEdges + recent];
        int[] r = new int[baseEdges + recent];
        float[] w = new float[baseEdges + recent];
        int e = 0;
        for (int u = 0; u < pins; u++) {
            for (int i = 0; i < shape.degree(Side.LEFT, u); i++, e++) {
                l[e] = u;
                r[e] = shape.neighbor(Side.LEFT, u, i);
                w[e] = weight[l[e]][r[e]];
            }
        }
        HeapBipartiteGraph base = HeapBipartiteGraph.of(pins, boards, Arrays.copyOf(l, e), Arrays.copyOf(r, e),
                weighted ? Arrays.copyOf(w, e) : null);
        LiveGraph live = LiveGraph.inMemory(base, null, null, LiveGraph.Limits.defaults());
        EdgeBatch batch = new EdgeBatch();
        for (int k = 0; k < recent; k++, e++) {
            // new pins and boards first appear in order (ids pins + k), each tied to an existing node
            l[e] = k < newPins ? pins + k : rnd.nextInt(pins + newPins);
            r[e] = k >= newPins && k < newPins + newBoards ? boards + k - newPins : rnd.nextInt(k < newPins ? boards : boards + newBoards);
            w[e] = weight[l[e]][r[e]];
            batch.add(String.valueOf(l[e]), String.valueOf(r[e]), w[e]);
            if (rnd.nextInt(8) == 0) {
                live.add(batch);
                batch.clear();
            }
        }
        live.add(batch);
        HeapBipartiteGraph all = HeapBipartiteGraph.of(pins + newPins, boards + newBoards, l, r, weighted ? w : null);
        assertEquals(all.edgeCount(), live.view().edgeCount());
        return new Merged(live, base, all, weight);
    }

    private static void check(Merged m, RandomWalker walker, boolean weighted, long seed) {
        walker.random().reseed(seed);
        VisitMap visits = new VisitMap(64);
        assertEquals(2_000_000, walker.walk(Side.LEFT, 0, 2_000_000, ALPHA, visits, null, 0, 0));
        double[] expected = RandomGraphs.expectedVisits(m.all, 0, ALPHA, weighted);
        double tv = RandomGraphs.totalVariation(visits, expected);
        assertTrue(tv < TOLERANCE, TestSeed.tag(seed) + "total variation=" + tv);
        double[] baseOnly = Arrays.copyOf(RandomGraphs.expectedVisits(m.base, 0, ALPHA, weighted), expected.length);
        double moved = 0;
        for (int i = 0; i < expected.length; i++) {
            moved += Math.abs(expected[i] - baseOnly[i]) / 2;
        }
        assertTrue(moved > 3 * TOLERANCE, TestSeed.tag(seed) + "the recent edges moved the distribution by only " + moved);
    }
}
