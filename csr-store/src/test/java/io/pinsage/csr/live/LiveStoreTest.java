package io.pinsage.csr.live;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A live graph over a mapped store with string id maps, its log beside the store, across a restart. */
class LiveStoreTest {

    @TempDir
    Path dir;

    private static final ThreadFactory THREADS = Thread.ofPlatform().daemon().factory();

    @Test
    void shouldResolveStoreIdsAndGiveNewOnesTheNextIdsAcrossARestart() throws IOException {
        Path input = Files.writeString(dir.resolve("edges.csv"), "pin-a,board-x\npin-b,board-x\npin-b,board-y\n");
        Path root = dir.resolve("store");
        EdgeListIngest.ingest(List.of(input), root, new IngestOptions(InputFormat.CSV, IdKind.STRING, false, false),
                CsrBuildOptions.defaults().withThreads(1));
        Path log = dir.resolve("live.log");
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LiveGraph.Limits.defaults(), THREADS)) {
            live.add(new EdgeBatch().add("pin-a", "board-y").add("pin-new", "board-x").add("pin-new", "board-new", 2f));
            assertEquals(2, live.find(Side.LEFT, "pin-new"));
            assertEquals(2, live.find(Side.RIGHT, "board-new"));
            assertEquals("board-new", live.externalId(Side.RIGHT, 2));
            assertEquals("pin-b", live.externalId(Side.LEFT, 1));
            BadEdgeException e = assertThrows(BadEdgeException.class, () -> live.add(new EdgeBatch().add("pin-c", "")));
            assertEquals("edge 0: board id is empty: expected a non-empty string", e.getMessage());
        }
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LiveGraph.Limits.defaults(), THREADS)) {
            assertEquals(new LiveGraph.Recovery(1, 3, 0), live.recovery());
            LiveView v = live.view();
            assertEquals(3, v.nodeCount(Side.LEFT));
            assertEquals(6, v.edgeCount());
            assertEquals(2, v.degree(Side.LEFT, live.find(Side.LEFT, "pin-new")));
            assertEquals(2, v.degree(Side.LEFT, live.find(Side.LEFT, "pin-a")));
            assertEquals(3, v.degree(Side.RIGHT, live.find(Side.RIGHT, "board-x")));
            live.add(new EdgeBatch().add("pin-newer", "board-new"));
            assertEquals(3, live.find(Side.LEFT, "pin-newer"));
        }
    }
}
