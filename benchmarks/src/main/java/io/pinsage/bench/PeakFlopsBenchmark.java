package io.pinsage.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The machine's attainable single-precision FMA rate: 12 independent vector FMA chains per thread (enough to
 * cover FMA latency on two pipes), no memory traffic. {@code oneCore} runs one thread, {@code allCores} two;
 * the {@code flop} counter is the rate to divide GEMM results by.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakFlopsBenchmark {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ITERATIONS = 1 << 16;
    private static final int CHAINS = 12;

    /** Work done, reported by JMH as a rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long flop;
    }

    /** Scalars rather than vectors in the state: a vector field would be boxed and defeat the intrinsics. */
    @State(Scope.Thread)
    public static class Operands {
        float x = 0.999f;
        float y = 1e-3f;
    }

    private static void run(Operands o, Work work, Blackhole bh) {
        FloatVector x = FloatVector.broadcast(S, o.x);
        FloatVector y = FloatVector.broadcast(S, o.y);
        FloatVector a0 = y;
        FloatVector a1 = y.add(1f);
        FloatVector a2 = y.add(2f);
        FloatVector a3 = y.add(3f);
        FloatVector a4 = y.add(4f);
        FloatVector a5 = y.add(5f);
        FloatVector a6 = y.add(6f);
        FloatVector a7 = y.add(7f);
        FloatVector a8 = y.add(8f);
        FloatVector a9 = y.add(9f);
        FloatVector a10 = y.add(10f);
        FloatVector a11 = y.add(11f);
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        bh.consume(a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11));
        work.flop += 2L * S.length() * CHAINS * ITERATIONS;
    }

    @Benchmark
    @Threads(1)
    public void oneCore(Operands o, Work work, Blackhole bh) {
        run(o, work, bh);
    }

    @Benchmark
    @Threads(2)
    public void allCores(Operands o, Work work, Blackhole bh) {
        run(o, work, bh);
    }
}
