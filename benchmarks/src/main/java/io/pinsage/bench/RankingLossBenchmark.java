package io.pinsage.bench;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.SampledRankingLoss;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The sampled ranking loss of one minibatch with its gradient, as the trainer computes it after the forward pass:
 * the quickstart's shape (batch 512, 1,000 shared negatives, {@code hard} hard negatives per query, 64-wide
 * outputs) on the CPU backend: the gathers, the score GEMM, {@code Backend.rankingLossRows} (each query's loss and
 * score gradient, in place) and the two gradient GEMMs, then the read-back of the row losses.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Benchmark)
public class RankingLossBenchmark {

    private static final int BATCH = 512;
    private static final int SHARED = 1000;
    private static final int DIM = 64;

    @Param({"SOFTMAX", "MARGIN"})
    public RankingLossKind kind;

    @Param({"1"})
    public int hard;

    private CpuBackend backend;
    private SampledRankingLoss loss;
    private Tensor z;
    private Tensor dz;
    private int[] queries;
    private int[] positives;
    private int[] shared;
    private int[] hardRows;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(2);
        Random random = new Random(5);
        int rows = 2 * BATCH + SHARED + BATCH * hard;
        float[] values = new float[rows * DIM];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.2 * random.nextGaussian());
        }
        z = Tensors.of(backend, "z", rows, DIM, values);
        dz = backend.allocate("dz", rows, DIM);
        queries = new int[BATCH];
        positives = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            queries[i] = i;
            positives[i] = BATCH + i;
        }
        shared = new int[SHARED];
        for (int j = 0; j < SHARED; j++) {
            shared[j] = 2 * BATCH + j;
        }
        hardRows = new int[BATCH * hard];
        for (int k = 0; k < hardRows.length; k++) {
            hardRows[k] = 2 * BATCH + SHARED + k;
        }
        loss = new SampledRankingLoss(backend, DIM, kind, 0.1f, 0.1f, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    /** Milliseconds per minibatch: gathers, scores, the per-row loss and gradient, the gradient GEMMs. */
    @Benchmark
    public double lossAndGradient() {
        return loss.compute(z, queries, positives, shared, hardRows, hard, dz);
    }
}
