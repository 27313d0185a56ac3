package io.pinsage.bench;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.cpu.CpuBackend;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;

/**
 * SGEMM of the CPU backend in floating-point operations per second ({@code flop} counter, {@code 2·M·N·K} per
 * call), for the shapes a PinSage step runs: {@code fwd} {@code [n x 256]·[256 x 256]}, {@code dgrad}
 * {@code [n x 256]·[256 x 256]ᵀ}, {@code wgrad} {@code [n x 256]ᵀ·[n x 256]} (a long inner dimension), and a
 * square 1024 case. Compare with {@link PeakFlopsBenchmark} from the same run for the fraction of peak.
 *
 * <p>{@code mixed = true} first runs every other shape's GEMM in the trial's JVM, with {@code beta} 0 and 1, as a
 * training step does: JMH forks each parameter set, so without it each shape is measured on code the JIT compiled for
 * that shape alone, which can be faster than what a process running them all gets.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Benchmark)
public class GemmBenchmark {

    @Param({"fwd", "dgrad", "wgrad", "square"})
    public String shape;

    @Param({"2"})
    public int threads;
    @Param({"false", "true"})
    public boolean mixed;

    private CpuBackend backend;
    private Tensor a;
    private Tensor b;
    private Tensor c;
    private boolean transA;
    private boolean transB;
    private long flopsPerCall;

    /** Work done, reported by JMH as a rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long flop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (mixed) {
            for (String other : new String[] {"fwd", "dgrad", "wgrad", "square"}) {
                for (float beta : new float[] {0f, 1f}) {
                    shape(other, beta);
                    backend.close();
                }
            }
        }
        shape(shape, -1f);
    }

    /** Sets up {@code s}; with {@code warmBeta >= 0}, also runs it for a few seconds with that beta. */
    private void shape(String s, float warmBeta) {
        backend = new CpuBackend(threads);
        int n = 16384;
        int d = 256;
        switch (s) {
            case "fwd" -> init(n, d, d, d, n, d, false, false);
            case "dgrad" -> init(n, d, d, d, n, d, false, true);
            case "wgrad" -> init(n, d, n, d, d, d, true, false);
            case "square" -> init(1024, 1024, 1024, 1024, 1024, 1024, false, false);
            default -> throw new IllegalArgumentException("shape=" + s);
        }
        if (warmBeta >= 0) {
            long end = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < end) {
                backend.gemm(transA, transB, 1f, a, b, warmBeta, c);
            }
        }
    }

    private void init(int aRows, int aCols, int bRows, int bCols, int cRows, int cCols, boolean ta, boolean tb) {
        Random random = new Random(7);
        a = random(aRows, aCols, random);
        b = random(bRows, bCols, random);
        c = backend.allocate("C", cRows, cCols);
        transA = ta;
        transB = tb;
        int k = ta ? aRows : aCols;
        flopsPerCall = 2L * cRows * cCols * k;
    }

    private Tensor random(int rows, int cols, Random random) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() - 0.5f;
        }
        Tensor t = backend.allocate("M", rows, cols);
        backend.upload(v, 0, t);
        return t;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void gemm(Work work) {
        backend.gemm(transA, transB, 1f, a, b, 0f, c);
        work.flop += flopsPerCall;
    }
}
