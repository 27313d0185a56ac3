package io.pinsage.engine.bench;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.train.MiniBatchBuilder;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.Parameter;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.SampledRankingLoss;
import io.pinsage.nn.train.TrainingStep;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One PinSage training step (forward, max-margin loss over shared negatives, backward, the gradients' finite check,
 * Adam: nn-runtime's {@link TrainingStep}) on the CPU backend, on a fixed minibatch, timed, and the same minibatch
 * exported with the model's weights, loss and gradients for the PyTorch peer ({@code benchmarks/pytorch/pinsage_step.py}),
 * which runs identical work and checks that it computes the same loss and gradients.
 *
 * <p>The minibatch: {@code batch} random (query, positive) pairs and {@code negatives} shared negatives over a
 * node space of {@code nodes} nodes, each with {@code width} random neighbours (equal weights) and
 * {@code featureDim} Gaussian features; K layers. Each timed step is preceded, outside the timer, by staging the
 * minibatch ({@link PinSageModel#stage}: its upload and the backend's per-minibatch preparation of the
 * neighbourhoods), as the trainer stages the next minibatch while a step runs; the peer likewise builds its pooling
 * matrices and their transposes once, before timing.
 *
 * <p>Export layout (little-endian, format {@code PSSTEP02}, read by the peer): magic "PSSTEP02"; int K, featureDim,
 * batch, negatives; int count[0..K]; float layer-0 features; per layer k = 1..K: int edges, int offsets[count_k + 1],
 * int neighbours[edges], float weights[edges]; int query, positive and negative rows; float margin; int P; per
 * parameter: int name length, UTF-8 name, int rows, cols, float values; double loss; per parameter float gradient.
 * The weights are those after one step from the initial ones (so the biases are not zero), the loss and gradients
 * those of the next forward and backward from them. (Layers are nested prefixes, so node i's self row is i.)
 */
public final class TrainStepBenchmark {

    private static final float MARGIN = 0.1f;
    private static final float LEARNING_RATE = 1e-3f;

    private final PinSageConfig config;
    private final MiniBatch batch;

    /** Builds the minibatch; deterministic for a seed. */
    public TrainStepBenchmark(int nodes, int width, int featureDim, int dim, int layers, int outDim, int batchSize, int negatives,
                              long seed) {
        this.config = new PinSageConfig(featureDim, false, 0, dim, layers, dim, dim, dim, outDim, Pooling.MEAN, true, 1);
        // the features, then a batch's targets with their first-hop neighbours
        long rows = 2L * batchSize + negatives;
        ResourceLimits.requireHeap("nodes=" + nodes + " width=" + width + " batchSize=" + batchSize + " negatives=" + negatives,
                ResourceLimits.plus(ResourceLimits.bytes(nodes, 4L * featureDim),
                        ResourceLimits.bytes(ResourceLimits.bytes(rows, width + 1L), 4L * dim)),
                "ask for fewer nodes, a smaller width, batch or fewer negatives");
        Random rnd = new Random(seed);
        ComputationGraphBuilder.Neighborhoods hood = new RandomNeighborhoods(nodes, width, seed);
        float[] feat = new float[nodes * featureDim];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        NodeInputs inputs = NodeInputs.of(nodes, featureDim, feat, null);
        int[] q = new int[batchSize];
        int[] p = new int[batchSize];
        int[] order = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            q[i] = rnd.nextInt(nodes);
            p[i] = rnd.nextInt(nodes);
            order[i] = i;
        }
        batch = new MiniBatchBuilder(layers, hood, inputs, 0, nodes, negatives, null)
                .build(q, p, order, 0, batchSize, 0, new SplittableRandom(seed), 0, 0);
    }

    /** Nodes per layer of the minibatch's computation graph, layer 0 first. */
    public int[] layerSizes() {
        int[] sizes = new int[config.layers() + 1];
        for (int k = 0; k <= config.layers(); k++) {
            sizes[k] = batch.graph().nodeCount(k);
        }
        return sizes;
    }

    /** Median wall time of one step in milliseconds on a CPU backend of {@code threads}, after {@code warmup} untimed steps. */
    public double timeSteps(int threads, int warmup, int steps) {
        try (Backend backend = new CpuBackend(threads)) {
            PinSageModel model = new PinSageModel(backend, config);
            TrainingStep step = newStep(backend, model);
            double[] times = new double[steps];
            for (int s = 0; s < warmup + steps; s++) {
                model.stage(batch.graph());
                long t0 = System.nanoTime();
                step.run(batch, null);
                backend.synchronize();
                if (s >= warmup) {
                    times[s - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return times[steps / 2];
        }
    }

    private TrainingStep newStep(Backend backend, PinSageModel model) {
        AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(LEARNING_RATE));
        return new TrainingStep(model, new SampledRankingLoss(backend, config.outputDim(), RankingLossKind.MARGIN, MARGIN,
                1f, false), adam);
    }

    /** Writes the minibatch, the weights after one step, and the loss and gradients of the next step, for the peer. */
    public void export(Path file, int threads) throws IOException {
        ComputationGraph g = batch.graph();
        int k = config.layers();
        try (Backend backend = new CpuBackend(threads);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            PinSageModel model = new PinSageModel(backend, config);
            newStep(backend, model).run(batch, null);
            SampledRankingLoss loss = new SampledRankingLoss(backend, config.outputDim(), RankingLossKind.MARGIN, MARGIN, 1f,
                    false);
            Tensor z = model.forward(g);
            Tensor dz = backend.allocate("dz", z.rows(), z.cols());
            double value = loss.compute(z, batch.queryRows(), batch.positiveRows(), batch.negativeRows(), batch.hardRows(),
                    0, dz);
            model.backward(dz);
            out.write("PSSTEP02".getBytes(StandardCharsets.US_ASCII));
            ints(out, k, config.featureDim(), batch.size(), batch.negativeRows().length);
            ints(out, layerSizes());
            floats(out, g.features(), g.nodeCount(0) * g.featureDim());
            for (int l = 1; l <= k; l++) {
                ints(out, g.neighbours(l).length);
                ints(out, g.offsets(l));
                ints(out, g.neighbours(l));
                floats(out, g.weights(l), g.weights(l).length);
            }
            ints(out, batch.queryRows());
            ints(out, batch.positiveRows());
            ints(out, batch.negativeRows());
            floats(out, new float[] {MARGIN}, 1);
            ints(out, model.parameters().size());
            for (Parameter p : model.parameters()) {
                byte[] name = p.name().getBytes(StandardCharsets.UTF_8);
                ints(out, name.length);
                out.write(name);
                ints(out, p.value().rows(), p.value().cols());
                float[] v = Tensors.toArray(p.value());
                floats(out, v, v.length);
            }
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
            for (Parameter p : model.parameters()) {
                float[] grad = Tensors.toArray(p.gradient());
                floats(out, grad, grad.length);
            }
        }
    }

    private static void ints(DataOutputStream out, int... v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        out.write(b.array());
    }

    private static void floats(DataOutputStream out, float[] v, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v, 0, n);
        out.write(b.array());
    }
}
