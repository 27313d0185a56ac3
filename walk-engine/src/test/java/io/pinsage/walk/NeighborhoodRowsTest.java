package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows of every kind, one node at a time and through the builder's workers. */
class NeighborhoodRowsTest {

    private static NeighborhoodConfig config(Side side, NeighborhoodKind kind, int t, long seed) {
        return new NeighborhoodConfig(side, t, 300, 0.5, 8, seed, kind);
    }

    private static Set<Integer> ownNeighbors(HeapBipartiteGraph g, Side side, int node) {
        Set<Integer> own = new HashSet<>();
        long first = g.firstEdge(side, node);
        for (int i = 0; i < g.degree(side, node); i++) {
            own.add(g.neighborAt(side, first + i));
        }
        return own;
    }

    /** All of a node's own neighbours when it has at most T, else T distinct ones; equal weights; seeded. */
    @Test
    void shouldListANodesOwnNeighboursOnTheOtherSide() {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 12, 300, false);
        int t = 4;
        for (Side side : Side.values()) {
            NeighborhoodRows rows = new NeighborhoodRows(g, config(side, NeighborhoodKind.ADJACENT, t, seed));
            NeighborhoodRows other = new NeighborhoodRows(g, config(side, NeighborhoodKind.ADJACENT, t, seed + 1));
            assertEquals(side.opposite(), rows.config().neighborSide());
            int[] ids = new int[t];
            float[] w = new float[t];
            int[] again = new int[t];
            boolean differs = false;
            for (int u = 0; u < g.nodeCount(side); u++) {
                String tag = TestSeed.tag(seed) + side + " node " + u;
                int d = g.degree(side, u);
                int n = rows.compute(u, ids, w);
                assertEquals(Math.min(d, t), n, tag);
                Set<Integer> own = ownNeighbors(g, side, u);
                Set<Integer> drawn = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    assertTrue(own.contains(ids[i]), tag + " lists " + ids[i]);
                    assertEquals(1f / n, w[i], tag);
                    drawn.add(ids[i]);
                }
                if (own.size() == d) {
                    assertEquals(n, drawn.size(), tag + ": no edge drawn twice " + Arrays.toString(ids));
                }
                assertEquals(n, rows.compute(u, again, w), tag);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOf(again, n), tag + ": the same row again");
                if (d > t) {
                    other.compute(u, again, w);
                    differs |= !Arrays.equals(Arrays.copyOf(ids, n), Arrays.copyOf(again, n));
                }
            }
            assertTrue(differs, TestSeed.tag(seed) + side + ": another seed draws other rows");
        }
    }

    @Test
    void shouldComputeTheSameRowsAsTheSamplersThemselves() {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 50, 15, 200, false);
        NeighborhoodRows walks = new NeighborhoodRows(g, config(Side.RIGHT, NeighborhoodKind.WALK, 5, seed));
        NeighborhoodRows uniform = new NeighborhoodRows(g, config(Side.RIGHT, NeighborhoodKind.UNIFORM, 5, seed));
        ImportanceNeighborhoods direct = new ImportanceNeighborhoods(g, config(Side.RIGHT, NeighborhoodKind.WALK, 5, seed));
        UniformNeighborSampler sampler = new UniformNeighborSampler(g);
        int[] a = new int[5];
        int[] b = new int[5];
        float[] aw = new float[5];
        float[] bw = new float[5];
        for (int u = 0; u < 15; u++) {
            String tag = TestSeed.tag(seed) + "node " + u;
            int n = walks.compute(u, a, aw);
            assertEquals(n, direct.compute(u, b, bw), tag);
            assertArrayEquals(Arrays.copyOf(b, n), Arrays.copyOf(a, n), tag);
            assertArrayEquals(Arrays.copyOf(bw, n), Arrays.copyOf(aw, n), tag);
            n = uniform.compute(u, a, aw);
            sampler.reseed(NeighborhoodConfig.nodeSeed(seed, u));
            assertEquals(n, sampler.sampleSameSide(Side.RIGHT, u, 5, 300, b, bw), tag);
            assertArrayEquals(Arrays.copyOf(b, n), Arrays.copyOf(a, n), tag);
            assertArrayEquals(Arrays.copyOf(bw, n), Arrays.copyOf(aw, n), tag);
        }
        assertThrows(IllegalArgumentException.class, () -> new ImportanceNeighborhoods(g,
                config(Side.LEFT, NeighborhoodKind.UNIFORM, 5, seed)));
    }

    /** The builder's workers hand the sink the rows one instance computes, whatever the thread count. */
    @Test
    void shouldBuildEveryKindOfRowWhateverTheThreads() {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 70, 20, 300, false);
        for (NeighborhoodKind kind : NeighborhoodKind.values()) {
            NeighborhoodConfig c = config(Side.LEFT, kind, 3, seed);
            int[][] one = rows(g, c, 1);
            int[][] three = rows(g, c, 3);
            NeighborhoodRows direct = new NeighborhoodRows(g, c);
            int[] ids = new int[3];
            float[] w = new float[3];
            for (int u = 0; u < 70; u++) {
                String tag = TestSeed.tag(seed) + kind + " node " + u;
                int n = direct.compute(u, ids, w);
                assertArrayEquals(Arrays.copyOf(ids, n), one[u], tag);
                assertArrayEquals(one[u], three[u], tag);
            }
        }
        assertNotEquals(NeighborhoodKind.WALK.neighborSide(Side.LEFT), NeighborhoodKind.ADJACENT.neighborSide(Side.LEFT));
    }

    private static int[][] rows(HeapBipartiteGraph g, NeighborhoodConfig c, int threads) {
        int[][] out = new int[g.nodeCount(c.side())][];
        new NeighborhoodBuilder(g, c, threads).compute(null, out.length, (node, ids, w, n) -> out[node] = Arrays.copyOf(ids, n),
                NeighborhoodBuilder.Progress.NONE);
        return out;
    }
}
