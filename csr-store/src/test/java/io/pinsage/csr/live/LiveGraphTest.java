package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live graph's ids, its refusal of bad batches, and its visibility rule under one writer and several readers. */
class LiveGraphTest {

    private static final LiveGraph.Limits LIMITS = new LiveGraph.Limits(5_000_000, 1_000_000);

    @Test
    void shouldGiveNewNodesTheIdsAfterTheBaseAndShowTheirEdgesBesideTheBase() throws IOException {
        HeapBipartiteGraph base = HeapBipartiteGraph.of(3, 2, new int[] {0, 1, 2}, new int[] {0, 1, 1}, null);
        LiveGraph live = LiveGraph.inMemory(base, null, null, LIMITS);
        live.add(new EdgeBatch().add("1", "0", 2f).add("900", "0").add("900", "77", 0.5f));
        LiveView v = live.view();
        assertEquals(4, v.nodeCount(Side.LEFT));
        assertEquals(3, v.nodeCount(Side.RIGHT));
        assertEquals(3, live.find(Side.LEFT, "900"));
        assertEquals(2, live.find(Side.RIGHT, "77"));
        assertEquals("77", live.externalId(Side.RIGHT, 2));
        assertEquals(-1, live.find(Side.LEFT, "901"));
        assertEquals(6, v.edgeCount());
        assertEquals(List.of("1:1.0", "0:2.0"), neighbours(v, Side.LEFT, 1)); // base edge first, then the recent one
        assertEquals(List.of("0:1.0", "2:0.5"), neighbours(v, Side.LEFT, 3));
        assertEquals(List.of("0:1.0", "1:2.0", "3:1.0"), neighbours(v, Side.RIGHT, 0));
        assertEquals(List.of("0:1.0"), neighbours(v, Side.LEFT, 0)); // untouched: the base's own range
        assertTrue(v.firstEdge(Side.LEFT, 0) >= 0 && v.firstEdge(Side.LEFT, 1) < 0);
        assertEquals(3, v.maxDegree(Side.RIGHT));
        assertTrue(v.hasWeights());
    }

    @Test
    void shouldRefuseABatchWithABadEdgeWhole() throws IOException {
        HeapBipartiteGraph base = HeapBipartiteGraph.of(3, 2, new int[] {0, 1, 2}, new int[] {0, 1, 1}, null);
        LiveGraph live = LiveGraph.inMemory(base, null, null, LIMITS);
        BadEdgeException nan = assertThrows(BadEdgeException.class,
                () -> live.add(new EdgeBatch().add("500", "0").add("1", "1", Float.NaN)));
        assertEquals("edge 1: weight NaN must be positive and finite", nan.getMessage());
        assertEquals("edge 0: weight -1.0 must be positive and finite",
                assertThrows(BadEdgeException.class, () -> live.add(new EdgeBatch().add("1", "1", -1f))).getMessage());
        assertEquals("edge 0: weight 0.0 must be positive and finite",
                assertThrows(BadEdgeException.class, () -> live.add(new EdgeBatch().add("1", "1", 0f))).getMessage());
        assertEquals("edge 2: board id 'x7': expected a 64-bit integer",
                assertThrows(BadEdgeException.class,
                        () -> live.add(new EdgeBatch().add("1", "1").add("600", "5").add("1", "x7"))).getMessage());
        assertEquals("edge 0: pin id is empty: expected a 64-bit integer",
                assertThrows(BadEdgeException.class, () -> live.add(new EdgeBatch().add("", "1"))).getMessage());
        LiveView v = live.view();
        assertEquals(0, v.recentEdges());
        assertEquals(3, v.nodeCount(Side.LEFT)); // pins 500 and 600 were never created
        assertEquals(-1, live.find(Side.LEFT, "500"));
        live.add(new EdgeBatch().add("600", "1"));
        assertEquals(3, live.find(Side.LEFT, "600")); // the next id, as if the refused batches never came
    }

