package io.pinsage.bench;

import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gather–aggregate (importance pooling) of the CPU backend in bytes per second ({@code bytes} counter: every
 * gathered source row and the targets written; the backward pass is counted as a scatter-add's read and write
 * of a source row per edge, whichever way the backend organises it),
 * against {@code stream}: a two-thread sum over an array as large as the source, the attainable memory read
 * rate measured in the same run. Shapes: 4096 targets x T = 50 neighbours drawn uniformly from 65 536 source
 * rows of 256 floats (64 MiB, beyond the last-level cache).
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Benchmark)
public class AggregateBenchmark {

    private static final int SOURCES = 65_536;
    private static final int TARGETS = 4096;
    private static final int T = 50;
    private static final int COLS = 256;

    private CpuBackend backend;
    private Tensor src;
    private Tensor out;
    private Tensor grad;
    private IndexBuffer offsets;
    private IndexBuffer neighbours;
    private Tensor weights;
    private float[] streamArray;

    @Param({"2"})
    public int threads;

    /** Work done, reported by JMH as a rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        Random random = new Random(11);
        float[] values = new float[SOURCES * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        src = Tensors.of(backend, "src", SOURCES, COLS, values);
        streamArray = values;
        int[] off = new int[TARGETS + 1];
        int[] nb = new int[TARGETS * T];
        float[] alpha = new float[TARGETS * T];
        for (int u = 0; u < TARGETS; u++) {
            off[u + 1] = (u + 1) * T;
            for (int e = u * T; e < (u + 1) * T; e++) {
                nb[e] = random.nextInt(SOURCES);
                alpha[e] = random.nextFloat();
            }
        }
        offsets = Tensors.of(backend, "offsets", off);
        neighbours = Tensors.of(backend, "neighbours", nb);
        weights = Tensors.of(backend, "alpha", TARGETS * T, 1, alpha);
        out = backend.allocate("out", TARGETS, COLS);
        grad = backend.allocate("dSrc", SOURCES, COLS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void forward(Work work) {
        backend.aggregate(Pooling.MEAN, src, offsets, neighbours, weights, out, null);
        work.bytes += (long) TARGETS * T * COLS * Float.BYTES + (long) TARGETS * COLS * Float.BYTES;
    }

    @Benchmark
    public void backward(Work work) {
        backend.aggregateBackward(Pooling.MEAN, out, offsets, neighbours, weights, null, grad);
        work.bytes += 2L * TARGETS * T * COLS * Float.BYTES + (long) TARGETS * COLS * Float.BYTES;
    }

    /** Two threads each summing half of a source-sized array: the read bandwidth limit. */
    @Benchmark
    @Threads(2)
    public float stream(StreamSlice slice, Work work) {
        float[] a = streamArray;
        int half = a.length / 2;
        int from = slice.index * half;
        VectorSpecies<Float> species = FloatVector.SPECIES_PREFERRED;
        FloatVector acc0 = FloatVector.zero(species);
        FloatVector acc1 = acc0;
        int lanes = species.length();
        for (int i = from; i < from + half; i += 2 * lanes) {
            acc0 = acc0.add(FloatVector.fromArray(species, a, i));
            acc1 = acc1.add(FloatVector.fromArray(species, a, i + lanes));
        }
        work.bytes += (long) half * Float.BYTES;
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** Which half of the stream array a benchmark thread sums. */
    @State(Scope.Thread)
    public static class StreamSlice {
        private static final AtomicInteger NEXT = new AtomicInteger();
        final int index = NEXT.getAndIncrement() % 2;
    }
}
