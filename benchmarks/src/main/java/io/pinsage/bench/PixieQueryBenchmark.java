package io.pinsage.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.PowerLawGraph;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;
import io.pinsage.walk.WalkTable;
import io.pinsage.walk.WeightedEdgeChooser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Pixie query latency distribution (JMH sample mode gives p50/p99/p99.9): one pin per query, a different pin
 * each call, N steps, on a seeded power-law graph held on the heap, walked by the CSR engine or by the engine over
 * a {@link WalkTable} ({@code engine} parameter). Run with {@code -t 2} for the two-thread throughput figure; the
 * engine is shared, each thread reuses its own result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PixieQueryBenchmark {

    private static final int QUERIES = 4096;

    @Param({"100000"})
    long steps;

    @Param({"40000000"})
    long edges;

    @Param({"32", "64"})
    int lanes;

    /**
     * {@code csr}: {@code PixieEngine} on the graph; {@code table}: on a {@link WalkTable} built from it;
     * {@code csr-weighted}: on the graph with random edge weights in [1, 10), walked in proportion to them
     * ({@link WeightedEdgeChooser}); {@code table-weighted}: the same walks over a {@link WalkTable#weighted} table.
     */
    @Param({"csr", "table", "csr-weighted", "table-weighted"})
    String engineKind;

    private PixieEngine engine;
    private PixieQuery[] queries;

    @Setup(Level.Trial)
    public void setUp() {
        HeapBipartiteGraph graph = PowerLawGraph.generate(1_000_000, 500_000, edges, 2.0, 1,
                engineKind.endsWith("-weighted"));
        engine = switch (engineKind) {
            case "csr" -> new PixieEngine(graph, UniformEdgeChooser.INSTANCE, lanes);
            case "table" -> new PixieEngine(WalkTable.of(graph), lanes);
            case "csr-weighted" -> new PixieEngine(graph, new WeightedEdgeChooser(graph), lanes);
            case "table-weighted" -> new PixieEngine(WalkTable.weighted(graph), lanes);
            default -> throw new IllegalArgumentException("engineKind=" + engineKind
                    + ": expected csr, table, csr-weighted or table-weighted");
        };
        queries = queries(graph, steps, QUERIES, new WalkRandom(5));
    }

    /** {@code count} one-pin queries of {@code steps} steps from random pins with edges, top 100, seeded by index. */
    static PixieQuery[] queries(BipartiteGraph graph, long steps, int count, WalkRandom rnd) {
        PixieQuery[] queries = new PixieQuery[count];
        for (int i = 0; i < count; i++) {
            int pin;
            do {
                pin = rnd.nextInt(graph.nodeCount(Side.LEFT));
            } while (graph.degree(Side.LEFT, pin) == 0);
            queries[i] = PixieQuery.builder().pin(pin, 1f).steps(steps).topPins(100).seed(i).build();
        }
        return queries;
    }

    /** Per-thread query cursor and reusable result, so the measured loop allocates nothing. */
    @State(Scope.Thread)
    public static class Caller {
        final PixieResult result = new PixieResult();
        int next;
    }

    @Benchmark
    public int query(Caller caller) {
        engine.query(queries[caller.next++ & (QUERIES - 1)], caller.result);
        return caller.result.pinCount();
    }
}
