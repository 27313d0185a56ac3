package io.pinsage.bench;

import io.pinsage.gpu.CudaBackend;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
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
 * The host's share of one training step on the CUDA backend, measured without a GPU: the backend runs on a device
 * whose kernels and copies do nothing ({@link CudaBackend#issueOnly()}), so what is timed is what the host must do
 * to issue the step (checks, index range checks, padded layouts, staging copies of the minibatch, bookkeeping),
 * the time during which a GPU that is faster than the host waits.
 *
 * <p>A step as the trainer runs it: forward, the sampled-softmax loss (1,000 shared negatives), backward, the loss
 * read, the gradients' finiteness check and Adam. {@code staged = false}: the forward uploads the minibatch itself.
 * {@code staged = true}: the minibatch was staged beforehand ({@code PinSageModel.stage}, untimed), as the trainer
 * does while the device runs the previous step's backward. Quickstart-like shape: 200,000 nodes with 16 features
 * and 1 to 10 weighted neighbours each, K = 2, widths 64, batch 512; eight minibatches in turn (each with its own
 * nodes, so nothing is cached between consecutive steps).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
@State(Scope.Benchmark)
public class StepIssueBenchmark {

    private static final int NODES = 200_000;
    private static final int FEATURES = 16;
    private static final int T = 10;
    private static final int BATCH = 512;
    private static final int SHARED = 1000;
    private static final int DIM = 64;
    private static final int BATCHES = 8;

    @Param({"false", "true"})
    public boolean staged;

    private Backend backend;
    private PinSageModel model;
    private AdamOptimizer adam;
    private SampledRankingLoss loss;
    private Tensor dz;
    private final ComputationGraph[] graphs = new ComputationGraph[BATCHES];
    private int[] queries;
    private int[] positives;
    private int[] shared;
    private int next;
    private ComputationGraph graph;

    @Setup(Level.Trial)
    public void setUp() {
        backend = CudaBackend.issueOnly();
        model = new PinSageModel(backend, new PinSageConfig(FEATURES, true, 0, DIM, 2, DIM, DIM, DIM, DIM, Pooling.MEAN,
                true, 7));
        adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(1e-3f));
        loss = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, 0.1f, 0.1f, false);
        Random random = new Random(11);
        int[][] neighbours = new int[NODES][];
        float[][] weights = new float[NODES][];
        for (int u = 0; u < NODES; u++) {
            int degree = 1 + random.nextInt(T);
            neighbours[u] = new int[degree];
            weights[u] = new float[degree];
            for (int i = 0; i < degree; i++) {
                neighbours[u][i] = random.nextInt(NODES);
                weights[u][i] = 1 + random.nextInt(5);
            }
        }
        float[] features = new float[NODES * FEATURES];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextGaussian();
        }
        float[] logDegrees = new float[NODES];
        for (int u = 0; u < NODES; u++) {
            logDegrees[u] = (float) Math.log1p(neighbours[u].length);
        }
        int width = java.util.Arrays.stream(neighbours).mapToInt(r -> r.length).max().orElse(0);
        ComputationGraphBuilder builder = new ComputationGraphBuilder(2, new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int read(int node, int[] ids, float[] w, int offset) {
                System.arraycopy(neighbours[node], 0, ids, offset, neighbours[node].length);
                System.arraycopy(weights[node], 0, w, offset, neighbours[node].length);
                return neighbours[node].length;
            }
        }, ComputationGraphBuilder.NodeInputs.of(features, FEATURES, logDegrees));
        int outputs = 2 * BATCH + SHARED;
        for (int b = 0; b < BATCHES; b++) {
            graphs[b] = builder.build(random.ints(0, NODES).distinct().limit(outputs).toArray(), outputs);
        }
        queries = range(0, BATCH);
        positives = range(BATCH, 2 * BATCH);
        shared = range(2 * BATCH, outputs);
        dz = backend.allocate("dz", outputs, DIM);
    }

    private static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    /** The next minibatch in turn, staged here (untimed) when {@link #staged}. */
    @Setup(Level.Invocation)
    public void nextMinibatch() {
        graph = graphs[next];
        next = (next + 1) % BATCHES;
        if (staged) {
            model.stage(graph);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    /** Milliseconds of host time for one step. */
    @Benchmark
    public double step() {
        Tensor z = model.forward(graph);
        loss.issue(z, queries, positives, shared, new int[0], 0, dz);
        model.backward(dz);
        double l = loss.loss();
        model.firstNonFiniteGradient();
        adam.step();
        return l;
    }
}
