package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportanceNeighborhoodsTest {

    @TempDir
    Path root;

    @Test
    void shouldKeepTheExactTopTWithWeightsSummingToOne() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 15, 6, 40, false);
        int node = 0;
        double alpha = 0.5;
        double[] exact = RandomGraphs.expectedVisits(g, node, alpha, false);
        exact[node] = 0; // the node itself is never its own neighbour
        Integer[] order = new Integer[exact.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(exact[b], exact[a]));
        // T at the widest gap between consecutive exact probabilities among ranks 2..8: far above sampling noise.
        int t = 2;
        for (int k = 2; k <= 8; k++) {
            if (exact[order[k - 1]] - exact[order[k]] > exact[order[t - 1]] - exact[order[t]]) {
                t = k;
            }
        }
        double gap = exact[order[t - 1]] - exact[order[t]];
        assertTrue(gap > 0.005, "seed=" + seed + ": the random graph has no clear rank gap (" + gap + ")");

        NeighborhoodConfig config = new NeighborhoodConfig(Side.LEFT, t, 2_000_000, alpha, 32, seed);
        Set<Integer> expectedSet = new HashSet<>(Arrays.asList(order).subList(0, t));
        double expectedMass = 0;
        for (int v : expectedSet) {
            expectedMass += exact[v];
        }
        for (ImportanceNeighborhoods engine : engines(g, config)) {
            int[] ids = new int[t];
            float[] weights = new float[t];
            int n = engine.compute(node, ids, weights);
            String msg = "seed=" + seed + " T=" + t + " table=" + engine.walksTable() + " got=" + Arrays.toString(ids);
            assertEquals(t, n, msg);
            float sum = 0;
            for (int i = 0; i < n; i++) {
                assertTrue(expectedSet.contains(ids[i]), msg);
                assertEquals(exact[ids[i]] / expectedMass, weights[i], 0.01, msg + " weight of " + ids[i]);
                sum += weights[i];
            }
            assertEquals(1.0, sum, 1e-5, msg);
        }
    }

    /** The same neighbourhoods computed over the graph and over its walk table. */
    private static ImportanceNeighborhoods[] engines(HeapBipartiteGraph g, NeighborhoodConfig config) {
        return new ImportanceNeighborhoods[] {new ImportanceNeighborhoods(g, config),
                new ImportanceNeighborhoods(WalkTable.of(g), config)};
    }

    @Test
    void shouldReturnNothingForANodeWithoutEdgesAndRejectUnknownNodes() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(3, 1, new int[] {0, 1}, new int[] {0, 0}, null);
        for (ImportanceNeighborhoods nb : engines(g, NeighborhoodConfig.defaults(Side.LEFT))) {
            int[] ids = new int[50];
            float[] weights = new float[50];
            assertEquals(0, nb.compute(2, ids, weights));
            assertEquals(1, nb.compute(0, ids, weights));
            assertEquals(1, ids[0]);
            assertEquals(1f, weights[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nb.compute(3, ids, weights));
            assertTrue(e.getMessage().contains("node=3"), e.getMessage());
        }
    }

    @Test
    void shouldBuildTheSameStoreWithAnyThreadCountAndReportProgress() throws IOException {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 300, 80, 1200, false);
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(10).withStepsPerNode(300).withSeed(seed);
        WalkTable table = WalkTable.of(g);
        for (boolean overTable : new boolean[] {false, true}) {
            checkSameStoreWithAnyThreadCount(g, overTable ? table : null, config, root.resolve("t" + overTable),
                    "seed=" + seed + " table=" + overTable);
        }
    }

    private static NeighborhoodBuilder builder(HeapBipartiteGraph g, WalkTable table, NeighborhoodConfig config, int threads) {
        return table == null ? new NeighborhoodBuilder(g, config, threads) : new NeighborhoodBuilder(table, config, threads);
    }

    private static void checkSameStoreWithAnyThreadCount(HeapBipartiteGraph g, WalkTable table, NeighborhoodConfig config,
                                                         Path root, String context) throws IOException {
        AtomicLong last = new AtomicLong(-1);
        builder(g, table, config, 3).buildAll(root.resolve("a"), (done, total) -> {
            assertTrue(done >= last.get() && done <= total, "progress must grow up to the total");
            last.set(done);
        });
        assertEquals(300, last.get());
        builder(g, table, config, 1).buildAll(root.resolve("b"), NeighborhoodBuilder.Progress.NONE);
        ImportanceNeighborhoods direct = table == null ? new ImportanceNeighborhoods(g, config)
                : new ImportanceNeighborhoods(table, config);
        try (NeighborhoodStore a = NeighborhoodStore.open(root.resolve("a"), true);
             NeighborhoodStore b = NeighborhoodStore.open(root.resolve("b"), true)) {
            int[] ids = new int[10];
            float[] w = new float[10];
            int[] ia = new int[10];
            float[] wa = new float[10];
            int[] ib = new int[10];
            float[] wb = new float[10];
            for (int u = 0; u < 300; u++) {
                int n = direct.compute(u, ids, w);
                String msg = context + " node=" + u;
                assertEquals(n, a.read(u, ia, wa, 0), msg);
                assertEquals(n, b.read(u, ib, wb, 0), msg);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOf(ia, n), msg);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOf(ib, n), msg);
                assertArrayEquals(Arrays.copyOf(w, n), Arrays.copyOf(wa, n), msg);
                float sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += wa[i];
                    assertNotEquals(u, ia[i], msg + ": a node is not its own neighbour");
                }
                assertEquals(n == 0 ? 0 : 1, sum, 1e-5, msg);
            }
        }
    }

    @Test
    void shouldRecomputeOnlyTheGivenNodes() throws IOException {
        long seed = new Random().nextLong();
        HeapBipartiteGraph before = TestGraphs.connected(new Random(seed), 100, 30, 300, false);
        HeapBipartiteGraph after = TestGraphs.connected(new Random(seed + 1), 100, 30, 300, false);
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(8).withStepsPerNode(200).withSeed(seed);
        new NeighborhoodBuilder(before, config, 2).buildAll(root, NeighborhoodBuilder.Progress.NONE);
        int[] changed = {3, 50, 99, 3};
        new NeighborhoodBuilder(after, config, 2).update(root, changed, NeighborhoodBuilder.Progress.NONE);
        ImportanceNeighborhoods old = new ImportanceNeighborhoods(before, config);
        ImportanceNeighborhoods fresh = new ImportanceNeighborhoods(after, config);
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            int[] ids = new int[8];
            float[] w = new float[8];
            int[] got = new int[8];
            float[] gw = new float[8];
            for (int u = 0; u < 100; u++) {
                boolean updated = u == 3 || u == 50 || u == 99;
                int n = (updated ? fresh : old).compute(u, ids, w);
                assertEquals(n, s.read(u, got, gw, 0), "seed=" + seed + " node=" + u);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOf(got, n), "seed=" + seed + " node=" + u);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NeighborhoodBuilder(after, config.withTopT(9), 1).update(root, new int[] {1}, NeighborhoodBuilder.Progress.NONE));
        assertTrue(e.getMessage().contains("width=8"), e.getMessage());
    }
}
