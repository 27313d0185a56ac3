package io.pinsage.bench;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.PowerLawGraph;
import io.pinsage.walk.RandomReadProbe;
import io.pinsage.walk.RandomWalker;
import io.pinsage.walk.TableWalker;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;
import io.pinsage.walk.WalkTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The walk step loop against its physical limit, in one run: uniform walk steps per second with 1..256 walkers in
 * lockstep over the CSR graph ({@code steps}) and over its walk table ({@code tableSteps}), and dependent random
 * reads per second with as many pointer-chasing chains over memory as large as the graph's CSR ({@code reads}) and
 * as its walk table ({@code tableReads}). Each operation is one step or one read, so the scores compare
 * directly. Graph: a seeded power-law pin–board graph (default 1 M pins, 0.5 M boards, 40 M edges; raise
 * {@code edges} with -p for cache-cold figures and a larger heap).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class WalkStepBenchmark {

    /** Steps per call; a multiple of 2·256 so every lane count divides it into an even number of hops. */
    private static final int HOPS = 4096;

    @Param({"1", "16", "64", "256"})
    int lanes;

    @Param({"40000000"})
    long edges;

    private HeapBipartiteGraph graph;
    private RandomWalker walker;
    private RandomReadProbe probe;
    private RandomReadProbe tableProbe;
    private int[] walkers;
    private TableWalker tableWalker;
    private int[] tableWalkers;

    @Setup(Level.Trial)
    public void setUp() {
        graph = PowerLawGraph.generate(1_000_000, 500_000, edges, 2.0, 1);
        walker = new RandomWalker(graph, UniformEdgeChooser.INSTANCE, lanes);
        long graphBytes = 8 * graph.edgeCount() + 8L * (1_500_000 + 2);
        probe = new RandomReadProbe(graphBytes, 1);
        tableProbe = new RandomReadProbe(8 * graph.edgeCount(), 2); // the table's slots
        walkers = new int[lanes];
        WalkRandom rnd = new WalkRandom(2);
        for (int w = 0; w < lanes; w++) {
            int p;
            do {
                p = rnd.nextInt(graph.nodeCount(Side.LEFT));
            } while (graph.degree(Side.LEFT, p) == 0);
            walkers[w] = p;
        }
        WalkTable table = WalkTable.of(graph);
        tableWalker = new TableWalker(table, lanes);
        tableWalkers = new int[lanes];
        for (int w = 0; w < lanes; w++) {
            tableWalkers[w] = table.key(Side.LEFT, walkers[w]);
        }
    }

    /** Steps per microsecond: each call advances the walkers by {@code HOPS} steps in all (an even count each). */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public int steps() {
        walker.advanceUniform(Side.LEFT, walkers, HOPS / lanes);
        return walkers[0];
    }

    /** Steps per microsecond over the graph's {@link WalkTable}: one dependent read per step instead of two. */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public int tableSteps() {
        tableWalker.advanceUniform(Side.LEFT, tableWalkers, HOPS / lanes);
        return tableWalkers[0];
    }

    /** Dependent random reads per microsecond: {@code HOPS} reads in all over {@code lanes} chains. */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public long reads() {
        return probe.run(lanes, HOPS / lanes);
    }

    /** As {@link #reads()} over a cycle as large as the walk table (twice the CSR): the limit of {@link #tableSteps()}. */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public long tableReads() {
        return tableProbe.run(lanes, HOPS / lanes);
    }
}
