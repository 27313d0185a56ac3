package io.pinsage.csr.live;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process ingesting batches under group commit and compacting in the background is killed with SIGKILL while a
 * compaction runs; reopening the store and its log must give every acknowledged batch exactly once and nothing that
 * was never sent.
 */
class KilledCompactionTest {

    private static final int EDGES_PER_BATCH = 4;
    private static final int BASE_PINS = 40;
    private static final int BASE_BOARDS = 12;

    @TempDir
    Path dir;

    /** Edge j of batch k: string-free long ids, new pins and boards among them (pins from 1000, boards from 5000). */
    private static long pin(int k, int j) {
        int e = k * EDGES_PER_BATCH + j;
        return 1000 + (e % 9 == 0 ? BASE_PINS + e / 9 : (e * 7919L) % (BASE_PINS + e / 9));
    }

    private static long board(int k, int j) {
        int e = k * EDGES_PER_BATCH + j;
        return 5000 + (e % 31 == 0 ? BASE_BOARDS + e / 31 : (e * 104729L) % (BASE_BOARDS + e / 31));
    }

    private static void writeBase(Path root) throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            csv.append(1000 + i % BASE_PINS).append(',').append(5000 + (i * 7) % BASE_BOARDS).append('\n');
        }
        Path input = Files.writeString(root.resolveSibling(root.getFileName() + ".csv"), csv);
        EdgeListIngest.ingest(List.of(input), root, new IngestOptions(InputFormat.CSV, IdKind.LONG, false, false),
                CsrBuildOptions.defaults().withThreads(1));
    }

    /**
     * Child process: over the store args[0] with the log args[1], appends batches 0, 1, ... printing "a k" once batch k
     * is acknowledged, and keeps a compaction running in the background, printing "c n" when the n-th begins.
     */
    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        CsrBuildOptions build = CsrBuildOptions.defaults().withThreads(1);
        try (GraphStore store = GraphStore.open(Path.of(args[0]));
             LiveGraph live = LiveGraph.open(store, Path.of(args[1]), LogSync.groupCommit(Duration.ofMillis(2)),
                     LiveGraph.Limits.defaults(), Thread.ofPlatform().daemon().factory())) {
            EdgeBatch b = new EdgeBatch();
            Compaction c = null;
            CompletableFuture<?> running = null;
            int compactions = 0;
            for (int k = 0; k < 1_000_000; k++) {
                b.clear();
                for (int j = 0; j < EDGES_PER_BATCH; j++) {
                    b.add(Long.toString(pin(k, j)), Long.toString(board(k, j)));
                }
                live.add(b);
                out.println("a " + k);
                if (running == null && k >= 20) {
                    Compaction started = live.beginCompaction();
                    c = started;
                    out.println("c " + ++compactions);
                    running = CompletableFuture.runAsync(() -> {
                        try {
                            started.run(build);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                } else if (running != null && running.isDone()) {
                    running.join();
                    live.finishCompaction(c);
                    running = null;
                }
            }
        }
    }

    /** The last complete line's number among those starting with {@code prefix}, -1 if none. */
    private static int last(Path output, char prefix) throws IOException {
        String text = Files.readString(output);
        int end = text.lastIndexOf('\n'); // a line without its newline may still be growing
        int found = -1;
        for (String line : text.substring(0, Math.max(0, end)).split("\n")) {
            if (line.length() > 2 && line.charAt(0) == prefix) {
                found = Integer.parseInt(line.substring(2));
            }
        }
        return found;
    }

    /** Pin external id to its sorted board external ids, for the base and batches [0, batches). */
    private static Map<String, List<String>> expected(Path root, int batches) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : Files.readAllLines(root.resolveSibling(root.getFileName() + ".csv"))) {
            String[] f = line.split(",");
            out.computeIfAbsent(f[0], x -> new ArrayList<>()).add(f[1] + ":1.0");
        }
        for (int k = 0; k < batches; k++) {
            for (int j = 0; j < EDGES_PER_BATCH; j++) {
                out.computeIfAbsent(Long.toString(pin(k, j)), x -> new ArrayList<>()).add(board(k, j) + ":1.0");
            }
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    /**
     * Three runs, each killed at a random moment of its first or second compaction (a random delay after it began,
     * so the kill lands in the edge pass, the build, the verification, the publication or the log's cut). Bounded:
     * 60 s of waiting per run at most.
     */
    @Test
    void shouldKeepEveryAcknowledgedEdgeExactlyOnceWhenKilledDuringCompaction() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        for (int attempt = 0; attempt < 3; attempt++) {
            String tag = TestSeed.tag(seed) + "attempt=" + attempt + " ";
            Path root = dir.resolve("store-" + attempt);
            writeBase(root);
            Path log = dir.resolve("edges-" + attempt + ".log");
            Path output = dir.resolve("out-" + attempt + ".txt");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledCompactionTest.class.getName(), root.toString(),
                    log.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(output.toFile()).start();
            int compaction = 1 + rnd.nextInt(2);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (last(output, 'c') < compaction && System.nanoTime() < deadline && child.isAlive()) {
                    Thread.sleep(1);
                }
                Thread.sleep(rnd.nextInt(1000));
            } finally {
                child.destroyForcibly().waitFor(); // also when the wait fails: no child outlives the test
            }
            assertTrue(last(output, 'c') >= compaction, tag + "the child began only " + last(output, 'c') + " compactions");
            int acked = last(output, 'a');
            try (GraphStore store = GraphStore.open(root)) {
                store.verify();
                try (LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LiveGraph.Limits.defaults(),
                        Thread.ofPlatform().daemon().factory())) {
                    long streamed = live.edgeCount() - 120;
                    assertEquals(0, streamed % EDGES_PER_BATCH, tag + streamed + " streamed edges: a batch half there");
                    int batches = (int) (streamed / EDGES_PER_BATCH);
                    assertTrue(batches >= acked + 1, tag + batches + " batches present, " + (acked + 1) + " acknowledged");
                    assertTrue(batches <= acked + 2, tag + batches + " batches present, only " + (acked + 2) + " begun");
                    assertEquals(expected(root, batches), CompactionTest.adjacency(live), tag);
                }
            }
        }
    }
}
