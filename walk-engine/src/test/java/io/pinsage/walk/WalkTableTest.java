package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalkTableTest {

    @Test
    void shouldHoldTheNeighboursStateInEverySlot() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = RandomGraphs.connected(new Random(seed), 50, 20, 300, false);
        WalkTable t = WalkTable.of(g);
        for (Side side : Side.values()) {
            long[] slots = t.slots(side);
            assertEquals(g.edgeCount(), slots.length);
            for (int e = 0; e < slots.length; e++) {
                int v = g.neighborAt(side, e);
                long state = slots[e];
                String msg = "seed=" + seed + " side=" + side + " edge=" + e;
                assertEquals(g.firstEdge(side.opposite(), v), WalkTable.key(state), msg);
                assertEquals(g.degree(side.opposite(), v), WalkTable.degree(state), msg);
                assertEquals(state, t.state(side.opposite(), v), msg);
            }
        }
        assertEquals(16 * g.edgeCount(), t.bytes());
    }

    @Test
    void shouldTurnKeysBackIntoIdsInTheSameOrder() {
        // Nodes 1 and 4 on the left and 0 on the right have no edges: they share a key with the next node.
        HeapBipartiteGraph g = HeapBipartiteGraph.of(6, 3, new int[] {0, 0, 2, 3, 3, 5, 5}, new int[] {1, 2, 1, 2, 1, 2, 1},
                null);
        WalkTable t = WalkTable.of(g);
        for (Side side : Side.values()) {
            int previous = -1;
            for (int u = 0; u < g.nodeCount(side); u++) {
                if (g.degree(side, u) == 0) {
                    continue;
                }
                int key = t.key(side, u);
                assertTrue(key > previous, "keys increase with ids: side=" + side + " node=" + u);
                assertEquals(u, t.node(side, key), "side=" + side + " key=" + key);
                previous = key;
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.node(Side.LEFT, 1));
        assertTrue(e.getMessage().contains("key=1"), e.getMessage());
    }

    @Test
    void shouldFindEveryKeyOfASkewedGraphAndRejectEveryOtherPosition() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        // Power-law degrees with runs of isolated nodes: interpolation guesses land far off and must fall back.
        int pins = 3000;
        int boards = 40;
        int[] degree = new int[pins];
        int edges = 0;
        for (int u = 0; u < pins; u++) {
            degree[u] = rnd.nextInt(4) == 0 ? 0 : (int) Math.min(500, Math.floor(1 / Math.pow(rnd.nextDouble(), 1.2)));
            edges += degree[u];
        }
        int[] src = new int[edges];
        int[] dst = new int[edges];
        for (int u = 0, e = 0; u < pins; u++) {
            for (int k = 0; k < degree[u]; k++, e++) {
                src[e] = u;
                dst[e] = rnd.nextInt(boards);
            }
        }
        HeapBipartiteGraph g = HeapBipartiteGraph.of(pins, boards, src, dst, null);
        WalkTable t = WalkTable.of(g);
        for (Side side : Side.values()) {
            boolean[] isKey = new boolean[(int) g.edgeCount()];
            for (int u = 0; u < g.nodeCount(side); u++) {
                if (g.degree(side, u) > 0) {
                    isKey[t.key(side, u)] = true;
                    assertEquals(u, t.node(side, t.key(side, u)), "seed=" + seed + " side=" + side + " node=" + u);
                }
            }
            for (int key = 0; key < isKey.length; key++) {
                if (!isKey[key]) {
                    int k = key;
                    assertThrows(IllegalArgumentException.class, () -> t.node(side, k), "seed=" + seed + " key=" + key);
                }
            }
            for (int key : new int[] {-1, (int) g.edgeCount(), Integer.MAX_VALUE}) {
                assertThrows(IllegalArgumentException.class, () -> t.node(side, key), "seed=" + seed + " key=" + key);
            }
        }
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
