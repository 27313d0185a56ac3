package io.pinsage.engine.train;

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
 * One PinSage training step (forward, max-margin loss over shared negatives, backward, Adam) on a fixed
 * minibatch, timed, and the same minibatch exported for the PyTorch reference
 * ({@code benchmarks/pytorch/pinsage_step.py}) so both run identical work.
 *
 * <p>The minibatch: {@code batch} random (query, positive) pairs and {@code negatives} shared negatives over a
 * node space of {@code nodes} nodes, each with {@code width} random neighbours (equal weights) and
 * {@code featureDim} Gaussian features; K layers. Export layout (little-endian): magic "PSSTEP01"; K, T,
 * featureDim, inputDim; convDims[K]; g1Dim, outDim, batch, negatives; count[0..K]; layer-0 features; per layer
 * self rows, neighbour rows (T per node, 0 where absent), weights (0 where absent); query, positive and negative
 * rows.
 */
public final class TrainStepBenchmark {

    private final ModelShape shape;
    private final MiniBatch batch;

    /** Builds the minibatch; deterministic for a seed. */
    public TrainStepBenchmark(int nodes, int width, int featureDim, int[] convDims, int outDim, int batchSize, int negatives,
                              long seed) {
        this.shape = new ModelShape(nodes, 0, featureDim, false, convDims[0], convDims, convDims[convDims.length - 1], outDim,
                width, true);
        Random rnd = new Random(seed);
        Neighbourhoods hood = Neighbourhoods.build(nodes, width, (u, ids, w) -> {
            for (int s = 0; s < width; s++) {
                ids[s] = rnd.nextInt(nodes);
                w[s] = 1f;
            }
            return width;
        });
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
        batch = new MiniBatchBuilder(convDims.length, hood, inputs, 0, nodes, negatives, null)
                .build(q, p, order, 0, batchSize, 0, new SplittableRandom(seed), 0, 0);
    }

    /** Nodes per layer of the minibatch's computation graph, layer 0 first. */
    public int[] layerSizes() {
        return batch.graph.count.clone();
    }

    /** Median wall time of one step in milliseconds, after {@code warmup} untimed steps. */
    public double timeSteps(int threads, int warmup, int steps) {
        try (Parallel par = new Parallel(threads)) {
            ModelParams params = ModelParams.initialize(shape, 1);
            Adam adam = new Adam(params.dense.length, 0);
            PinSageNetwork net = new PinSageNetwork(shape, par);
            PairLoss loss = new PairLoss(LossKind.MARGIN, 0.1f, 1f, false, par);
            float[] grad = params.newDenseGradient();
            float[] dOut = new float[batch.graph.count[shape.layers()] * shape.outDim()];
            double[] times = new double[steps];
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                net.forward(batch.graph, params);
                loss.lossAndGradient(batch, net.output(), net.outputRows(), shape.outDim(), dOut);
                Arrays.fill(grad, 0f);
                net.backward(params, dOut, grad);
                adam.beginStep();
                adam.updateDense(params.dense, grad, 1e-3f);
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
        ComputationGraph g = batch.graph;
        int k = shape.layers();
        int t = shape.width();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.write("PSSTEP01".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            ints(out, k, t, shape.featureDim(), shape.inputDim());
            ints(out, shape.convDims());
            ints(out, shape.g1Dim(), shape.outDim(), batch.size(), batch.negativeRow.length);
            ints(out, g.count);
            floats(out, g.input, g.count[0] * g.inputWidth);
            for (int l = 1; l <= k; l++) {
                int n = g.count[l];
                ints(out, Arrays.copyOf(g.self[l], n));
                int[] nbr = new int[n * t];
                float[] alpha = new float[n * t];
                for (int i = 0; i < n; i++) {
                    for (int s = 0; s < g.nbrCount[l][i]; s++) {
                        nbr[i * t + s] = g.nbr[l][i * t + s];
                        alpha[i * t + s] = g.alpha[l][i * t + s];
                    }
                }
                ints(out, nbr);
                floats(out, alpha, alpha.length);
            }
            ints(out, batch.queryRow);
            ints(out, batch.positiveRow);
            ints(out, batch.negativeRow);
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
