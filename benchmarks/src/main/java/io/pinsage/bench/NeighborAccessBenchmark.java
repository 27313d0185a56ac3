package io.pinsage.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.MappedCsrGraph;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Neighbour access on the store against the same graph in Java arrays ({@link HeapBipartiteGraph}, the peer): a
 * dependent pin–board–pin walk (one cache miss after another, the Pixie access pattern), the same walk for many
 * walkers in lockstep (the walk engine's pattern) and a sequential scan of a side's adjacency (the all-nodes pass
 * of neighbourhood computation and inference). The store is read memory-mapped as one shard per side
 * ({@code mapped}), memory-mapped as four shards per side ({@code mappedSharded}, the shape of stores above 2^27
 * edges) and copied into huge pages ({@code anonymous}, {@link Residency#ANONYMOUS_HUGE_PAGES}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class NeighborAccessBenchmark {

    private static final int WALK_STEPS = 1 << 16;
    private static final int LANES = 32;

    @Param({"mapped", "mappedSharded", "anonymous", "heap"})
    public String graph;

    @Param({"10000000"})
    public long edges;

    private Path dir;
    private MappedCsrGraph mapped;
    private BipartiteGraph g;
    private long rng = 0x9E3779B97F4A7C15L;
    private int pin;
    private final int[] lanes = new int[LANES];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("pinsage-bench-access");
        int pins = (int) (edges / 10), boards = (int) (edges / 100);
        CsrBuildOptions build = CsrBuildOptions.defaults();
        if (graph.equals("mappedSharded")) {
            build = build.withEdgesPerShard((int) (edges / 4 + 1));
        }
        new PinBoardGenerator(GeneratorConfig.of(pins, boards, edges, 7).withFeatureDim(0).withHeldOutPairs(0))
                .writeStore(dir, build);
        mapped = MappedCsrGraph.open(dir, graph.equals("anonymous") ? Residency.ANONYMOUS_HUGE_PAGES : Residency.MAPPED);
        g = graph.equals("heap") ? toHeap(mapped) : mapped;
        for (int w = 0; w < LANES; w++) {
            do {
                lanes[w] = next(g.nodeCount(Side.LEFT));
            } while (g.degree(Side.LEFT, lanes[w]) == 0);
        }
    }

    private static HeapBipartiteGraph toHeap(MappedCsrGraph m) {
        int e = (int) m.edgeCount();
        int[] l = new int[e], r = new int[e];
        int k = 0;
        for (int u = 0; u < m.nodeCount(Side.LEFT); u++) {
            for (int i = 0; i < m.degree(Side.LEFT, u); i++) {
                l[k] = u;
                r[k++] = m.neighbor(Side.LEFT, u, i);
            }
        }
        return HeapBipartiteGraph.of(m.nodeCount(Side.LEFT), m.nodeCount(Side.RIGHT), l, r, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        mapped.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private int next(int bound) {
        rng ^= rng << 13;
        rng ^= rng >>> 7;
        rng ^= rng << 17;
        return (int) (((rng >>> 33) * bound) >>> 31);
    }

    /** One pin → board → pin step per operation, each choice depending on the previous read. */
    @Benchmark
    @OperationsPerInvocation(WALK_STEPS)
    public int walkStep() {
        int p = pin;
        for (int s = 0; s < WALK_STEPS; s++) {
            int d = g.degree(Side.LEFT, p);
            if (d == 0) {
                p = next(g.nodeCount(Side.LEFT));
                continue;
            }
            int b = g.neighbor(Side.LEFT, p, next(d));
            p = g.neighbor(Side.RIGHT, b, next(g.degree(Side.RIGHT, b)));
        }
        pin = p;
        return p;
    }

    /**
     * The same pin → board → pin step for {@value #LANES} independent walkers advanced in lockstep, as the walk
     * engine does: their cache misses overlap, so the accessors' own instructions (shard lookup, segment checks)
     * show instead of memory latency.
     */
    @Benchmark
    @OperationsPerInvocation(WALK_STEPS)
    public int walkStepLanes() {
        int[] p = lanes;
        for (int s = 0; s < WALK_STEPS / LANES; s++) {
            for (int w = 0; w < LANES; w++) {
                int u = p[w];
                int b = g.neighborAt(Side.LEFT, g.firstEdge(Side.LEFT, u) + next(g.degree(Side.LEFT, u)));
                p[w] = g.neighborAt(Side.RIGHT, g.firstEdge(Side.RIGHT, b) + next(g.degree(Side.RIGHT, b)));
            }
        }
        return p[0];
    }

    /** Reads every neighbour id of the left side once, in order; per edge. */
    @Benchmark
    @OperationsPerInvocation(1)
    public long scanLeftAdjacency() {
        long sum = 0;
        int n = g.nodeCount(Side.LEFT);
        for (int u = 0; u < n; u++) {
            long first = g.firstEdge(Side.LEFT, u);
            int d = g.degree(Side.LEFT, u);
            for (int i = 0; i < d; i++) {
                sum += g.neighborAt(Side.LEFT, first + i);
            }
        }
        return sum;
    }
}
