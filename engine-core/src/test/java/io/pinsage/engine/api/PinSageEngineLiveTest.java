package io.pinsage.engine.api;

import io.pinsage.csr.Residency;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.live.BadEdgeException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pinsage.engine.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's live edges: new pins known and recommended once added, refused batches, concurrent readers, replay. */
class PinSageEngineLiveTest {

    @TempDir
    Path dir;

    private static final RecommendOptions WALKS = RecommendOptions.DEFAULTS.withSteps(20_000).withSeed(3);

    private EngineOptions live(LogSync sync) {
        return EngineOptions.builder().residency(Residency.MAPPED).threads(1).liveEdges(dir.resolve("edges.log"), sync).build();
    }

    private static List<WeightedPin> from(String pin) {
        return List.of(new WeightedPin(pin, 1f));
    }

    private static boolean contains(List<ScoredPin> pins, String id) {
        return pins.stream().anyMatch(p -> p.id().equals(id));
    }

    @Test
    void shouldRecommendAPinAddedAMomentAgoAndKnowItsIdFromThen() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            assertTrue(engine.hasLiveEdges());
            assertFalse(engine.hasWalkTable(), "a walk table cannot follow live edges");
            assertThrows(UnknownIdException.class, () -> engine.recommend(from("pin-new"), 10, WALKS));
            assertFalse(contains(engine.recommend(from("pin-3"), 100, WALKS), "pin-new"));

            EdgesAdded added = engine.addEdges(new EdgeBatch().add("pin-new", "board-3").add("pin-new", "board-new", 2f)
                    .add("pin-3", "board-new"));

