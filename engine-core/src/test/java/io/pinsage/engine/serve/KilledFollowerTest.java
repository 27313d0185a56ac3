package io.pinsage.engine.serve;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process following a growing edge file, compacting every few dozen edges, is killed with SIGKILL at random moments
 * and restarted; after every kill the graph holds each line of a prefix of the file exactly once, and once a restarted
 * follower has caught up, every line exactly once: nothing lost, nothing twice.
 */
class KilledFollowerTest {

    private static final int BASE_EDGES = 40;

    @TempDir
    Path dir;

    /** Line k of the followed file: a new pin among 53 and a board of its own, so each line is one distinct pair. */
    private static String line(int k) {
        return k % 29 == 5 ? "# comment " + k + "\n" : "fp-" + k % 53 + "\tfb-" + k + "\n";
    }

    /**
     * Child process: an engine over the store args[0] with the log args[1] (group commit, a compaction every 30
     * recent edges) follows args[2] keeping its position in args[3]; prints "f" once following, then "p OFFSET" as the
     * position advances. Stops by itself after a minute.
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        EngineOptions options = EngineOptions.builder().threads(1).compactEvery(30)
                .liveEdges(Path.of(args[1]), LogSync.groupCommit(Duration.ofMillis(2))).build();
        try (PinSageEngine engine = PinSageEngine.open(Path.of(args[0]), options);
             EdgeFileFollower f = EdgeFileFollower.start(engine, Path.of(args[2]), Path.of(args[3]), Duration.ofMillis(1),
                     Thread.ofPlatform().daemon().factory())) {
            out.println("f");
            long shown = -1;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < end; ) {
                long at = f.position().offset();
                if (at != shown) {
                    out.println("p " + at);
                    shown = at;
                }
                Thread.sleep(1);
            }
        }
    }

    /** The last complete line of the child's output, "" if none. */
    private static String last(Path output) throws IOException {
        String text = Files.readString(output);
        int end = text.lastIndexOf('\n'); // a line without its newline may still be growing
        return end < 0 ? "" : text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
    }

    private static void waitFor(Process child, Path output, long deadline, String what, String tag,
                                java.util.function.Predicate<String> done) throws Exception {
        while (!done.test(last(output))) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                fail(tag + "the child " + (child.isAlive() ? "did not reach " : "died before ") + what + "; it said '"
                        + last(output) + "'");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Opens the store and its log as a restart does and checks that the followed lines in the graph are the edge lines
     * of a prefix of the file's first {@code written} lines, each once; returns how many there are.
     */
    private static int checkPrefix(Path root, Path log, int written, String tag) throws IOException {
        Map<String, Integer> count = new HashMap<>();
        try (GraphStore store = GraphStore.open(root);
             LiveGraph live = LiveGraph.open(store, log, LogSync.eachBatch(), LiveGraph.Limits.defaults(),
                     Thread.ofPlatform().daemon().factory())) {
            LiveView v = live.view();
            try {
                for (int u = 0; u < v.nodeCount(Side.LEFT); u++) {
                    long first = v.firstEdge(Side.LEFT, u);
                    for (int i = 0; i < v.degree(Side.LEFT, u); i++) {
                        String pair = live.externalId(Side.LEFT, u) + "\t"
                                + live.externalId(Side.RIGHT, v.neighborAt(Side.LEFT, first + i)) + "\n";
                        count.merge(pair, 1, Integer::sum);
                    }
                }
            } finally {
                v.release();
            }
        }
        int present = 0;
        int missing = -1;
        for (int k = 0; k < written; k++) {
            if (line(k).startsWith("#")) {
                continue;
            }
            int c = count.getOrDefault(line(k), 0);
            assertTrue(c <= 1, tag + "line " + k + " '" + line(k).strip() + "' is in the graph " + c + " times");
            if (c == 0 && missing < 0) {
                missing = k;
            } else if (c == 1) {
                assertTrue(missing < 0, tag + "line " + k + " is in the graph, line " + missing + " is not");
                present++;
            }
        }
        assertEquals(BASE_EDGES + present, count.values().stream().mapToInt(Integer::intValue).sum(),
                tag + "edges in the graph that are no line of the file");
        return present;
    }

    /** The edges of the store's current generation: more than the base's once a compaction has published. */
    private static long compactedEdges(Path root) throws IOException {
        try (GraphStore store = GraphStore.open(root)) {
            return store.graph().edgeCount();
        }
    }

    /**
     * Four runs each killed a random 20..400 ms after it has caught up with the file while lines keep coming, then a
     * fifth that must catch up with all of them and with 64 more, and compact. Bounded: 30 s of waiting per run at most.
     */
    @Test
    void shouldHoldEveryLineExactlyOnceAcrossKillsAtRandomMoments() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        Path root = TestStores.pinsAndBoards(dir, 20);
        Path log = dir.resolve("edges.log");
        Path followed = dir.resolve("saves.tsv");
        Path position = dir.resolve("edges.log.follow");
        int written = 0;
        for (int run = 0; run < 5; run++) {
            String tag = TestSeed.tag(seed) + "run=" + run + " ";
            Path output = dir.resolve("out-" + run + ".txt");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m"));
            for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (flag.startsWith("--add-") || flag.startsWith("--enable-native-access")
                        || flag.startsWith("--sun-misc-unsafe-memory-access")) {
                    command.add(flag); // the module flags the engine needs, as this JVM got them
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), KilledFollowerTest.class.getName(),
                    root.toString(), log.toString(), followed.toString(), position.toString()));
            Process child = new ProcessBuilder(command).redirectError(dir.resolve("err-" + run + ".txt").toFile())
                    .redirectOutput(output.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long size = Files.exists(followed) ? Files.size(followed) : 0;
                waitFor(child, output, deadline, "byte " + size, tag,
                        s -> size == 0 ? !s.isEmpty() : s.equals("p " + size));
                if (run == 4) {
                    // the runs before may all have been killed before a compaction finished (a loaded machine): this
                    // one gets more lines than the compaction threshold and waits, bounded, until one has published
                    StringBuilder lines = new StringBuilder();
                    for (int n = 0; n < 64; n++) {
                        lines.append(line(written++));
                    }
                    Files.writeString(followed, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                    long grown = Files.size(followed);
                    waitFor(child, output, deadline, "byte " + grown, tag, s -> s.equals("p " + grown));
                    while (compactedEdges(root) == BASE_EDGES && child.isAlive() && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    break;
                }
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + rnd.nextInt(380));
                while (System.nanoTime() < killAt) {
                    StringBuilder lines = new StringBuilder();
                    for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                        lines.append(line(written++));
                    }
                    Files.writeString(followed, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    Thread.sleep(rnd.nextInt(3));
                }
            } finally {
                child.destroyForcibly().waitFor(); // SIGKILL; also when the wait fails: no child outlives the test
            }
            checkPrefix(root, log, written, tag);
        }
        String tag = TestSeed.tag(seed) + "caught up: ";
        long edgeLines = java.util.stream.IntStream.range(0, written).filter(k -> !line(k).startsWith("#")).count();
        assertEquals(edgeLines, checkPrefix(root, log, written, tag), tag + "lines in the graph");
        assertTrue(compactedEdges(root) > BASE_EDGES, tag + "no compaction moved a followed line into the store");
    }
}
