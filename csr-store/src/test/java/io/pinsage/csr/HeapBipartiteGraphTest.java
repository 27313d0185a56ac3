package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapBipartiteGraphTest {

    @Test
    void shouldMatchAdjacencyListsInBothDirections() {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int nl = 1 + rnd.nextInt(50), nr = 1 + rnd.nextInt(50), e = rnd.nextInt(500);
        int[] l = new int[e], r = new int[e];
        float[] w = new float[e];
        List<List<Integer>> byLeft = new ArrayList<>(), byRight = new ArrayList<>();
        for (int i = 0; i < nl; i++) byLeft.add(new ArrayList<>());
        for (int i = 0; i < nr; i++) byRight.add(new ArrayList<>());
        for (int i = 0; i < e; i++) {
            l[i] = rnd.nextInt(nl);
            r[i] = rnd.nextInt(nr);
            w[i] = l[i] * 1000 + r[i] + 1; // weight encodes the edge, so alignment is checkable
            byLeft.get(l[i]).add(r[i]);
            byRight.get(r[i]).add(l[i]);
        }
        HeapBipartiteGraph g = HeapBipartiteGraph.of(nl, nr, l, r, w);
        String msg = TestSeed.tag(seed);
        assertEquals(e, g.edgeCount(), msg);
        for (int u = 0; u < nl; u++) {
            List<Integer> expected = byLeft.get(u);
            expected.sort(null);
            assertEquals(expected.size(), g.degree(Side.LEFT, u), msg);
            assertTrue(g.maxDegree(Side.LEFT) >= expected.size(), msg);
            for (int i = 0; i < expected.size(); i++) {
                int v = g.neighbor(Side.LEFT, u, i);
                assertEquals(expected.get(i), v, msg);
                assertEquals(u * 1000 + v + 1, g.weightAt(Side.LEFT, g.firstEdge(Side.LEFT, u) + i), msg);
            }
        }
        for (int v = 0; v < nr; v++) {
            List<Integer> expected = byRight.get(v);
            expected.sort(null);
            int[] got = new int[expected.size()];
            assertEquals(expected.size(), g.copyNeighbors(Side.RIGHT, v, got, 0), msg);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected.get(i), got[i], msg);
                assertEquals(got[i] * 1000 + v + 1, g.weightAt(Side.RIGHT, g.firstEdge(Side.RIGHT, v) + i), msg);
            }
        }
    }

    @Test
    void shouldRefuseNodeCountsBeyondTheHeapBeforeAllocating() {
        // one edge whose item id is two billion: about 32 GiB of offsets, more than any test heap
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeapBipartiteGraph.of(2_000_000_001, 1, new int[] {2_000_000_000}, new int[] {0}, null));
        assertTrue(e.getMessage().startsWith("leftCount=2000000001 rightCount=1 edges=1: needs about 29.8 GiB of heap"),
                e.getMessage());
        assertTrue(e.getMessage().contains("ids must be dense"), e.getMessage());
    }

    @Test
    void shouldRejectOutOfRangeIdsAndBadWeights() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> HeapBipartiteGraph.of(2, 2, new int[] {0, 2}, new int[] {1, 1}, null));
        assertTrue(range.getMessage().contains("edge 1"), range.getMessage());
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> HeapBipartiteGraph.of(2, 2, new int[] {0}, new int[] {1}, new float[] {0f}));
        assertTrue(weight.getMessage().contains("weight=0.0"), weight.getMessage());
    }
}
