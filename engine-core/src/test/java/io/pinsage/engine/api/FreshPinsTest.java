package io.pinsage.engine.api;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins that live edges bring are embedded by the inductive model and found by related: at once, after a restart, after a compaction. */
class FreshPinsTest {

    @TempDir
    Path dir;

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The rank of {@code id} among {@code pins}, or -1. */
    static int rank(List<ScoredPin> pins, String id) {
        for (int i = 0; i < pins.size(); i++) {
            if (pins.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The boards of store pin {@code pin}. */
    static List<String> boardsOf(Path store, int pin) throws Exception {
        try (GraphStore s = GraphStore.open(store)) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < s.graph().degree(Side.LEFT, pin); i++) {
                out.add(Integer.toString(s.graph().neighbor(Side.LEFT, pin, i)));
            }
            return out;
        }
    }

    @Test
    void aPinPostedAsEdgesShouldAppearInRelatedOfAPinOfItsBoardsAtOnceAfterARestartAndAfterACompaction() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 300);
        String query = "17";
        List<String> boards = boardsOf(t.store(), 17);
        EngineOptions live = EngineOptions.builder().residency(Residency.MAPPED).threads(1).model(t.model())
                .liveEdges(dir.resolve("edges.log"), LogSync.eachBatch()).build();
        int top = 10;
        try (PinSageEngine engine = PinSageEngine.open(t.store(), live)) {
            assertEquals(-1, rank(engine.related(query, 300), "5000"));
            EdgeBatch batch = new EdgeBatch();
            boards.forEach(b -> batch.add("5000", b));
            engine.addEdges(batch);
            assertTrue(engine.awaitFreshPins(WAIT), "the new pin is embedded within 30 s");
            assertTrue(rank(engine.related(query, top), "5000") >= 0, "the new pin among " + query + "'s related");
            assertEquals(5, engine.related("5000", 5).size(), "the new pin is a query pin too");
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), live)) {
            assertTrue(engine.awaitFreshPins(WAIT), "the replayed pin is embedded within 30 s");
            assertTrue(rank(engine.related(query, top), "5000") >= 0, "after a restart, from the replayed log");
            engine.compact();
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), live)) {
            assertEquals(0, engine.liveRecentEdges());
            assertTrue(engine.awaitFreshPins(WAIT), "the compacted pin is embedded within 30 s");
            assertTrue(rank(engine.related(query, top), "5000") >= 0, "after a compaction: in the store, not embedded");
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1)
                .liveEdges(null, LogSync.eachBatch()).build())) {
            assertThrows(UnknownIdException.class, () -> engine.related("5000", 5), "without a model a pin of edges has no embedding");
        }
    }
}
