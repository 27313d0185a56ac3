package io.pinsage.csr.live;

import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flat recent-edge table read while its writer grows it: the table, the lists' ranges and the arena's pages. */
class RecentAdjacencyTest {

    private static final int EDGES = 300_000;
    private static final int BASE = 50_000;

    /**
     * One writer appends edges to a few hot nodes (lists longer than a page of the arena, moved and extended many
     * times) and to many cold ones (the table grows from 64 slots to 2^18), publishing a count after each; readers
     * take that count as their view's cut-off and check, for random nodes, that the degree below it and every
     * entry below that degree are exactly the edges written, never a torn or missing one. Bounded by the edge count.
     */
    @Test
    void shouldShowEveryEdgeBelowTheCutOffWhileTheTableListsAndArenaGrow() throws Exception {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        Random rnd = new Random(seed);
        int[] node = new int[EDGES];
        int nodes = BASE + 20_000;
        int[] degree = new int[nodes];
        for (int p = 0; p < EDGES; p++) {
            int r = rnd.nextInt(10);
            node[p] = r < 2 ? rnd.nextInt(2) : r == 2 ? BASE + rnd.nextInt(20_000) : rnd.nextInt(BASE);
            degree[node[p]]++;
        }
        int[][] positions = new int[nodes][];
        for (int u = 0; u < nodes; u++) {
            positions[u] = new int[degree[u]];
            degree[u] = 0;
        }
        for (int p = 0; p < EDGES; p++) {
            positions[node[p]][degree[node[p]]++] = p;
        }
        assertTrue(degree[0] > RecentAdjacency.PAGE, tag + "a hot list must span pages of the arena");

        RecentAdjacency adj = new RecentAdjacency(BASE);
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int p = 0; p < EDGES && failure.get() == null; p++) {
                    adj.append(node[p], p, neighbor(p), weight(p));
                    published.set(p + 1); // the graph's published count: every write above before it
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> readers = new ArrayList<>();
        long[] checked = new long[3];
        for (int r = 0; r < 3; r++) {
            int reader = r;
            readers.add(new Thread(() -> {
                Random rr = new Random(seed + 1 + reader);
                try {
                    int visible;
                    do {
                        visible = published.get();
                        for (int k = 0; k < 50; k++) {
                            int u = rr.nextInt(8) == 0 ? rr.nextInt(2) : rr.nextInt(nodes);
                            check(adj, u, visible, positions[u], rr, tag);
                            checked[reader]++;
                        }
                    } while (visible < EDGES && failure.get() == null);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        WriterAndReaders.run(writer, readers, failure, tag);
        for (long c : checked) {
            assertTrue(c > 0, tag + "a reader checked nothing");
        }
        int withEdges = 0;
        for (int u = 0; u < nodes; u++) {
            check(adj, u, EDGES, positions[u], rnd, tag);
            withEdges += positions[u].length > 0 ? 1 : 0;
            if (u < BASE) {
                assertEquals(positions[u].length > 0, adj.baseHasRecent(u), tag + "base node " + u + "'s bit");
            }
        }
        assertEquals(withEdges, adj.nodes(), tag + "nodes with recent edges");
        // the memory bound the live graph states: fewer than 4 arena entries per edge (12 bytes each)
        assertTrue(adj.arenaEntries() < 4L * EDGES, tag + adj.arenaEntries() + " arena entries for " + EDGES + " edges");
    }

    /** The node's degree below {@code visible} is its positions below it, and its entries (a sample of a long list) match. */
    private static void check(RecentAdjacency adj, int u, int visible, int[] positions, Random rnd, String tag) {
        int expected = 0;
        while (expected < positions.length && positions[expected] < visible) {
            expected++;
        }
        int d = adj.degree(u, visible);
        assertEquals(expected, d, tag + "node " + u + "'s degree below " + visible);
        long list = adj.list(u);
        assertTrue(d == 0 || list >= 0, tag + "node " + u + " has edges but no list");
        for (int k = 0; k < Math.min(d, 64); k++) {
            int i = d <= 64 ? k : rnd.nextInt(d);
            int p = positions[i];
            if (adj.neighbor(list, i) != neighbor(p) || adj.weight(list, i) != weight(p)) {
                throw new AssertionError(tag + "node " + u + "'s entry " + i + " (position " + p + ") reads ("
                        + adj.neighbor(list, i) + ", " + adj.weight(list, i) + "), written (" + neighbor(p) + ", "
                        + weight(p) + ")");
            }
        }
    }

    private static int neighbor(int position) {
        return position * 7 + 1;
    }

    private static float weight(int position) {
        return 1 + (position & 1023);
    }
}
