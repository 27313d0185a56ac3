package io.pinsage.engine.train;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinSageNetworkGradientTest {

    static Neighbourhoods randomHood(int n, int t, long seed) {
        Random rnd = new Random(seed);
        return Neighbourhoods.build(n, t, (u, ids, w) -> {
            int c = rnd.nextInt(t + 1);
            for (int s = 0; s < c; s++) {
                ids[s] = rnd.nextInt(n);
                w[s] = 0.1f + rnd.nextFloat();
            }
            return c;
        });
    }

    static NodeInputs randomInputs(int n, int f, boolean logDegree, long seed) {
        Random rnd = new Random(seed);
        float[] feat = new float[n * f];
        float[] deg = new float[n];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            deg[i] = (float) Math.log1p(rnd.nextInt(10));
        }
        return new NodeInputs(n, f, f == 0 ? null : feat, logDegree ? deg : null);
    }

    private double loss(PinSageNetwork net, PairLoss loss, MiniBatch batch, ModelParams p, int outDim) {
        net.forward(batch.graph(), p);
        float[] d = new float[net.outputRows() * outDim];
        return loss.lossAndGradient(batch, net.output(), net.outputRows(), outDim, d);
    }

    private void check(ModelShape shape, LossKind kind, long seed) {
        int n = shape.nodeCount();
        Neighbourhoods hood = randomHood(n, shape.width(), seed);
        NodeInputs inputs = randomInputs(n, shape.featureDim(), shape.logDegree(), seed + 1);
        try (Parallel par = new Parallel(2)) {
            ModelParams p = ModelParams.initialize(shape, seed);
            HardNegatives hard = (q, r) -> r.nextInt(n);
            MiniBatchBuilder builder = new MiniBatchBuilder(shape.layers(), hood, inputs, 0, n, 5, hard);
            int[] q = {0, 1, 2, 3};
            int[] pos = {5, 6, 7, 5};
            MiniBatch batch = builder.build(q, pos, new int[] {0, 1, 2, 3}, 0, 4, 2, new SplittableRandom(seed), 0, 0);
            PinSageNetwork net = new PinSageNetwork(shape, par);
            PairLoss loss = new PairLoss(kind, 0.5f, 0.5f, true, par);
            net.forward(batch.graph(), p);
            float[] dOut = new float[net.outputRows() * shape.outDim()];
            loss.lossAndGradient(batch, net.output(), net.outputRows(), shape.outDim(), dOut);
            float[] grad = p.newDenseGradient();
            net.backward(p, dOut, grad);
            float[] embGrad = new float[p.embedding.length];
            int stride = net.embeddingGradientStride();
            ComputationGraph g = batch.graph();
            for (int i = 0; i < g.count[0]; i++) {
                for (int j = 0; j < shape.embedDim(); j++) {
                    embGrad[g.nodes[0][i] * shape.embedDim() + j] += net.embeddingGradient()[i * stride + j];
                }
            }
            double base1 = loss(net, loss, batch, p, shape.outDim());
            double base2 = loss(net, loss, batch, p, shape.outDim());
            assertEquals(base1, base2, 1e-9, "loss must be a pure function of the parameters");
            Random pick = new Random(seed);
            double eps = 1e-3;
            int checked = 0;
            int bad = 0;
            StringBuilder report = new StringBuilder();
            for (int trial = 0; trial < 120; trial++) {
                boolean dense = trial % 2 == 0 || p.embedding.length == 0;
                float[] arr = dense ? p.dense : p.embedding;
                int idx = pick.nextInt(arr.length);
                float old = arr[idx];
                arr[idx] = (float) (old + eps);
                double up = loss(net, loss, batch, p, shape.outDim());
                arr[idx] = (float) (old - eps);
                double down = loss(net, loss, batch, p, shape.outDim());
                arr[idx] = old;
                double numeric = (up - down) / (2 * eps);
                double analytic = dense ? grad[idx] : embGrad[idx];
                checked++;
                if (Math.abs(numeric - analytic) > 2e-3 + 0.05 * Math.abs(numeric)) {
                    bad++;
                    report.append(String.format("%n %s[%d] numeric=%.6f analytic=%.6f", dense ? "dense" : "emb", idx, numeric, analytic));
                }
            }
            // A few coordinates may straddle a ReLU or hinge kink; more than that is a wrong gradient.
            assertTrue(bad <= checked / 20, "seed=" + seed + " " + kind + " mismatches=" + bad + report);
        }
    }

    @Test
    void shouldMatchFiniteDifferencesWithSoftmaxLossOnRaggedDims() {
        // Widths are not multiples of the vector length (scalar tails), yet wide enough that no row is all-zero after a
        // ReLU: normalising such a row is discontinuous and finite differences would be meaningless there.
        check(new ModelShape(20, 7, 2, true, 19, new int[] {21, 18}, 23, 17, 3, true), LossKind.SOFTMAX, 11);
    }

    @Test
    void shouldMatchFiniteDifferencesWithMarginLossOnVectorDims() {
        check(new ModelShape(30, 16, 0, true, 16, new int[] {32, 16}, 16, 16, 4, false), LossKind.MARGIN, 12);
    }

    @Test
    void shouldMatchFiniteDifferencesWithOneLayerAndFeaturesOnly() {
        check(new ModelShape(25, 0, 17, false, 16, new int[] {16}, 32, 16, 5, true), LossKind.SOFTMAX, 13);
    }

    @Test
    void shouldGiveTheSameEmbeddingsForABatchAsForAllNodes() {
        ModelShape shape = new ModelShape(40, 8, 3, true, 16, new int[] {16, 16}, 16, 16, 4, true);
        Neighbourhoods hood = randomHood(40, 4, 5);
        NodeInputs inputs = randomInputs(40, 3, true, 6);
        try (Parallel par = new Parallel(2)) {
            ModelParams p = ModelParams.initialize(shape, 3);
            PinSageNetwork all = new PinSageNetwork(shape, par);
            all.forward(ComputationGraph.allNodes(2, hood, inputs), p);
            MiniBatch batch = new MiniBatchBuilder(2, hood, inputs, 0, 40, 3, null)
                    .build(new int[] {7, 9}, new int[] {11, 13}, new int[] {0, 1}, 0, 2, 0, new SplittableRandom(1), 0, 0);
            PinSageNetwork one = new PinSageNetwork(shape, par);
            one.forward(batch.graph(), p);
            ComputationGraph g = batch.graph();
            for (int i = 0; i < g.count[2]; i++) {
                int node = g.nodes[2][i];
                for (int j = 0; j < 16; j++) {
                    assertEquals(all.output()[node * 16 + j], one.output()[i * 16 + j], 1e-5, "node " + node);
                }
            }
        }
    }
}
