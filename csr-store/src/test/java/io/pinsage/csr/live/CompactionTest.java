package io.pinsage.csr.live;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.format.StoreLineage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compaction of a live graph into a new store generation: its contents, the log's cut, leases, readers meanwhile. */
class CompactionTest {

    private static final ThreadFactory THREADS = Thread.ofPlatform().daemon().factory();
    private static final CsrBuildOptions BUILD = CsrBuildOptions.defaults().withThreads(1);
    private static final LiveGraph.Limits LIMITS = new LiveGraph.Limits(5_000_000, 1_000_000);

    @TempDir
    Path dir;

    /** Every pin's external id and the sorted "board:weight" of its edges, through a view of now. */
    static Map<String, List<String>> adjacency(LiveGraph live) {
        LiveView v = live.view();
        try {
            Map<String, List<String>> out = new TreeMap<>();
            List<List<String>> lists = neighbours(v, b -> live.externalId(Side.RIGHT, b));
            for (int u = 0; u < lists.size(); u++) {
                out.put(live.externalId(Side.LEFT, u), lists.get(u));
            }
            return out;
        } finally {
            v.release();
        }
    }

    /** Each pin's sorted "board:weight", boards named by {@code board}, through {@code v} as it is. */
    private static List<List<String>> neighbours(LiveView v, IntFunction<String> board) {
        List<List<String>> out = new ArrayList<>();
        for (int u = 0; u < v.nodeCount(Side.LEFT); u++) {
            long first = v.firstEdge(Side.LEFT, u);
            List<String> nbrs = new ArrayList<>();
            for (int i = 0; i < v.degree(Side.LEFT, u); i++) {
                nbrs.add(board.apply(v.neighborAt(Side.LEFT, first + i)) + ":" + v.weightAt(Side.LEFT, first + i));
            }
            nbrs.sort(null);
            out.add(nbrs);
        }
        return out;
    }

