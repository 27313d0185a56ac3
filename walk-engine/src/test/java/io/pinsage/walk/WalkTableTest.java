package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalkTableTest {

    @Test
    void shouldHoldTheNeighboursKeyInEverySlot() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 50, 20, 300, false);
        checkLayout(WalkTable.of(g), "seed=" + seed);
        // Narrow enough a graph for one bucket per slot: no padding.
        assertEquals(8 * g.edgeCount(), WalkTable.of(g).slotBytes());
        checkLayout(WalkTable.of(g, 16), "seed=" + seed + " 16 buckets");
    }

    private static void checkAtMostTwoRunsPerBucket(WalkTable.Layout layout, String context) {
        int[] runsMet = new int[layout.bucket.length];
        for (int j = 0; j < layout.runStart.length; j++) {
            long end = j + 1 < layout.runStart.length ? layout.runStart[j + 1] : layout.length;
            // The run's own slots, up to where its last node ends (padding after it belongs to no run).
            long last = layout.runStart[j] + (long) (j + 1 < layout.runRank.length ? layout.runRank[j + 1] : layout.ids.length)
                    * layout.runDegree[j] - (long) layout.runRank[j] * layout.runDegree[j] - 1;
            assertTrue(last < end, context + " run " + j);
            for (long b = layout.runStart[j] >>> layout.shift; b <= last >>> layout.shift; b++) {
                assertTrue(++runsMet[(int) b] <= 2, context + ": bucket " + b + " meets a third run, " + j);
            }
        }
    }

    /**
     * Every slot holds its neighbour's key; ranges follow one another in ascending (degree, id), back to back
     * within a degree, a new degree either right after the last or from the next bucket boundary; a key gives back
     * the node and its degree; nodes without edges have key −1.
     */
    private static void checkLayout(WalkTable t, String context) {
        BipartiteGraph g = t.graph();
        for (Side side : Side.values()) {
            WalkTable.Layout layout = t.layout(side);
            assertTrue(layout.bucket.length <= WalkTable.Layout.MAX_BUCKETS, context);
            checkAtMostTwoRunsPerBucket(layout, context + " side=" + side);
            int[] slots = t.slots(side);
            Integer[] byKey = new Integer[g.nodeCount(side)];
            int withEdges = 0;
            for (int u = 0; u < g.nodeCount(side); u++) {
                int key = t.key(side, u);
                String msg = context + " side=" + side + " node=" + u;
                if (g.degree(side, u) == 0) {
                    assertEquals(-1, key, msg);
                    continue;
                }
                byKey[withEdges++] = u;
                assertEquals(u, t.node(side, key), msg);
                assertEquals(g.degree(side, u), t.degree(side, key), msg);
                for (int i = 0; i < g.degree(side, u); i++) {
                    assertEquals(t.key(side.opposite(), g.neighbor(side, u, i)), slots[key + i], msg + " edge " + i);
                }
            }
            Integer[] nodes = Arrays.copyOf(byKey, withEdges);
            Arrays.sort(nodes, (a, b) -> Integer.compare(t.key(side, a), t.key(side, b)));
            long next = 0;
            long edges = 0;
            int bucket = 1 << layout.shift;
            for (int i = 0; i < nodes.length; i++) {
                int u = nodes[i];
                String msg = context + " side=" + side + " node=" + u;
                boolean newDegree = i == 0 || g.degree(side, nodes[i - 1]) != g.degree(side, u);
                int key = t.key(side, u);
                if (newDegree && key != next) {
                    next = (next + bucket - 1) / bucket * bucket;
                }
                assertEquals(next, key, msg + ": ranges follow one another");
                next += g.degree(side, u);
                edges += g.degree(side, u);
                if (i > 0) {
                    int v = nodes[i - 1];
                    int byDegree = Integer.compare(g.degree(side, v), g.degree(side, u));
                    assertTrue(byDegree < 0 || byDegree == 0 && v < u, msg + ": " + v + " before it breaks (degree, id) order");
                }
            }
            assertEquals(g.edgeCount(), edges, context);
            assertEquals(next, slots.length, context + ": the last range ends the slots");
        }
    }

    @Test
    void shouldFindEveryKeyOfASkewedGraphAndRejectEveryOtherPosition() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        // Pins 0..699 have degrees 1..700, one node per degree, so many runs are narrower than the index's buckets
        // (over 2^16 slots a bucket spans several) and each is padded to the next bucket; the rest are power-law
        // degrees with isolated nodes among them.
        int[] degree = new int[3000];
        for (int u = 0; u < degree.length; u++) {
            degree[u] = u < 700 ? u + 1
                    : rnd.nextInt(4) == 0 ? 0 : (int) Math.min(500, Math.floor(1 / Math.pow(rnd.nextDouble(), 1.2)));
        }
        HeapBipartiteGraph g = RandomGraphs.withPinDegrees(rnd, degree, 40);
        assertTrue(g.edgeCount() > 1 << 17, "the buckets must span several keys");
        WalkTable t = WalkTable.of(g);
        checkLayout(t, "seed=" + seed);
        assertTrue(t.layout(Side.LEFT).shift > 0, "the buckets must span several keys");
        for (Side side : Side.values()) {
            boolean[] isKey = new boolean[t.slots(side).length];
            for (int u = 0; u < g.nodeCount(side); u++) {
                if (g.degree(side, u) > 0) {
                    isKey[t.key(side, u)] = true;
                }
            }
            for (int key = 0; key < isKey.length; key++) {
                if (!isKey[key]) {
                    int k = key;
                    assertThrows(IllegalArgumentException.class, () -> t.node(side, k), "seed=" + seed + " key=" + key);
                }
            }
            for (int key : new int[] {-1, isKey.length, Integer.MAX_VALUE}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.node(side, key),
                        "seed=" + seed + " key=" + key);
                assertTrue(e.getMessage().contains("key=" + key), e.getMessage());
            }
        }
        // However the padding falls, a layout keeps to the bucket limit while its buckets can still widen.
        for (int maxBuckets = 2; maxBuckets <= 64; maxBuckets++) {
            for (Side side : Side.values()) {
                WalkTable.Layout layout = WalkTable.of(g, maxBuckets).layout(side);
                assertTrue(layout.bucket.length <= maxBuckets || layout.shift == 16,
                        "seed=" + seed + " maxBuckets=" + maxBuckets + " side=" + side + ": " + layout.bucket.length
                                + " buckets of 2^" + layout.shift);
            }
        }
    }

    @Test
    void shouldGiveTheDegreeOfEveryKeyInTheWidestBuckets() {
        long seed = new Random().nextLong();
        WalkTable widest = WalkTable.of(RandomGraphs.wideRuns(new Random(seed)), 2);
        WalkTable.Layout pins = widest.layout(Side.LEFT);
        assertEquals(16, pins.shift, "seed=" + seed);
        // Entries at the edges of the 16 low bits: a bucket inside one run (no split: the width less one, 0xFFFF) and
        // a split past the bucket's middle.
        boolean inside = false;
        boolean lateSplit = false;
        for (int entry : pins.bucket) {
            int low = entry & 0xFFFF;
            inside |= low == 0xFFFF;
            lateSplit |= low >= 1 << 15 && low < 0xFFFF;
        }
        assertTrue(inside && lateSplit, "seed=" + seed + ": the graph must give both kinds of entry (inside=" + inside
                + ", late split=" + lateSplit + ")");
        checkLayout(widest, "seed=" + seed + " 2^16-slot buckets");
    }

    @Test
    void shouldBuildATableForASideWithoutEdgesAtAll() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(2, 3, new int[0], new int[0], null);
        WalkTable t = WalkTable.of(g);
        assertEquals(-1, t.key(Side.LEFT, 1));
        assertEquals(-1, t.key(Side.RIGHT, 2));
        assertThrows(IllegalArgumentException.class, () -> t.node(Side.LEFT, 0));
    }

    @Test
    void shouldRejectAGraphBeyondOneArrayPerSide() {
        BipartiteGraph huge = new BipartiteGraph() {
            @Override
            public int nodeCount(Side side) {
                return 1;
            }

            @Override
            public long edgeCount() {
                return 1L << 31;
            }

            @Override
            public int degree(Side side, int node) {
                return Integer.MAX_VALUE;
            }

            @Override
            public long firstEdge(Side side, int node) {
                return 0;
            }

            @Override
            public int neighborAt(Side side, long edge) {
                return 0;
            }

            @Override
            public boolean hasWeights() {
                return false;
            }

            @Override
            public float weightAt(Side side, long edge) {
                return 1;
            }

            @Override
            public int maxDegree(Side side) {
                return Integer.MAX_VALUE;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WalkTable.of(huge));
        assertTrue(e.getMessage().contains("edges=2147483648"), e.getMessage());
    }
}
