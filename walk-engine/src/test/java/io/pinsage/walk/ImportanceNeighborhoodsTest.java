package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

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

    @Test
    void aNewNodeWalkedFromItsNeighboursShouldGetTheRowOfANodeWithTheSameEdges() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 15, 6, 40, false);
        int node = 0;
        int degree = g.degree(Side.LEFT, node);
        int[] boards = new int[degree];
        float[] ones = new float[degree];
        for (int i = 0; i < degree; i++) {
            boards[i] = g.neighbor(Side.LEFT, node, i);
            ones[i] = 1f;
        }
        NeighborhoodConfig config = new NeighborhoodConfig(Side.LEFT, 15, 1_000_000, 0.5, 32, seed);
        ImportanceNeighborhoods engine = new ImportanceNeighborhoods(g, config);
        int[] ids = new int[15];
        float[] w = new float[15];
        double[] existing = new double[15];
        for (int i = 0, n = engine.compute(node, ids, w); i < n; i++) {
            existing[ids[i]] = w[i];
        }
        // the node's own visits are left out of its row but counted from its neighbours: compare the others' shares
        double[] fresh = new double[15];
        double others = 0;
        for (int i = 0, n = engine.computeForNewNode(boards, ones, degree, seed, ids, w); i < n; i++) {
            if (ids[i] != node) {
                fresh[ids[i]] = w[i];
                others += w[i];
            }
        }
        for (int v = 0; v < 15; v++) {
            assertEquals(existing[v], fresh[v] / others, 0.01, "seed=" + seed + " pin " + v);
        }
        assertThrows(IllegalArgumentException.class, () -> engine.computeForNewNode(new int[] {6}, ones, 1, seed, ids, w));
        assertThrows(IllegalArgumentException.class,
                () -> engine.computeForNewNode(boards, new float[degree], degree, seed, ids, w));
    }

    @Test
    void aNewNodeSavedWithAPinShouldGetTheRowOfANodeOnThatPinsBoards() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 15, 6, 40, false);
        int pin = 3;
        int degree = g.degree(Side.LEFT, pin);
        int[] boards = new int[degree];
        float[] ones = new float[degree];
        for (int i = 0; i < degree; i++) {
            boards[i] = g.neighbor(Side.LEFT, pin, i);
            ones[i] = 1f;
        }
        ImportanceNeighborhoods engine = new ImportanceNeighborhoods(g, new NeighborhoodConfig(Side.LEFT, 15, 1_000_000, 0.5, 32, seed));
        int[] ids = new int[15];
        float[] w = new float[15];
        double[] onBoards = new double[15];
        for (int i = 0, n = engine.computeForNewNode(boards, ones, degree, seed, ids, w); i < n; i++) {
            onBoards[ids[i]] = w[i];
        }
        double[] savedWith = new double[15];
        int n = engine.computeForNewNode(new int[0], new float[0], 0, new int[] {pin}, new float[] {2f}, 1, seed, ids, w);
        for (int i = 0; i < n; i++) {
            savedWith[ids[i]] = w[i];
        }
        for (int v = 0; v < 15; v++) {
            assertEquals(onBoards[v], savedWith[v], 0.01, "seed=" + seed + " pin " + v);
        }
        // boards and pins together: the walks split by weight, so the row is the weighted mean of the two rows
        int board = g.neighbor(Side.LEFT, 9, 0);
        double[] fromBoard = new double[15];
        for (int i = 0, m = engine.computeForNewNode(new int[] {board}, new float[] {1f}, 1, seed, ids, w); i < m; i++) {
            fromBoard[ids[i]] = w[i];
        }
        double[] both = new double[15];
        for (int i = 0, m = engine.computeForNewNode(new int[] {board}, new float[] {1f}, 1, new int[] {pin}, new float[] {3f}, 1,
                seed, ids, w); i < m; i++) {
            both[ids[i]] = w[i];
        }
        for (int v = 0; v < 15; v++) {
            assertEquals(0.25 * fromBoard[v] + 0.75 * savedWith[v], both[v], 0.01, "seed=" + seed + " pin " + v);
        }
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> engine.computeForNewNode(
                boards, ones, degree, new int[] {pin, 15}, new float[] {1f, 1f}, 2, seed, ids, w));
        assertTrue(outside.getMessage().startsWith("sameSide[1]=15"), outside.getMessage());
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class, () -> engine.computeForNewNode(
                boards, ones, degree, new int[] {pin}, new float[] {Float.NaN}, 1, seed, ids, w));
        assertTrue(weight.getMessage().startsWith("sameWeights[0]=NaN"), weight.getMessage());
    }

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
    void shouldComputeTheSameRowsWithAnyThreadCountAndReportProgress() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 300, 80, 1200, false);
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(10).withStepsPerNode(300).withSeed(seed);
        WalkTable table = WalkTable.of(g);
        for (boolean overTable : new boolean[] {false, true}) {
            checkSameRowsWithAnyThreadCount(g, overTable ? table : null, config, "seed=" + seed + " table=" + overTable);
        }
    }

    private static NeighborhoodBuilder builder(HeapBipartiteGraph g, WalkTable table, NeighborhoodConfig config, int threads) {
        return table == null ? new NeighborhoodBuilder(g, config, threads) : new NeighborhoodBuilder(table, config, threads);
    }

    private static void checkSameRowsWithAnyThreadCount(HeapBipartiteGraph g, WalkTable table, NeighborhoodConfig config,
                                                        String context) {
        AtomicLong last = new AtomicLong(-1);
        HeapRows a = new HeapRows(300, 10);
        builder(g, table, config, 3).compute(null, 300, a, (done, total) -> {
            assertTrue(done >= last.get() && done <= total, "progress must grow up to the total");
            last.set(done);
        });
        assertEquals(300, last.get());
        HeapRows b = new HeapRows(300, 10);
        builder(g, table, config, 1).compute(null, 300, b, NeighborhoodBuilder.Progress.NONE);
        ImportanceNeighborhoods direct = table == null ? new ImportanceNeighborhoods(g, config)
                : new ImportanceNeighborhoods(table, config);
        int[] ids = new int[10];
        float[] w = new float[10];
        for (int u = 0; u < 300; u++) {
            int n = direct.compute(u, ids, w);
            String msg = context + " node=" + u;
            for (HeapRows rows : new HeapRows[] {a, b}) {
                assertEquals(n, rows.count[u], msg);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOfRange(rows.ids, u * 10, u * 10 + n), msg);
                assertArrayEquals(Arrays.copyOf(w, n), Arrays.copyOfRange(rows.weights, u * 10, u * 10 + n), msg);
            }
            float sum = 0;
            for (int i = 0; i < n; i++) {
                sum += a.weights[u * 10 + i];
                assertNotEquals(u, a.ids[u * 10 + i], msg + ": a node is not its own neighbour");
            }
            assertEquals(n == 0 ? 0 : 1, sum, 1e-5, msg);
        }
    }

    /** Rows of {@code width} slots per node on the heap; a node's row is written by one worker only. */
    private static final class HeapRows implements NeighborhoodBuilder.RowSink {
        final int[] count;
        final int[] ids;
        final float[] weights;
        private final int width;

        HeapRows(int nodes, int width) {
            this.width = width;
            this.count = new int[nodes];
            this.ids = new int[nodes * width];
            this.weights = new float[nodes * width];
        }

        @Override
        public void accept(int node, int[] ids, float[] weights, int count) {
            this.count[node] = count;
            System.arraycopy(ids, 0, this.ids, node * width, count);
            System.arraycopy(weights, 0, this.weights, node * width, count);
        }
    }
}
