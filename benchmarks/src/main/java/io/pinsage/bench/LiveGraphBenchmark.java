package io.pinsage.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.PowerLawGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LogSync;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ingest into a {@link LiveGraph} while Pixie queries run on another thread, against the same queries on the static
 * base in the same run (JMH sample mode: p50/p99 per benchmark).
 *
 * <ul>
 *   <li>{@code staticQuery}: {@link PixieEngine} on the base graph alone.</li>
 *   <li>{@code idle:liveIdle}: the same queries through a live engine over the base plus {@code prefill} recent edges
 *       (uniform saves, so 1 M of them touch most boards and half the pins), no writer; with none, the cost of the
 *       view's checks alone on walks that stay in the base.</li>
 *   <li>{@code mixed}: one thread adds batches of {@value #BATCH} edges ({@code mixed:ingest}, time per acknowledged
 *       batch; edges/s = {@value #BATCH} / that time) while another queries ({@code mixed:liveQuery}).</li>
 * </ul>
 * {@code sync}: {@code memory} (no log) or {@code group5ms} (write-ahead log in the temporary directory, group commit
 * every 5 ms, each batch acknowledged after the fsync that covers it). The live graph starts afresh each iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class LiveGraphBenchmark {

    private static final int QUERIES = 4096;
    static final int BATCH = 10_000;
    static final int BATCHES = 64;

    @Param({"10000000"})
    long edges;

    @Param({"100000"})
    long steps;

    @Param({"memory", "group5ms"})
    String sync;

    /** Recent edges added before each iteration: 0 measures the views' checks alone on an all-base walk. */
    @Param({"0", "1000000"})
    int prefill;

    HeapBipartiteGraph graph;
    PixieEngine staticEngine;
    PixieQuery[] queries;
    EdgeBatch[] batches;

    @Setup(Level.Trial)
    public void setUp() {
        graph = PowerLawGraph.generate(1_000_000, 500_000, edges, 2.0, 1);
        staticEngine = new PixieEngine(graph, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        WalkRandom rnd = new WalkRandom(5);
        queries = PixieQueryBenchmark.queries(graph, steps, QUERIES, rnd);
        batches = saves(graph, rnd);
    }

    /** {@value #BATCHES} batches of {@value #BATCH} saves between the graph's pins and boards, 1% of them by new pins. */
    static EdgeBatch[] saves(BipartiteGraph graph, WalkRandom rnd) {
        EdgeBatch[] batches = new EdgeBatch[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            batches[b] = new EdgeBatch();
            for (int i = 0; i < BATCH; i++) {
                String pin = rnd.nextInt(100) == 0 ? String.valueOf(2_000_000 + rnd.nextInt(1_000_000))
                        : String.valueOf(rnd.nextInt(graph.nodeCount(Side.LEFT)));
                batches[b].add(pin, String.valueOf(rnd.nextInt(graph.nodeCount(Side.RIGHT))));
            }
        }
        return batches;
    }

    /** A live graph over the base, new each iteration, with {@code prefill} recent edges already added. */
    @State(Scope.Group)
    public static class Live {
        LiveGraph live;
        PixieEngine engine;
        Path log;
        int next;

        @Setup(Level.Iteration)
        public void open(LiveGraphBenchmark b) throws IOException {
            LiveGraph.Limits limits = new LiveGraph.Limits(Integer.MAX_VALUE, 10_000_000);
            if (b.sync.equals("memory")) {
                live = LiveGraph.inMemory(b.graph, null, null, limits);
            } else {
                log = Files.createTempFile("live-bench", ".log");
                Files.delete(log);
                live = LiveGraph.open(b.graph, null, null, log, LogSync.groupCommit(Duration.ofMillis(5)), limits,
                        Thread.ofPlatform().daemon().factory());
            }
            for (int i = 0; i < b.prefill / BATCH; i++) {
                live.add(b.batches[i % BATCHES]);
            }
            engine = new PixieEngine(live, view -> UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            live.close();
            if (log != null) {
                Files.deleteIfExists(log);
            }
        }
    }

    @Benchmark
    public int staticQuery(PixieQueryBenchmark.Caller caller) {
        return query(staticEngine, caller);
    }

    private int query(PixieEngine engine, PixieQueryBenchmark.Caller caller) {
        engine.query(queries[caller.next++ & (QUERIES - 1)], caller.result);
        return caller.result.pinCount();
    }

    @Benchmark
    @Group("idle")
    @GroupThreads(1)
    public int liveIdle(Live live, PixieQueryBenchmark.Caller caller) {
        return query(live.engine, caller);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public int liveQuery(Live live, PixieQueryBenchmark.Caller caller) {
        return query(live.engine, caller);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public long ingest(Live live) throws IOException {
        live.live.add(batches[live.next++ & (BATCHES - 1)]);
        return live.live.recentEdges();
    }
}
