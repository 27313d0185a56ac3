package io.pinsage.engine.train;

import io.pinsage.csr.ResourceLimits;
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
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.SampledRankingLoss;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One PinSage training step (forward, max-margin loss over shared negatives, backward, Adam) of nn-runtime's
 * model on the CPU backend, on a fixed minibatch, timed, and the same minibatch exported for the PyTorch
 * reference ({@code benchmarks/pytorch/pinsage_step.py}) so both run identical work.
 *
 * <p>The minibatch: {@code batch} random (query, positive) pairs and {@code negatives} shared negatives over a
 * node space of {@code nodes} nodes, each with {@code width} random neighbours (equal weights) and
 * {@code featureDim} Gaussian features; K layers. Export layout (little-endian): magic "PSSTEP01"; K, T,
 * featureDim, inputDim; convDims[K]; g1Dim, outDim, batch, negatives; count[0..K]; layer-0 features; per layer
 * self rows, neighbour rows (T per node, 0 where absent), weights (0 where absent); query, positive and negative
 * rows. (Layers are nested prefixes, so node i's self row is i.)
 */
public final class TrainStepBenchmark {

    private final PinSageConfig config;
    private final int width;
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
        this.width = width;
        Random rnd = new Random(seed);
        ComputationGraphBuilder.Neighborhoods hood = new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return width;
            }

            // rows drawn from the node and slot, so that none is stored
            @Override
            public int read(int node, int[] ids, float[] w, int offset) {
                SplittableRandom row = new SplittableRandom(seed ^ (long) node * 0x9E3779B97F4A7C15L);
                for (int s = 0; s < width; s++) {
                    ids[offset + s] = row.nextInt(nodes);
                    w[offset + s] = 1f / width;
                }
                return width;
            }
        };
        float[] feat = new float[nodes * featureDim];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        NodeInputs inputs = new NodeInputs(nodes, featureDim, feat, null);
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
            AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(1e-3f));
            SampledRankingLoss loss = new SampledRankingLoss(backend, config.outputDim(), RankingLossKind.MARGIN, 0.1f, 1f, false);
            Tensor dz = backend.allocate("dz", batch.graph().outputCount(), config.outputDim());
            double[] times = new double[steps];
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                Tensor z = model.forward(batch.graph());
                loss.compute(z, batch.queryRows(), batch.positiveRows(), batch.negativeRows(), batch.hardRows(), 0, dz);
                model.backward(dz);
                adam.step();
                backend.synchronize();
                if (s >= warmup) {
                    times[s - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return times[steps / 2];
        }
    }

    /** Writes the minibatch for the PyTorch reference. */
    public void export(Path file) throws IOException {
        ComputationGraph g = batch.graph();
        int k = config.layers();
        int t = width;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.write("PSSTEP01".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            ints(out, k, t, config.featureDim(), config.inputDim());
            int[] conv = new int[k];
            Arrays.fill(conv, config.convolveDim());
            ints(out, conv);
            ints(out, config.denseDim(), config.outputDim(), batch.size(), batch.negativeRows().length);
            ints(out, layerSizes());
            floats(out, g.features(), g.nodeCount(0) * g.featureDim());
            for (int l = 1; l <= k; l++) {
                int n = g.nodeCount(l);
                int[] self = new int[n];
                int[] nbr = new int[n * t];
                float[] alpha = new float[n * t];
                int[] off = g.offsets(l);
                for (int i = 0; i < n; i++) {
                    self[i] = i;
                    for (int e = off[i], s = 0; e < off[i + 1]; e++, s++) {
                        nbr[i * t + s] = g.neighbours(l)[e];
                        alpha[i * t + s] = g.weights(l)[e];
                    }
                }
                ints(out, self);
                ints(out, nbr);
                floats(out, alpha, alpha.length);
            }
            ints(out, batch.queryRows());
            ints(out, batch.positiveRows());
            ints(out, batch.negativeRows());
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