            assertEquals(new EdgesAdded(3, List.of("pin-new"), List.of("board-new")), added);
            assertEquals(61, engine.pinCount());
            assertEquals(11, engine.boardCount());
            assertEquals(123, engine.edgeCount());
            assertTrue(contains(engine.recommend(from("pin-3"), 100, WALKS), "pin-new"), "pin-3 shares board-new with it");
            List<ScoredPin> fromNew = engine.recommend(from("pin-new"), 10, WALKS);
            assertTrue(contains(fromNew, "pin-3"), fromNew::toString);
            assertEquals(60, engine.densePin("pin-new"));
            assertEquals("pin-new", engine.externalPin(60));
        }
        // the log replays: the pin is known and walked after reopening
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            assertEquals(3, engine.liveRecovery().edges());
            assertTrue(contains(engine.recommend(from("pin-3"), 100, WALKS), "pin-new"));
        }
    }

    /**
     * compact() moves the added edges into a new store generation while a query thread keeps recommending; the new
     * pin keeps its id and its recommendations, the log is cut (nothing to replay), and the threshold option compacts
     * by itself in the background.
     */
    @Test
    void shouldCompactAddedEdgesIntoTheStoreWhileQueriesRun() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            engine.addEdges(new EdgeBatch().add("pin-new", "board-3").add("pin-new", "board-new", 2f).add("pin-3", "board-new"));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger answered = new AtomicInteger();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> queries = pool.submit(() -> {
                while (!stop.get() || answered.get() == 0) {
                    assertTrue(contains(engine.recommend(from("pin-3"), 100, WALKS), "pin-new"));
                    answered.incrementAndGet();
                }
                return null;
            });
            Compacted done = engine.compact();
            engine.addEdges(new EdgeBatch().add("pin-newer", "board-new"));
            stop.set(true);
            queries.get(30, TimeUnit.SECONDS);
            pool.shutdown();
            assertEquals(new Compacted(done.generation(), 123, 3, done.nanos()), done);
            assertEquals(60, engine.densePin("pin-new"));
            assertEquals(61, engine.densePin("pin-newer"));
            assertEquals(124, engine.edgeCount());
            assertTrue(contains(engine.recommend(from("pin-newer"), 100, WALKS), "pin-3"));
        }
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            assertEquals(1, engine.liveRecovery().edges()); // only the edge added after the compaction
            assertEquals(124, engine.edgeCount());
            assertEquals(60, engine.densePin("pin-new"));
        }
        EngineOptions every = EngineOptions.builder().residency(Residency.MAPPED).threads(1)
                .liveEdges(dir.resolve("edges.log"), LogSync.eachBatch()).compactEvery(2).build();
        try (PinSageEngine engine = PinSageEngine.open(store, every)) {
            engine.addEdges(new EdgeBatch().add("pin-7", "board-new").add("pin-8", "board-new"));
            await(() -> engine.liveRecentEdges() == 0, "a background compaction");
            assertEquals(126, engine.edgeCount());
        }
    }

    /**
     * A background compaction that fails (another build holds the store's lock) is not retried on the next batch but
     * once compactEvery more edges are recent; then it runs again, and the threshold is back to compactEvery.
     */
    @Test
    void shouldBackOffAfterAFailedBackgroundCompaction() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 40);
        EngineOptions every = EngineOptions.builder().residency(Residency.MAPPED).threads(1)
                .liveEdges(dir.resolve("edges.log"), LogSync.eachBatch()).compactEvery(2).build();
        try (PinSageEngine engine = PinSageEngine.open(store, every)) {
            try (Publication held = StoreDirectory.beginPublication(store)) {
                engine.addEdges(new EdgeBatch().add("pin-1", "board-new").add("pin-2", "board-new"));
                await(() -> engine.compactAt() == 4 && !engine.compactionQueued(), "the failed compaction's back-off");
                engine.addEdges(new EdgeBatch().add("pin-3", "board-new")); // 3 recent: below the back-off, no try
                assertFalse(engine.compactionQueued(), "retried on the next batch");
                assertEquals(4, engine.compactAt());
                assertEquals(3, engine.liveRecentEdges());
            }
            engine.addEdges(new EdgeBatch().add("pin-4", "board-new"));
            await(() -> engine.liveRecentEdges() == 0 && !engine.compactionQueued(), "the compaction after the back-off");
            assertEquals(2, engine.compactAt());
            assertEquals(84, engine.edgeCount());
        }
    }

    @Test
    void shouldChangeNothingForARefusedBatch() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 40);
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            List<ScoredPin> before = engine.recommend(from("pin-3"), 100, WALKS);
            for (float weight : new float[]{Float.NaN, -1f, Float.POSITIVE_INFINITY}) {
                EdgeBatch bad = new EdgeBatch().add("pin-x", "board-1").add("pin-3", "board-y").add("pin-x", "board-2", weight);
                BadEdgeException e = assertThrows(BadEdgeException.class, () -> engine.addEdges(bad));
                assertEquals(2, e.edge(), e.getMessage());
                assertTrue(e.getMessage().contains("weight"), e.getMessage());
            }
            assertThrows(BadEdgeException.class, () -> engine.addEdges(new EdgeBatch().add("pin-x", "")));
            assertEquals(40, engine.pinCount());
            assertEquals(10, engine.boardCount());
            assertEquals(80, engine.edgeCount());
            assertThrows(UnknownIdException.class, () -> engine.recommend(from("pin-x"), 10, WALKS));
            assertEquals(before, engine.recommend(from("pin-3"), 100, WALKS), "same walks over the same graph");
        }
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.eachBatch()))) {
            assertEquals(0, engine.liveRecovery().records(), "nothing of a refused batch was logged");
            assertEquals(80, engine.edgeCount());
        }
    }

    @Test
    void shouldLetConcurrentQueriesSeeEveryBatchAcknowledgedBeforeThemStarted() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        int batches = 150;
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try (PinSageEngine engine = PinSageEngine.open(store, live(LogSync.groupCommit(Duration.ofMillis(2))))) {
            RecommendOptions quick = RecommendOptions.DEFAULTS.withSteps(2_000);
            Runnable reader = () -> {
                int queries = 0;
                while (!done.get() || queries == 0) {
                    int known = acknowledged.get();
                    List<ScoredPin> top = engine.recommend(from(known == 0 ? "pin-3" : "new-" + (known - 1)), 20, quick);
                    for (ScoredPin p : top) {
                        assertEquals(p.id(), engine.externalPin(engine.densePin(p.id())));
                    }
                    queries++;
                }
            };
            List<Future<?>> running = List.of(readers.submit(reader), readers.submit(reader));
            for (int i = 0; i < batches; i++) {
                EdgesAdded added = engine.addEdges(new EdgeBatch().add("new-" + i, "board-" + i % 10)
                        .add("new-" + i, "board-" + (i + 1) % 10));
                assertEquals(List.of("new-" + i), added.newPins());
                acknowledged.set(i + 1);
            }
            done.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(60 + batches, engine.pinCount());
            assertEquals(120 + 2L * batches, engine.edgeCount());
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void shouldRefuseEdgesUnlessOpenedLive() throws Exception {
        assertFalse(EngineOptions.defaults().liveEdges());
        try (PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 20),
                EngineOptions.builder().residency(Residency.MAPPED).threads(1).build())) {
            assertFalse(engine.hasLiveEdges());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> engine.addEdges(new EdgeBatch().add("pin-1", "board-1")));
            assertTrue(e.getMessage().contains("liveEdges"), e.getMessage());
            assertEquals(40, engine.edgeCount());
        }
    }
}
