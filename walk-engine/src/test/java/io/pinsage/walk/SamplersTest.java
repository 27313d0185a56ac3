package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplersTest {

    @Test
    void shouldDrawDistinctHardNegativesFromTheRankBand() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 400, 60, 1500, false);
        HardNegativeSampler sampler = new HardNegativeSampler(g, Side.LEFT, 20, 60, 100_000, 0.5);
        int band = sampler.rank(7, seed);
        assertEquals(40, band, "seed=" + seed + ": 100,000 steps reach far more than 60 of 400 pins");
        Set<Integer> bandNodes = new HashSet<>();
        for (int r = 20; r < 60; r++) {
            bandNodes.add(sampler.rankedNode(r));
        }
        int[] out = new int[25];
        int n = sampler.sample(7, 25, seed, out);
        assertEquals(25, n, "seed=" + seed);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            assertTrue(bandNodes.contains(out[i]), "seed=" + seed + ": " + out[i] + " is outside ranks 20..59");
            assertTrue(seen.add(out[i]), "seed=" + seed + ": " + out[i] + " drawn twice");
        }
        assertEquals(40, sampler.sample(7, 100, seed, new int[100]), "seed=" + seed + ": the whole band at most");
    }

    @Test
    void shouldCutTheSameBandAsAFullRankingOfTheSameWalk() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 400, 60, 1500, false);
        HardNegativeSampler sampler = new HardNegativeSampler(g, Side.LEFT, 20, 60, 3_000, 0.5);
        int band = sampler.rank(7, seed);
        // The same walk, every visited node ranked by a full selection: count first, then the smaller id.
        RandomWalker walker = new RandomWalker(g, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        walker.random().reseed(NeighborhoodConfig.nodeSeed(seed, 7));
        VisitMap visits = new VisitMap(16);
        walker.walk(Side.LEFT, 7, 3_000, 0.5, visits, null, 0, 0);
        int[] ids = new int[60];
        int found = new TopSelector().select(visits, 60, id -> id != 7, ids, new float[60]);
        checkBand(sampler, band, ids, found, "seed=" + seed);
    }

    /**
     * Checks that the sampler's ranks [0, 20) and [20, found) hold the same nodes as {@code ids}, a full ranking of
     * the same walk, and returns the band's nodes.
     */
    private static Set<Integer> checkBand(HardNegativeSampler sampler, int band, int[] ids, int found, String msg) {
        assertEquals(found - 20, band, msg);
        Set<Integer> above = new HashSet<>();
        Set<Integer> inBand = new HashSet<>();
        for (int r = 0; r < found; r++) {
            (r < 20 ? above : inBand).add(sampler.rankedNode(r));
        }
        for (int r = 0; r < found; r++) {
            assertTrue((r < 20 ? above : inBand).contains(ids[r]), msg + " rank " + r + ": node " + ids[r]);
        }
        return inBand;
    }

    @Test
    void shouldCutTheBandOfATableWalkAndDrawIdsFromIt() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 400, 60, 1500, false);
        WalkTable table = WalkTable.of(g);
        HardNegativeSampler sampler = new HardNegativeSampler(table, Side.LEFT, 20, 60, 3_000, 0.5);
        int band = sampler.rank(7, seed);
        // The same table walk, ranked in full by key (keys order as ids do), then turned into ids.
        TableWalker walker = new TableWalker(table, 256);
        walker.random().reseed(NeighborhoodConfig.nodeSeed(seed, 7));
        VisitMap visits = new VisitMap(16);
        walker.walk(Side.LEFT, 7, 3_000, 0.5, visits, null, 0, 0);
        int selfKey = table.key(Side.LEFT, 7);
        int[] keys = new int[60];
        int found = new TopSelector().select(visits, 60, key -> key != selfKey, keys, new float[60]);
        int[] ids = new int[found];
        for (int r = 0; r < found; r++) {
            ids[r] = table.node(Side.LEFT, keys[r]);
        }
        Set<Integer> inBand = checkBand(sampler, band, ids, found, "seed=" + seed);
        int[] out = new int[25];
        int n = sampler.sample(7, 25, seed, out);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            assertTrue(inBand.contains(out[i]), "seed=" + seed + ": " + out[i] + " is outside the band");
            assertTrue(seen.add(out[i]), "seed=" + seed + ": " + out[i] + " drawn twice");
            assertTrue(out[i] != 7, "seed=" + seed + ": the query itself");
        }
        assertEquals(Math.min(25, band), n, "seed=" + seed);
    }

    /**
     * Items for a user (walks user → item → user …): the band ranks the items the walks pass, as a full ranking of
     * the same walk's item visits does, and never holds one of the user's own items, over the graph and over a table.
     */
    @Test
    void shouldRankTheItemsAUsersWalksPassLeavingOutItsOwnItems() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 400, 60, 1500, false);
        WalkTable table = WalkTable.of(g);
        HardNegativeSampler overGraph = new HardNegativeSampler(g, Side.RIGHT, Side.LEFT, 20, 60, 3_000, 0.5);
        HardNegativeSampler overTable = new HardNegativeSampler(table, Side.RIGHT, Side.LEFT, 20, 60, 3_000, 0.5);
        for (int user = 0; user < 60; user += 7) {
            String msg = "seed=" + seed + " user=" + user;
            Set<Integer> own = new HashSet<>();
            for (long e = g.firstEdge(Side.RIGHT, user); e < g.firstEdge(Side.RIGHT, user) + g.degree(Side.RIGHT, user); e++) {
                own.add(g.neighborAt(Side.RIGHT, e));
            }
            int band = overGraph.rank(user, seed);
            RandomWalker walker = new RandomWalker(g, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
            walker.random().reseed(NeighborhoodConfig.nodeSeed(seed, user));
            VisitMap items = new VisitMap(16);
            walker.walk(Side.RIGHT, user, 3_000, 0.5, new VisitMap(16), items, 0, 0);
            int[] ids = new int[60];
            int found = new TopSelector().select(items, 60, item -> !own.contains(item), ids, new float[60]);
            assertTrue(found > 20, msg + ": 3,000 steps pass more than 20 other items, " + found);
            checkBand(overGraph, band, ids, found, msg + " over the graph");

            int tableBand = overTable.rank(user, seed);
            assertTrue(tableBand > 0, msg + " over the table");
            for (int r = 0; r < 20 + tableBand; r++) {
                int item = overTable.rankedNode(r);
                assertTrue(item >= 0 && item < 400 && !own.contains(item), msg + " over the table, rank " + r + ": " + item);
            }
            int[] out = new int[25];
            int n = overTable.sample(user, 25, seed, out);
            for (int i = 0; i < n; i++) {
                assertTrue(!own.contains(out[i]), msg + ": drew its own item " + out[i]);
            }
        }
    }

    @Test
    void shouldSelectTheLargestKeysInAnyOrder() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            long[] a = rnd.longs(n).distinct().toArray();
            if (trial % 3 == 0) {
                java.util.Arrays.sort(a); // sorted and reversed inputs too
            } else if (trial % 3 == 1) {
                a = java.util.stream.LongStream.of(a).boxed().sorted(java.util.Comparator.reverseOrder())
                        .mapToLong(Long::longValue).toArray();
            }
            int k = rnd.nextInt(a.length + 1);
            long[] expected = a.clone();
            java.util.Arrays.sort(expected);
            HardNegativeSampler.selectLargest(a, a.length, k);
            long[] top = java.util.Arrays.copyOf(a, k);
            java.util.Arrays.sort(top);
            assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(expected, a.length - k, a.length), top),
                    "seed=" + seed + " trial=" + trial + " n=" + a.length + " k=" + k);
        }
        assertTrue(HardNegativeSampler.key(3f, 5) > HardNegativeSampler.key(3f, 6), "ties go to the smaller id");
        assertTrue(HardNegativeSampler.key(4f, 900) > HardNegativeSampler.key(3f, 0), "counts come first");
    }

    @Test
    void shouldReturnNoHardNegativesWhenTheBandIsEmpty() {
        HeapBipartiteGraph g = TestGraphs.connected(new Random(3), 30, 5, 40, false);
        HardNegativeSampler sampler = HardNegativeSampler.pinSage(g, Side.LEFT);
        assertEquals(0, sampler.sample(0, 10, 1, new int[10]));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(30, 1, 1, new int[1]));
        assertThrows(IllegalArgumentException.class, () -> new HardNegativeSampler(g, Side.LEFT, 10, 10, 100, 0.5));
    }

    @Test
    void shouldSampleKHopTreesAlongEdges() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = HeapBipartiteGraph.of(5, 3, new int[] {0, 0, 1, 2, 3}, new int[] {0, 1, 1, 2, 2}, null);
        UniformNeighborSampler s = new UniformNeighborSampler(g);
        s.reseed(seed);
        int[] roots = {0, 4, 3};
        int[][] hops = {new int[3], new int[6], new int[18]};
        s.sampleHops(Side.LEFT, roots, new int[] {2, 3}, hops);
        for (int i = 0; i < 6; i++) {
            int parent = hops[0][i / 2];
            int child = hops[1][i];
            assertTrue(parent == 4 ? child == UniformNeighborSampler.NONE : isEdge(g, Side.LEFT, parent, child),
                    "seed=" + seed + " hop 1 entry " + i);
        }
        for (int i = 0; i < 18; i++) {
            int parent = hops[1][i / 3];
            int child = hops[2][i];
            assertTrue(parent == UniformNeighborSampler.NONE ? child == UniformNeighborSampler.NONE
                    : isEdge(g, Side.RIGHT, parent, child), "seed=" + seed + " hop 2 entry " + i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> s.sampleHops(Side.LEFT, roots, new int[] {2, 3}, new int[][] {new int[3], new int[5], new int[15]}));
        assertThrows(IllegalArgumentException.class,
                () -> s.sampleHops(Side.LEFT, new int[] {5}, new int[] {1}, new int[][] {new int[1], new int[1]}));
    }

    @Test
    void shouldSampleSameSideNeighborhoodsWithUnitWeight() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 50, 10, 100, false);
        UniformNeighborSampler s = new UniformNeighborSampler(g);
        s.reseed(seed);
        int[] ids = new int[10];
        float[] w = new float[10];
        int n = s.sampleSameSide(Side.LEFT, 4, 10, 500, ids, w);
        assertTrue(n > 0 && n <= 10, "seed=" + seed);
        float sum = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(ids[i] != 4, "seed=" + seed);
            sum += w[i];
        }
        assertEquals(1f, sum, 1e-5, "seed=" + seed);
    }

    private static boolean isEdge(HeapBipartiteGraph g, Side side, int u, int v) {
        for (int i = 0; i < g.degree(side, u); i++) {
            if (g.neighbor(side, u, i) == v) {
                return true;
            }
        }
        return false;
    }
}
