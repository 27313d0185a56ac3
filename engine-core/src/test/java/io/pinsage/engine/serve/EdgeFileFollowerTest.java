package io.pinsage.engine.serve;

import io.pinsage.csr.EdgeLine;
import io.pinsage.csr.Residency;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;

import static io.pinsage.engine.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Following an edge file: lines as they are appended, a partial last line, malformed lines, and a restart. */
class EdgeFileFollowerTest {

    private static final ThreadFactory THREADS = Thread.ofPlatform().daemon().factory();

    @TempDir
    Path dir;

    private EngineOptions live() {
        return EngineOptions.builder().residency(Residency.MAPPED).threads(1)
                .liveEdges(dir.resolve("edges.log"), LogSync.eachBatch()).build();
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void shouldAddAppendedLinesSkipMalformedOnesAndGoOnFromItsPositionAfterARestart() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 20);
        Path followed = dir.resolve("saves.tsv");
        Path position = dir.resolve("edges.log.follow");
        try (PinSageEngine engine = PinSageEngine.open(store, live());
             EdgeFileFollower f = EdgeFileFollower.start(engine, followed, position, Duration.ofMillis(2), THREADS)) {
            long base = engine.edgeCount();
            append(followed, "pin-new\tboard-3\n# a comment\n\npin-3\tboard-new\t2.5\t1700000000\n");
            await(() -> f.position().line() == 5, "the first four lines");
            assertEquals(new EdgeFileFollower.Position(Files.size(followed), 5), f.position());
            assertEquals(base + 2, engine.edgeCount());
            assertEquals(21, engine.pinCount());

            // a partial last line waits for its newline; a malformed line is skipped with its line number
            append(followed, "pin-1\tboard-2\tlots\npin-2\tboard-4\npin-4\tboa");
            await(() -> f.position().line() == 7, "the complete lines");
            assertEquals(base + 3, engine.edgeCount());
            assertEquals(1, f.skippedLines());
            assertEquals(followed + ":5: 'pin-1\tboard-2\tlots': weight 'lots' is not a number; skipped",
                    f.lastSkipped().orElseThrow());
            long polled = f.polls();
            await(() -> f.polls() >= polled + 2, "a whole poll after the complete lines");
            assertEquals(base + 3, engine.edgeCount(), "half a line was applied");
            assertEquals(7, f.position().line());
            append(followed, "rd-9\n");
            await(() -> f.position().line() == 8, "the completed line");
            assertEquals(base + 4, engine.edgeCount());
            assertNull(f.failure().orElse(null));
        }
        // restarted: nothing added twice, and lines appended while it was down are added
        append(followed, "pin-5\tboard-0\n");
        try (PinSageEngine engine = PinSageEngine.open(store, live());
             EdgeFileFollower f = EdgeFileFollower.start(engine, followed, position, Duration.ofMillis(2), THREADS)) {
            assertEquals(new EdgeFileFollower.Position(Files.size(followed) - 14, 8), f.position());
            await(() -> f.position().line() == 9, "the line appended while stopped");
            assertEquals(40 + 5, engine.edgeCount());
            engine.addEdges(new EdgeBatch().add("pin-6", "board-1")); // POST /v1/edges's path, beside the follower
            assertEquals(40 + 6, engine.edgeCount());
        }
    }

    @Test
    void shouldStopWhenTheFileShrinksAndRefuseAnotherFilesPosition() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 20);
        Path followed = dir.resolve("saves.tsv");
        Path position = dir.resolve("edges.log.follow");
        try (PinSageEngine engine = PinSageEngine.open(store, live())) {
            try (EdgeFileFollower f = EdgeFileFollower.start(engine, followed, position, Duration.ofMillis(2), THREADS)) {
                append(followed, "pin-1\tboard-1\npin-2\tboard-2\n");
                await(() -> f.position().line() == 3, "two lines");
                Files.writeString(followed, "pin-3\tboard-3\n");
                await(() -> !f.running(), "the follower to stop");
                assertTrue(f.failure().orElseThrow().getMessage().contains("truncated or replaced"), f.failure().toString());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EdgeFileFollower.start(engine, dir.resolve("other.tsv"), position, Duration.ofMillis(2), THREADS));
            assertTrue(e.getMessage().contains("remove it to follow"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseADamagedPositionFileNamingItAndTheLine() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 20);
        Path followed = dir.resolve("saves.tsv").toAbsolutePath().normalize();
        Path position = dir.resolve("edges.log.follow");
        try (PinSageEngine engine = PinSageEngine.open(store, live())) {
            for (String third : new String[] {"120", "120 3 7", "x 3"}) {
                Files.writeString(position, "pinsage edge-file position 1\n" + followed + "\n" + third + "\n");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> EdgeFileFollower.start(engine, followed, position, Duration.ofMillis(2), THREADS), third);
                assertTrue(e.getMessage().startsWith(position + ": line 3: expected 'OFFSET LINE'"), e.getMessage());
            }
        }
    }

    @Test
    void shouldParseTheStoresTsvEdgeLines() {
        EdgeBatch b = new EdgeBatch();
        EdgeLine p = new EdgeLine('\t', "pin", "board");
        assertNull(EdgeFileFollower.parse(" a \tb\t0.5\t17", p, b));
        assertEquals(1, b.size());
        assertEquals("expected 2 to 4 fields separated by TAB (pin, board, weight, timestamp), found 1",
                EdgeFileFollower.parse("a b", p, b));
        assertEquals("weight -1 must be positive and finite", EdgeFileFollower.parse("a\tb\t-1", p, b));
        // as ingest reads the same line: a zero weight is refused by both
        assertEquals("weight 0 must be positive and finite", EdgeFileFollower.parse("a\tb\t0", p, b));
        assertEquals("timestamp 'x' is not an integer", EdgeFileFollower.parse("a\tb\t1\tx", p, b));
        assertEquals("board id is empty", EdgeFileFollower.parse("a\t ", p, b));
        assertEquals(1, b.size());
    }
}