    @Test
    void shouldRefuseABatchBeyondItsLimitsWhole() throws IOException {
        HeapBipartiteGraph base = HeapBipartiteGraph.of(3, 2, new int[] {0, 1, 2}, new int[] {0, 1, 1}, null);
        LiveGraph live = LiveGraph.inMemory(base, null, null, new LiveGraph.Limits(3, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> live.add(new EdgeBatch().add("7", "0").add("8", "0")));
        assertTrue(e.getMessage().contains("newNodes=1"), e.getMessage());
        live.add(new EdgeBatch().add("7", "0").add("0", "1"));
        e = assertThrows(IllegalStateException.class, () -> live.add(new EdgeBatch().add("0", "0").add("1", "0")));
        assertTrue(e.getMessage().contains("recentEdges=3"), e.getMessage());
        assertEquals(2, live.view().recentEdges());
    }

    /**
     * One writer adds random batches (new pins and boards among them) while three readers repeatedly take the
     * acknowledged count, refresh a view and check it: every acknowledged edge is there, and the view is one
     * consistent graph (both sides' degrees sum to its edge count, every edge appears from both ends, no id or
     * weight is out of range), however the writer's steps interleave with the reads. Bounded to about 2 seconds.
     */
    @Test
    void shouldShowEveryAcknowledgedEdgeAndNeverATornOneWhileTheWriterAppends() throws Exception {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        Random rnd = new Random(seed);
        HeapBipartiteGraph base = TestGraphs.connected(rnd, 300, 60, 1_500, true);
        LiveGraph live = LiveGraph.inMemory(base, null, null, LIMITS);
        int maxEdges = 400_000;
        int[] expectLeft = new int[maxEdges];
        int[] expectRight = new int[maxEdges];
        float[] expectWeight = new float[maxEdges];
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
        Thread writer = new Thread(() -> {
            Random w = new Random(seed + 1);
            EdgeBatch batch = new EdgeBatch();
            int written = 0;
            try {
                while (System.nanoTime() < deadline && failure.get() == null && written + 64 <= maxEdges) {
                    batch.clear();
                    int n = 1 + w.nextInt(64);
                    for (int i = 0; i < n; i++) {
                        // pins and boards of the base, and new ones whose ids grow with the edges written
                        String pin = String.valueOf(w.nextInt(4) == 0 ? 1_000_000 + w.nextInt(1 + written / 8) : w.nextInt(300));
                        String board = String.valueOf(w.nextInt(4) == 0 ? 2_000_000 + w.nextInt(1 + written / 32) : w.nextInt(60));
                        batch.add(pin, board, 0.5f + w.nextInt(4));
                    }
                    live.add(batch);
                    for (int i = 0; i < n; i++, written++) {
                        expectLeft[written] = live.find(Side.LEFT, batch.pin(i));
                        expectRight[written] = live.find(Side.RIGHT, batch.board(i));
                        expectWeight[written] = batch.weight(i);
                    }
                    acknowledged.set(written); // after the expectations: a reader that sees it sees them
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> readers = new ArrayList<>();
        long[] checks = new long[3];
        for (int r = 0; r < 3; r++) {
            int reader = r;
            readers.add(new Thread(() -> {
                Random rr = new Random(seed + 10 + reader);
                LiveView view = live.view();
                try {
                    while (System.nanoTime() < deadline && failure.get() == null) {
                        long acked = acknowledged.get();
                        view.refresh();
                        assertTrue(view.recentEdges() >= acked, tag + "view shows " + view.recentEdges()
                                + " recent edges, " + acked + " were acknowledged before it was taken");
                        checkConsistent(view, base.edgeCount(), tag);
                        for (int k = 0; k < 20 && acked > 0; k++) {
                            int p = rr.nextInt((int) acked);
                            assertTrue(hasEdge(view, expectLeft[p], expectRight[p], expectWeight[p]),
                                    tag + "acknowledged edge " + p + " (" + expectLeft[p] + ", " + expectRight[p]
                                            + ") missing from a view of " + view.recentEdges() + " recent edges");
                        }
                        checks[reader]++;
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        WriterAndReaders.run(writer, readers, failure, tag);
        assertTrue(acknowledged.get() > 0, tag + "the writer wrote nothing");
        for (long c : checks) {
            assertTrue(c > 0, tag + "a reader checked no view");
        }
        checkConsistent(live.view(), base.edgeCount(), tag);
    }

    /** Degrees sum to the edge count on both sides, ids and weights in range, every left edge seen from its right end. */
    private static void checkConsistent(LiveView v, long baseEdges, String tag) {
        assertEquals(baseEdges + v.recentEdges(), v.edgeCount(), tag);
        for (Side side : Side.values()) {
            long sum = 0;
            int opposite = v.nodeCount(side.opposite());
            for (int u = 0; u < v.nodeCount(side); u++) {
                int d = v.degree(side, u);
                sum += d;
                long first = v.firstEdge(side, u);
                for (int i = 0; i < d; i++) {
                    int x = v.neighborAt(side, first + i);
                    float w = v.weightAt(side, first + i);
                    if (x < 0 || x >= opposite || !(w > 0)) {
                        throw new AssertionError(tag + "torn edge " + i + " of " + side + " node " + u + ": (" + x + ", " + w + ")");
                    }
                }
            }
            assertEquals(v.edgeCount(), sum, tag + side + " degrees must sum to the view's edge count");
        }
    }

    private static boolean hasEdge(BipartiteGraph g, int left, int right, float weight) {
        if (left < 0 || right < 0 || left >= g.nodeCount(Side.LEFT)) {
            return false;
        }
        long first = g.firstEdge(Side.LEFT, left);
        for (int i = 0; i < g.degree(Side.LEFT, left); i++) {
            if (g.neighborAt(Side.LEFT, first + i) == right && g.weightAt(Side.LEFT, first + i) == weight) {
                return true;
            }
        }
        return false;
    }

    private static List<String> neighbours(BipartiteGraph g, Side side, int node) {
        List<String> out = new ArrayList<>();
        long first = g.firstEdge(side, node);
        for (int i = 0; i < g.degree(side, node); i++) {
            out.add(g.neighborAt(side, first + i) + ":" + g.weightAt(side, first + i));
        }
        return out;
    }
}