    @Test
    void shouldRecordEachCompactedGenerationsParentsSoThatItDescendsFromThem() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(7), 30, 10, 40, false), true);
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            StoreGeneration built = store.generation();
            String builtPrint = StoreLineage.fingerprint(built);
            assertEquals(List.of(), StoreLineage.read(built));
            live.add(new EdgeBatch().add("3", "4").add("500", "4"));
            live.compact(BUILD);
            StoreGeneration first = live.baseGeneration();
            assertEquals(List.of(new StoreLineage.Ancestor(builtPrint, 30, 10, store.graph().edgeCount())),
                    StoreLineage.read(first));
            String firstPrint = StoreLineage.fingerprint(first); // its files go once a later generation is published
            live.add(new EdgeBatch().add("501", "77"));
            live.compact(BUILD);
            List<StoreLineage.Ancestor> chain = StoreLineage.read(live.baseGeneration());
            assertEquals(2, chain.size());
            assertEquals(new StoreLineage.Ancestor(firstPrint, 31, 10, store.graph().edgeCount() + 2),
                    chain.get(0));
            assertEquals(builtPrint, chain.get(1).fingerprint());
            assertFalse(builtPrint.equals(chain.get(0).fingerprint()), "a generation with more edges has another fingerprint");
        }
    }

    @Test
    void shouldCompactIntoAVerifiedGenerationKeepingIdsAndCutTheLog() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(7), 30, 10, 40, false), true);
        Path log = dir.resolve("edges.log");
        Map<String, List<String>> expected;
        long compactedEdges;
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            live.add(new EdgeBatch().add("3", "4", 2f).add("500", "4").add("500", "77", 0.5f));
            live.add(new EdgeBatch().add("501", "0"));
            String before = store.generation().name();
            live.compact(BUILD);
            assertTrue(live.baseGeneration().name().compareTo(before) > 0, live.baseGeneration().name());
            assertEquals(0, live.recentEdges());
            compactedEdges = live.baseEdges();
            assertEquals(store.graph().edgeCount() + 4, compactedEdges);
            assertEquals(30, live.find(Side.LEFT, "500"));
            live.add(new EdgeBatch().add("500", "9").add("502", "77"));
            expected = adjacency(live);
        }
        try (GraphStore store = GraphStore.open(root)) {
            store.verify();
            assertEquals(compactedEdges, store.graph().edgeCount());
            assertEquals(IdKind.LONG, store.ids(Side.LEFT).orElseThrow().kind());
            assertEquals(30, store.ids(Side.LEFT).orElseThrow().dense(500));
            assertEquals(12, store.ids(Side.LEFT).orElseThrow().dense(12)); // base pins keep their ids
            assertEquals(10, store.ids(Side.RIGHT).orElseThrow().dense(77));
            FeatureMatrix f = store.features(Side.LEFT).orElseThrow();
            assertEquals(32, f.rows());
            assertEquals(-29f, f.get(29, 1));
            assertEquals(0f, f.get(31, 0)); // a new pin's content is not known: zeros
            try (LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
                assertEquals(new LiveGraph.Recovery(1, 2, 0), live.recovery()); // only the batch after the compaction
                assertEquals(expected, adjacency(live));
            }
        }
    }

    /**
     * The store is published but the process dies before the log is cut: the log still names the old base; reopening
     * skips exactly the records the store holds, replays the rest once and completes the cut.
     */
    @Test
    void shouldSkipTheRecordsAPublishedCompactionHoldsWhenTheLogWasNotCut() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(8), 20, 8, 30, true), false);
        Path log = dir.resolve("edges.log");
        Map<String, List<String>> expected;
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            live.add(new EdgeBatch().add("3", "4", 2f).add("900", "4"));
            Compaction c = live.beginCompaction();
            live.add(new EdgeBatch().add("900", "5", 3f)); // during the compaction: stays in the log
            c.run(BUILD);
            expected = adjacency(live);
            live.abortCompaction(c); // as if the process died here: published, not switched, log not cut
        }
        long logBytes = Files.size(log);
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            assertEquals(store.graph().edgeCount(), live.baseEdges());
            assertEquals(new LiveGraph.Recovery(1, 1, 0), live.recovery());
            assertEquals(expected, adjacency(live));
            assertTrue(Files.size(log) < logBytes, "the log was not cut: " + Files.size(log) + " bytes");
        }
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            assertEquals(new LiveGraph.Recovery(1, 1, 0), live.recovery());
            assertEquals(expected, adjacency(live));
        }
    }

    /**
     * A log an older writer left, whose batches could take weight 0 (written here field by field, as that writer
     * did): no weighted walk takes such an edge, so a compaction leaves it out, counts it, and the new generation
     * verifies; the store published but the log not cut, reopening still skips exactly the records the store holds.
     */
    @Test
    void shouldLeaveWeightZeroEdgesOutOfACompactionAndStillSkipTheirRecords() throws IOException {
        Path root = dir.resolve("store");
        Path log = dir.resolve("edges.log");
        long baseEdges = storeWithOldLog(root, true, log, new int[][] {{3, 4}, {5, 6}, {7, 1}}, new float[] {0f, 2f, 1.5f});
        Map<String, List<String>> expected;
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            assertEquals(new LiveGraph.Recovery(2, 3, 0), live.recovery());
            Compaction c = live.beginCompaction();
            live.add(new EdgeBatch().add("9", "2", 3f)); // during the compaction: stays in the log
            c.run(BUILD);
            assertEquals(1, c.leftOut());
            assertEquals(2, c.recentEdges() - c.leftOut());
            expected = adjacency(live);
            expected.get("3").remove("4:0.0");
            live.abortCompaction(c); // as if the process died here: published, not switched, log not cut
        }
        try (GraphStore store = GraphStore.open(root)) {
            store.verify();
            assertEquals(baseEdges + 2, store.graph().edgeCount());
            try (LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
                assertEquals(new LiveGraph.Recovery(1, 1, 0), live.recovery()); // the batch after the compaction's start
                assertEquals(expected, adjacency(live));
                live.compact(BUILD);
                assertEquals(baseEdges + 3, live.baseEdges());
            }
        }
    }

    /**
     * A batch's source position is logged with it: it is there after a restart, after a compaction cut the log (the
     * cut keeps it in a record of its own), and after a publication whose cut the process did not live to make; an
     * older log opens as it was and takes positions from then on.
     */
    @Test
    void shouldKeepSourcePositionsAcrossRestartsCutsAndAnUncutPublication() throws IOException {
        Path root = dir.resolve("store");
        Path log = dir.resolve("edges.log");
        long baseEdges = storeWithOldLog(root, false, log, new int[][] {{3, 4}}, new float[] {1f});
        SourcePosition a1 = new SourcePosition("/data/a.tsv", 14, 2);
        SourcePosition a2 = new SourcePosition("/data/a.tsv", 28, 3);
        SourcePosition b1 = new SourcePosition("/data/b.tsv", 7, 2);
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            assertEquals(new LiveGraph.Recovery(1, 1, 0), live.recovery());
            live.add(new EdgeBatch().add("3", "5").source(a1));
            live.add(new EdgeBatch().add("900", "5").source(b1));
            assertEquals(a1, live.sourcePosition(a1.source()).orElseThrow());
        }
        assertEquals(EdgeLogFormat.VERSION, ByteBuffer.wrap(Files.readAllBytes(log), 4, 4)
                .order(ByteOrder.LITTLE_ENDIAN).getInt());
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
            assertEquals(new LiveGraph.Recovery(3, 3, 0), live.recovery());
            assertEquals(a1, live.sourcePosition(a1.source()).orElseThrow());
            assertEquals(b1, live.sourcePosition(b1.source()).orElseThrow());
            assertTrue(live.sourcePosition("/data/c.tsv").isEmpty());
            live.compact(BUILD); // cuts every record: the positions go on in a record of their own
            live.add(new EdgeBatch().add("3", "6").source(a2));
            Compaction c = live.beginCompaction();
            c.run(BUILD);
            live.abortCompaction(c); // as if the process died here: published, not switched, log not cut
        }
        for (int restart = 0; restart < 2; restart++) { // the first completes the cut, the second reads its result
            try (GraphStore store = GraphStore.open(root);
                 LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LIMITS, THREADS)) {
                assertEquals(baseEdges + 4, live.edgeCount());
                assertEquals(0, live.recentEdges());
                assertEquals(a2, live.sourcePosition(a1.source()).orElseThrow());
                assertEquals(b1, live.sourcePosition(b1.source()).orElseThrow());
            }
        }
    }

    /**
     * A store of 20 pins and 8 boards at {@code root} and a version 1 log over it, two of {@code edges} per record,
     * between existing nodes, as an older writer wrote; returns the store's edge count.
     */
    private static long storeWithOldLog(Path root, boolean weighted, Path log, int[][] edges, float[] weights)
            throws IOException {
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(9), 20, 8, 30, weighted), false);
        long baseEdges;
        try (GraphStore store = GraphStore.open(root)) {
            baseEdges = store.graph().edgeCount();
        }
        ByteBuffer b = ByteBuffer.allocate(16 + edges.length * 32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x4C575350).putInt(1).putLong(baseEdges);
        CRC32C crc = new CRC32C();
        for (int i = 0; i < edges.length; i += 2) {
            int n = Math.min(2, edges.length - i);
            ByteBuffer payload = ByteBuffer.allocate(12 + 12 * n).order(ByteOrder.LITTLE_ENDIAN);
            payload.putInt(0).putInt(0).putInt(n);
            for (int j = i; j < i + n; j++) {
                payload.putInt(edges[j][0]).putInt(edges[j][1]).putFloat(weights[j]);
            }
            payload.flip();
            crc.reset();
            crc.update(payload.duplicate());
            b.putInt(payload.remaining()).putInt((int) crc.getValue()).put(payload);
        }
        Files.write(log, Arrays.copyOf(b.array(), b.position()));
        return baseEdges;
    }

    /**
     * A view leased before two compactions reads its generation unchanged after it was replaced; the generation is
     * closed (its store unmapped) only when the view lets go, and the view's next refresh shows the newest one.
     */
    @Test
    void shouldKeepAReplacedGenerationMappedUntilItsLastLeaseEnds() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(9), 25, 9, 30, false), false);
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            live.add(new EdgeBatch().add("1", "2").add("600", "3"));
            live.compact(BUILD); // the generation now read is the live graph's own, closed when replaced
            live.add(new EdgeBatch().add("600", "4"));
            LiveView held = live.view();
            LiveGeneration old = held.leasedGeneration();
            List<List<String>> seen = neighbours(held, Integer::toString);
            live.add(new EdgeBatch().add("600", "5").add("601", "5"));
            live.compact(BUILD);
            live.add(new EdgeBatch().add("602", "6"));
            live.compact(BUILD);
            assertFalse(old.closed(), "replaced while leased, and closed");
            assertEquals(1, live.retainedGenerations());
            // reading through the held view: the old generation's mapped base and its recent edges
            assertEquals(seen, neighbours(held, Integer::toString));
            assertEquals(26, held.nodeCount(Side.LEFT));
            held.release();
            assertTrue(old.closed(), "the last lease ended but the generation stayed open");
            assertEquals(0, live.retainedGenerations());
            held.refresh();
            assertEquals(live.edgeCount(), held.edgeCount());
            assertEquals(28, held.nodeCount(Side.LEFT));
            held.release();
        }
    }

    /**
     * The edges kept while a compaction runs grow past 2^30 without an int overflow, up to the longest array, and one
     * edge more is refused (before the log, by {@code append}) rather than failing half-way.
     */
    @Test
    void shouldSizeTheCompactionTailInLongArithmeticAndRefuseBeyondItsMaximum() {
        assertEquals(5, LiveGraph.tailCapacity(0, 5));
        assertEquals(200, LiveGraph.tailCapacity(100, 101));
        assertEquals(LiveGraph.MAX_TAIL, LiveGraph.tailCapacity(1 << 30, (1L << 30) + 1));
        assertEquals(LiveGraph.MAX_TAIL, LiveGraph.tailCapacity(LiveGraph.MAX_TAIL - 1, LiveGraph.MAX_TAIL));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LiveGraph.tailCapacity(LiveGraph.MAX_TAIL, LiveGraph.MAX_TAIL + 1L));
        assertTrue(e.getMessage().contains("compaction in progress"), e.getMessage());
    }

    /**
     * Once its last lease ends, a replaced generation (base, ids, recent lists) is reachable from neither the live
     * graph nor the released view, without waiting for another compaction.
     */
    @Test
    void shouldLetGoOfAReplacedGenerationWhenItsLastLeaseEnds() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(9), 25, 9, 30, false), false);
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            live.add(new EdgeBatch().add("1", "2").add("600", "3"));
            LiveView held = live.view();
            WeakReference<LiveGeneration> old = new WeakReference<>(held.leasedGeneration());
            live.compact(BUILD);
            assertEquals(1, live.retainedGenerations());
            held.release();
            assertEquals(0, live.retainedGenerations());
            for (int i = 0; i < 20 && old.get() != null; i++) {
                System.gc();
            }
            assertNull(old.get(), "a replaced generation stayed reachable after its last lease ended");
            held.refresh();
            assertEquals(live.edgeCount(), held.edgeCount());
            held.release();
        }
    }

    /**
     * A compaction whose run fails (another build publishes into the store) is aborted, taking the writer lock for
     * it: none stays in progress, the base is unchanged, and the next compaction runs.
     */
    @Test
    void shouldAbortAFailedCompactionUnderTheWriterLock() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(9), 25, 9, 30, false), false);
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            live.add(new EdgeBatch().add("1", "2").add("600", "3"));
            ReentrantLock writer = new ReentrantLock();
            try (Publication held = StoreDirectory.beginPublication(root)) {
                assertThrows(FileSystemException.class, () -> live.compact(BUILD, writer));
            }
            assertFalse(writer.isLocked());
            assertEquals(2, live.recentEdges());
            Compaction c = live.compact(BUILD, writer);
            assertEquals(2, c.recentEdges());
            assertEquals(0, live.recentEdges());
        }
    }

    /** A release without a lease is refused rather than ending another reader's lease. */
    @Test
    void shouldRefuseAReleaseWithoutALease() throws IOException {
        Path root = dir.resolve("store");
        TestGraphs.writeStore(root, TestGraphs.connected(new Random(9), 25, 9, 30, false), false);
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            LiveView first = live.view();
            live.view(); // a second reader's lease
            LiveGeneration g = first.leasedGeneration();
            first.release();
            first.release(); // the view's own double release stays harmless
            g.release(); // ends the second reader's lease: the mistake the guard is for, once the count runs out
            assertThrows(IllegalStateException.class, g::release);
            assertFalse(g.closed());
        }
    }

    /** Edge e of the generated stream: its pin and board (dense ids, which are also their external ids). */
    static int pinOf(long e, int basePins) {
        return e % 10 == 0 ? basePins + (int) (e / 10) : (int) Math.floorMod(e * 0x9E3779B97F4A7C15L >>> 17, basePins + e / 10);
    }

    static int boardOf(long e, int baseBoards) {
        return e % 25 == 0 ? baseBoards + (int) (e / 25) : (int) Math.floorMod(e * 0xC2B2AE3D27D4EB4FL >>> 19, baseBoards + e / 25);
    }

    /**
     * One writer appends a seeded stream of edges (new pins and boards among them) and compacts again and again in the
     * background while three readers query continuously: every query's neighbour lists must be exactly the base's plus
     * the first M streamed edges' for the M its view shows, and short walks must only ever meet nodes of the view.
     * Bounded: about 1 s and at least three compactions, at most 30 s.
     */
    @Test
    void shouldAnswerCorrectlyWhileCompactionsReplaceTheBase() throws Exception {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        Path root = dir.resolve("store");
        HeapBipartiteGraph base = TestGraphs.connected(new Random(seed), 200, 60, 600, false);
        TestGraphs.writeStore(root, base, false);
        int basePins = base.nodeCount(Side.LEFT);
        int baseBoards = base.nodeCount(Side.RIGHT);
        int maxEdges = 400_000;
        // per pin: the streamed edges that name it, ascending
        int[][] edgesOf = new int[basePins + maxEdges / 10 + 1][];
        int[] fill = new int[edgesOf.length];
        for (int e = 0; e < maxEdges; e++) {
            fill[pinOf(e, basePins)]++;
        }
        for (int u = 0; u < edgesOf.length; u++) {
            edgesOf[u] = new int[fill[u]];
            fill[u] = 0;
        }
        for (int e = 0; e < maxEdges; e++) {
            int u = pinOf(e, basePins);
            edgesOf[u][fill[u]++] = e;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong queries = new AtomicLong();
        try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LIMITS)) {
            long baseEdges = live.edgeCount();
            Thread[] readers = new Thread[3];
            AtomicBoolean stop = new AtomicBoolean();
            for (int t = 0; t < readers.length; t++) {
                Random rnd = new Random(seed + 1 + t);
                readers[t] = Thread.ofPlatform().start(() -> {
                    LiveView v = live.view();
                    v.release();
                    try {
                        while (!stop.get()) {
                            v.refresh();
                            try {
                                check(v, base, edgesOf, baseEdges, basePins, baseBoards, rnd);
                            } finally {
                                v.release();
                            }
                            queries.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int compactions = 0;
            CompletableFuture<?> running = null;
            Compaction c = null;
            EdgeBatch b = new EdgeBatch();
            long e = 0;
            while (e + 50 <= maxEdges && failure.get() == null && System.nanoTime() < hardStop
                    && (System.nanoTime() < deadline || compactions < 3)) {
                b.clear();
                for (int i = 0; i < 50; i++, e++) {
                    b.add(Integer.toString(pinOf(e, basePins)), Integer.toString(boardOf(e, baseBoards)));
                }
                live.add(b);
                Thread.sleep(1); // leave the compaction some of the two cores the readers share
                if (running == null) {
                    Compaction started = live.beginCompaction();
                    c = started;
                    running = CompletableFuture.runAsync(() -> {
                        try {
                            started.run(BUILD);
                        } catch (IOException ex) {
                            throw new UncheckedIOException(ex);
                        }
                    });
                } else if (running != null && running.isDone()) {
                    running.join();
                    live.finishCompaction(c);
                    compactions++;
                    running = null;
                }
            }
            if (running != null) {
                running.join();
                live.finishCompaction(c);
                compactions++;
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(r.isAlive(), tag + "a reader did not finish");
            }
            assertNull(failure.get(), () -> tag + "reader failed: " + failure.get());
            assertTrue(compactions >= 3, tag + "only " + compactions + " compactions");
            assertTrue(queries.get() > 0, tag + "no query ran");
            assertEquals(baseEdges + e, live.edgeCount(), tag);
        }
    }

    /** One query's checks; see {@link #shouldAnswerCorrectlyWhileCompactionsReplaceTheBase}. */
    private static void check(LiveView v, HeapBipartiteGraph base, int[][] edgesOf, long baseEdges, int basePins,
                              int baseBoards, Random rnd) {
        long streamed = v.edgeCount() - baseEdges;
        int u = rnd.nextInt(v.nodeCount(Side.LEFT));
        int[] expected = new int[0];
        if (u < basePins) {
            expected = new int[base.degree(Side.LEFT, u)];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = base.neighborAt(Side.LEFT, base.firstEdge(Side.LEFT, u) + i);
            }
        }
        int[] mine = edgesOf[u];
        int k = 0;
        while (k < mine.length && mine[k] < streamed) {
            k++;
        }
        int from = expected.length;
        expected = Arrays.copyOf(expected, from + k);
        for (int i = 0; i < k; i++) {
            expected[from + i] = boardOf(mine[i], baseBoards);
        }
        int d = v.degree(Side.LEFT, u);
        int[] seen = new int[d];
        long first = v.firstEdge(Side.LEFT, u);
        for (int i = 0; i < d; i++) {
            seen[i] = v.neighborAt(Side.LEFT, first + i);
        }
        Arrays.sort(expected);
        Arrays.sort(seen);
        if (!Arrays.equals(expected, seen)) {
            throw new AssertionError("pin " + u + " with " + streamed + " edges streamed: neighbours "
                    + Arrays.toString(seen) + ", expected " + Arrays.toString(expected));
        }
        // a short walk: every hop lands on a node of the view
        Side side = Side.LEFT;
        int node = u;
        for (int hop = 0; hop < 16; hop++) {
            int deg = v.degree(side, node);
            if (deg == 0) {
                break;
            }
            node = v.neighborAt(side, v.firstEdge(side, node) + rnd.nextInt(deg));
            side = side == Side.LEFT ? Side.RIGHT : Side.LEFT;
            if (node < 0 || node >= v.nodeCount(side)) {
                throw new AssertionError("walk from pin " + u + " reached " + side + " node " + node + " of "
                        + v.nodeCount(side));
            }
        }
    }

    @Test
    void shouldReadTheGeneratedStreamsNewNodesInOrder() {
        // the stream's contract the readers rely on: a new pin or board first appears as the next dense id
        int pins = 200;
        int boards = 60;
        int nextPin = pins;
        int nextBoard = boards;
        for (long e = 0; e < 100_000; e++) {
            int p = pinOf(e, pins);
            int b = boardOf(e, boards);
            assertTrue(p <= nextPin && b <= nextBoard, "edge " + e);
            nextPin += p == nextPin ? 1 : 0;
            nextBoard += b == nextBoard ? 1 : 0;
        }
        assertArrayEquals(new int[] {pins, boards}, new int[] {pinOf(0, pins), boardOf(0, boards)});
    }
}
