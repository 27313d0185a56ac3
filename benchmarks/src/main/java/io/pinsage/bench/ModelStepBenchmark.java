package io.pinsage.bench;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
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
 * One PinSage training step on the CPU backend, as the trainer runs it once a minibatch is built: upload,
 * forward through K = 2 CONVOLVE layers and G1/G2, margin loss over 500 shared negatives ({@link SampledRankingLoss}),
 * backward, Adam.
 * Batch 512 (query, positive) pairs, T = 50 neighbours, 256 content features, widths 256/256/128, on random
 * neighbourhoods over 50 000 nodes (so layer 0 holds most of them, as with real walks on a graph that size).
 * Graph construction is the samplers' job and is not timed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
@State(Scope.Benchmark)
public class ModelStepBenchmark {

    private static final int NODES = 50_000;
    private static final int T = 50;
    private static final int BATCH = 512;
    private static final int SHARED_NEGATIVES = 500;
    private static final int FEATURES = 256;

    @Param({"2"})
    public int threads;

    private CpuBackend backend;
    private PinSageModel model;
    private AdamOptimizer adam;
    private ComputationGraph graph;
    private int[] queryRows;
    private int[] positiveRows;
    private int[] negativeRows;
    private SampledRankingLoss lossHead;
    private Tensor dEmbeddings;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        model = new PinSageModel(backend, PinSageConfig.defaults(FEATURES, 0));
        adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(1e-3f));
        Random random = new Random(3);
        int[][] neighbours = new int[NODES][T];
        float[] features = new float[NODES * FEATURES];
        for (int u = 0; u < NODES; u++) {
            for (int i = 0; i < T; i++) {
                neighbours[u][i] = random.nextInt(NODES);
            }
        }
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextGaussian();
        }
        float[] logDegrees = new float[NODES];
        java.util.Arrays.fill(logDegrees, (float) Math.log1p(T));
        ComputationGraphBuilder builder = new ComputationGraphBuilder(2, new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return T;
            }

            @Override
            public int read(int node, int[] ids, float[] w, int offset) {
                for (int i = 0; i < T; i++) {
                    ids[offset + i] = neighbours[node][i];
                    w[offset + i] = 1f / (1 + i);
                }
                return T;
            }
        }, ComputationGraphBuilder.NodeInputs.of(features, FEATURES, logDegrees));
        // Outputs: distinct queries, positives and shared negatives, in that order.
        int outputs = 2 * BATCH + SHARED_NEGATIVES;
        int[] ids = random.ints(0, NODES).distinct().limit(outputs).toArray();
        graph = builder.build(ids, outputs);
        queryRows = range(0, BATCH);
        positiveRows = range(BATCH, 2 * BATCH);
        negativeRows = range(2 * BATCH, outputs);
        lossHead = new SampledRankingLoss(backend, model.config().outputDim(), RankingLossKind.MARGIN, 0.1f, 1f,
                false);
        dEmbeddings = backend.allocate("dz", outputs, model.config().outputDim());
    }

    private static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public double step() {
        Tensor z = model.forward(graph);
        double loss = lossHead.compute(z, queryRows, positiveRows, negativeRows, new int[0], 0, dEmbeddings);
        model.backward(dEmbeddings);
        adam.step();
        return loss;
    }

    /** Layer sizes of the benchmarked minibatch, for the record. */
    public static void main(String[] args) {
        ModelStepBenchmark b = new ModelStepBenchmark();
        b.threads = 2;
        b.setUp();
        System.out.println(b.graph);
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            double l = b.step();
            System.out.printf("step %d: %.1f ms, loss %.4f%n", i, (System.nanoTime() - t) / 1e6, l);
        }
        b.tearDown();
    }
}
