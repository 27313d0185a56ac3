package io.pinsage.bench;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.PinBoardGenerator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ingest throughput, each a whole store build per operation: a TSV edge list with 64-bit ids (parse, id
 * mapping, spill, sort, both directions, id map files) and the same edge count from the synthetic
 * generator; the limit they are compared with is reading the TSV's lines without parsing them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class IngestBenchmark {

    @Param({"2000000"})
    public int edges;

    private Path dir;
    private Path tsv;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("pinsage-bench-ingest");
        tsv = dir.resolve("edges.tsv");
        SplittableRandom rnd = new SplittableRandom(11);
        try (BufferedWriter w = Files.newBufferedWriter(tsv, StandardCharsets.UTF_8)) {
            for (int i = 0; i < edges; i++) {
                w.write(Long.toString(1_000_000_000_000L + rnd.nextInt(edges / 10)));
                w.write('\t');
                w.write(Long.toString(5_000_000_000L + rnd.nextInt(edges / 100)));
                w.write('\n');
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private Path freshStore() {
        return dir.resolve("store-" + round++);
    }

    @Benchmark
    public long ingestTsvLongIds() throws IOException {
        return EdgeListIngest.ingest(List.of(tsv), freshStore(), new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false),
                CsrBuildOptions.defaults()).build().edgesOut();
    }

    @Benchmark
    public long generateAndBuild() throws IOException {
        GeneratorConfig c = GeneratorConfig.of(edges / 10, edges / 100, edges, 3).withFeatureDim(0).withHeldOutPairs(0);
        return new PinBoardGenerator(c).writeStore(freshStore(), CsrBuildOptions.defaults()).totalBytes();
    }

    /** The limit: read the TSV's lines without parsing them. */
    @Benchmark
    public long readLinesOnly() throws IOException {
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            while (r.readLine() != null) {
                n++;
            }
        }
        return n;
    }
}
