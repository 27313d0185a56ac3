package io.pinsage.csr.live;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.CorruptStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write-ahead log: replay after a restart, torn tails, damage, and a writer killed with SIGKILL mid-ingest. */
class EdgeLogTest {

    @TempDir
    Path dir;

    private static final ThreadFactory THREADS = Thread.ofPlatform().daemon().name("test-log-sync").factory();
    private static final LiveGraph.Limits LIMITS = new LiveGraph.Limits(10_000_000, 1_000_000);

    /** The base every process of these tests builds alike. */
    private static HeapBipartiteGraph base() {
        return TestGraphs.connected(new Random(42), 200, 40, 800, false);
    }

    /** Batch {@code k}: 1 to 40 edges among base pins and boards and new ones, a function of {@code k} only. */
    private static EdgeBatch batch(int k, EdgeBatch into) {
        Random rnd = new Random(k);
        into.clear();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            String pin = String.valueOf(rnd.nextInt(3) == 0 ? 1_000_000 + rnd.nextInt(k + 1) : rnd.nextInt(200));
            String board = String.valueOf(rnd.nextInt(5) == 0 ? 2_000_000 + rnd.nextInt(k / 4 + 1) : rnd.nextInt(40));
            into.add(pin, board, 0.25f * (1 + rnd.nextInt(16)));
        }
        return into;
    }

    /** A live graph in memory holding exactly batches {@code [0, count)}. */
    private static LiveGraph expected(int count) throws IOException {
        LiveGraph g = LiveGraph.inMemory(base(), null, null, LIMITS);
        EdgeBatch b = new EdgeBatch();
        for (int k = 0; k < count; k++) {
            g.add(batch(k, b));
        }
        return g;
    }

    /** Same nodes, the same external ids and the same edges in the same order, on both sides. */
    private static void assertSameGraph(LiveGraph want, LiveGraph got, String msg) {
        LiveView a = want.view();
        LiveView b = got.view();
        assertEquals(a.recentEdges(), b.recentEdges(), msg);
        for (Side side : Side.values()) {
            assertEquals(a.nodeCount(side), b.nodeCount(side), msg + side);
            for (int u = 0; u < a.nodeCount(side); u++) {
                assertEquals(want.externalId(side, u), got.externalId(side, u), msg);
                assertEquals(a.degree(side, u), b.degree(side, u), msg + side + " node " + u);
                for (int i = 0; i < a.degree(side, u); i++) {
                    assertEquals(a.neighbor(side, u, i), b.neighbor(side, u, i), msg);
                    assertEquals(a.weightAt(side, a.firstEdge(side, u) + i), b.weightAt(side, b.firstEdge(side, u) + i), msg);
                }
            }
        }
    }

    private LiveGraph open(Path log, LogSync sync) throws IOException {
        return LiveGraph.open(base(), null, null, log, sync, LIMITS, THREADS);
    }

    @Test
    void shouldReplayEveryBatchAfterARestartUnderEitherPolicy() throws IOException {
        for (LogSync sync : new LogSync[] {LogSync.eachBatch(), LogSync.groupCommit(Duration.ofMillis(2))}) {
            Path log = dir.resolve("replay-" + sync.periodMillis() + ".log");
            EdgeBatch b = new EdgeBatch();
            try (LiveGraph g = open(log, sync)) {
                for (int k = 0; k < 30; k++) {
                    g.add(batch(k, b));
                }
            }
            try (LiveGraph g = open(log, sync)) {
                assertEquals(new LiveGraph.Recovery(30, expected(30).recentEdges(), 0), g.recovery());
                assertSameGraph(expected(30), g, sync + ": ");
                for (int k = 30; k < 40; k++) {
                    g.add(batch(k, b)); // new ids continue after the replayed ones
                }
            }
            try (LiveGraph g = open(log, sync)) {
                assertSameGraph(expected(40), g, sync + " after more batches: ");
            }
        }
    }

    @Test
    void shouldDropATornTailRecordWholeAndAcceptBatchesAfterIt() throws IOException {
        Path log = dir.resolve("torn.log");
        EdgeBatch b = new EdgeBatch();
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            for (int k = 0; k < 10; k++) {
                g.add(batch(k, b));
            }
        }
        long full = Files.size(log);
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            g.add(batch(10, b));
        }
        long cut = full + (Files.size(log) - full) / 2; // half of the last record, as a crash mid-write leaves it
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            assertEquals(new LiveGraph.Recovery(10, expected(10).recentEdges(), cut - full), g.recovery());
            assertSameGraph(expected(10), g, "torn: ");
            g.add(batch(10, b));
        }
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            assertEquals(0, g.recovery().droppedBytes());
            assertSameGraph(expected(11), g, "after the torn tail: ");
        }
    }

    @Test
    void shouldDropARecordWhoseChecksumFailsAndEverythingAfterIt() throws IOException {
        Path log = dir.resolve("flipped.log");
        EdgeBatch b = new EdgeBatch();
        long[] ends = new long[6];
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            for (int k = 0; k < 6; k++) {
                ends[k] = g.append(batch(k, b));
            }
        }
        byte[] bytes = Files.readAllBytes(log);
        int flip = (int) ends[3] + EdgeLogFormat.RECORD_HEADER_BYTES + 2; // inside record 4's payload
        bytes[flip] ^= 0x10;
        Files.write(log, bytes);
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            assertEquals(4, g.recovery().records());
            assertEquals(bytes.length - ends[3], g.recovery().droppedBytes());
            assertSameGraph(expected(4), g, "flipped: ");
        }
    }

    @Test
    void shouldRefuseALogOfAnotherBaseOrFormat() throws IOException {
        Path log = dir.resolve("other.log");
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            g.add(batch(0, new EdgeBatch()));
        }
        HeapBipartiteGraph other = TestGraphs.connected(new Random(7), 20, 5, 10, false);
        CorruptStoreException e = assertThrows(CorruptStoreException.class,
                () -> LiveGraph.open(other, null, null, log, LogSync.eachBatch(), LIMITS, THREADS));
        assertTrue(e.getMessage().contains("other.log") && e.getMessage().contains("extends a base of"), e.getMessage());
        byte[] bytes = Files.readAllBytes(log);
        bytes[0] = 'X';
        Files.write(log, bytes);
        e = assertThrows(CorruptStoreException.class, () -> open(log, LogSync.eachBatch()));
        assertTrue(e.getMessage().contains("not an edge log"), e.getMessage());
    }

    @Test
    void shouldLogNothingOfARefusedBatch() throws IOException {
        Path log = dir.resolve("refused.log");
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            g.add(new EdgeBatch().add("5", "3"));
            long size = Files.size(log);
            assertThrows(BadEdgeException.class, () -> g.add(new EdgeBatch().add("9000", "3").add("1", "2", Float.NaN)));
            assertEquals(size, Files.size(log));
        }
        try (LiveGraph g = open(log, LogSync.eachBatch())) {
            assertEquals(1, g.recentEdges());
            assertEquals(-1, g.find(Side.LEFT, "9000"));
        }
    }

    /** The k of the last complete "ack k" line of a child's output, -1 before the first. */
    private static int lastAck(Path acks) throws IOException {
        String text = Files.readString(acks);
        int end = text.lastIndexOf('\n'); // a line without its newline may still be growing
        if (end < 0) {
            return -1;
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        return Integer.parseInt(text.substring(start + 4, end));
    }

    /** Child process: appends batches 0, 1, ... to the log args[0] under group commit, printing "ack k" after each. */
    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LiveGraph g = LiveGraph.open(base(), null, null, Path.of(args[0]), LogSync.groupCommit(Duration.ofMillis(2)),
                LIMITS, THREADS)) {
            EdgeBatch b = new EdgeBatch();
            for (int k = 0; k < 1_000_000; k++) {
                g.add(batch(k, b));
                out.println("ack " + k);
            }
        }
    }

    /**
     * A child process ingesting batches is killed with SIGKILL at a random moment; reopening its log gives exactly
     * batches 0 to R − 1 for some R at least one past the last batch it acknowledged (the batch in flight may be
     * complete or dropped, never half there). Twice, bounded by a 60-second wait for the child.
     */
    @Test
    void shouldKeepEveryAcknowledgedBatchWhenTheWriterIsKilled() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        for (int attempt = 0; attempt < 2; attempt++) {
            String tag = TestSeed.tag(seed) + "attempt=" + attempt + " ";
            Path log = dir.resolve("killed-" + attempt + ".log");
            Path acks = dir.resolve("acks-" + attempt + ".txt");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EdgeLogTest.class.getName(), log.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(acks.toFile()).start();
            int target = 50 + rnd.nextInt(400);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAck(acks) < target && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(1);
            }
            Thread.sleep(rnd.nextInt(5)); // land inside a later batch's write or wait
            child.destroyForcibly().waitFor();
            // what the child printed before it died is in the file: every batch it acknowledged
            int acked = lastAck(acks);
            assertTrue(acked >= target, tag + "the child acknowledged only " + acked + " batches");
            try (LiveGraph g = open(log, LogSync.eachBatch())) {
                long records = g.recovery().records();
                assertTrue(records >= acked + 1, tag + "replayed " + records + " batches, but " + (acked + 1)
                        + " were acknowledged");
                assertTrue(records <= acked + 2, tag + "replayed " + records + " batches, but the child had begun only "
                        + (acked + 2));
                assertSameGraph(expected((int) records), g, tag);
            }
        }
    }
}
