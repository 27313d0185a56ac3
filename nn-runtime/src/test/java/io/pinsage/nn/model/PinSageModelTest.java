package io.pinsage.nn.model;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole model's backward pass against central differences of its forward pass, on a tiny random graph.
 * Randomized: seed from {@code -Dtests.seed=N} or the clock, printed in every failure.
 */
class PinSageModelTest extends SeededCpuTest {

    private static final int NODES = 12;
    private PinSageConfig tinyConfig(Pooling pooling, boolean normalize) {
        return new PinSageConfig(3, true, NODES, 6, 2, 6, 10, 16, 4, pooling, normalize, seed);
    }

    private ComputationGraph tinyGraph(int featureDim) {
        return tinyGraph(featureDim, 2);
    }

    private ComputationGraph tinyGraph(int featureDim, int layers) {
        ComputationGraphBuilder builder = new ComputationGraphBuilder(layers, TinyGraphs.neighborhoods(random, NODES, 4),
                TinyGraphs.inputs(random, NODES, featureDim));
        return builder.build(new int[] {5, 1, 9}, 3);
    }

    @Test
    void shouldMatchFiniteDifferencesForEveryParameterWithMeanPooling() {
        checkGradients(tinyConfig(Pooling.MEAN, true));
    }

    @Test
    void shouldMatchFiniteDifferencesForEveryParameterWithSumPoolingAndRawOutput() {
        checkGradients(tinyConfig(Pooling.SUM, false));
    }

    @Test
    void shouldMatchFiniteDifferencesWithIdEmbeddingsAsTheOnlyInput() {
        checkGradients(new PinSageConfig(0, false, NODES, 6, 2, 6, 10, 16, 4, Pooling.MEAN, true, seed));
    }

    @Test
    void shouldMatchFiniteDifferencesWithProjectedIdEmbeddingsBesideFeatures() {
        checkGradients(new PinSageConfig(3, true, NODES, 4, 6, 2, 6, 10, 16, 4, Pooling.MEAN, true, seed));
    }

    @Test
    void shouldMatchFiniteDifferencesWithAHashedIdTableWhoseRowsAreShared() {
        // 3 rows for 12 nodes: rows are shared, so a row's gradient is the sum of its nodes'
        checkGradients(new PinSageConfig(3, true, 3, 4, 6, 2, 6, 10, 16, 4, Pooling.MEAN, true, seed, true));
        PinSageModel model = new PinSageModel(backend, new PinSageConfig(3, true, 3, 4, 6, 2, 6, 10, 16, 4, Pooling.MEAN,
                true, seed, true));
        Tensor z = model.forward(tinyGraph(3));
        model.zeroGradients();
        model.backward(Tensors.of(backend, "dz", z.rows(), z.cols(), new float[(int) z.size()]));
        Parameter table = model.parameters().stream().filter(Parameter::isSparse).findFirst().orElseThrow();
        int[] rows = Tensors.toArray(table.sparseRows());
        assertEquals(rows.length, java.util.Arrays.stream(rows).distinct().count(), seedTag() + "rows " + java.util.Arrays.toString(rows));
    }

    @Test
    void shouldEmbedAnIdBeyondAHashedTableAndKeepItsRowsThroughSaveAndLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        int nodes = 2000;
        PinSageConfig hashed = new PinSageConfig(3, true, 5, 4, 6, 2, 6, 10, 16, 4, Pooling.MEAN, true, seed, true);
        ComputationGraph graph = new ComputationGraphBuilder(2, TinyGraphs.neighborhoods(random, nodes, 4),
                TinyGraphs.inputs(random, nodes, 3)).build(new int[] {1999, 3, 1500}, 3);
        PinSageModel model = new PinSageModel(backend, hashed);
        float[] before = Tensors.toArray(model.forward(graph));
        java.nio.file.Path file = dir.resolve("model.bin");
        model.save(file);
        PinSageModel loaded = PinSageModel.load(file, backend);
        assertEquals(hashed, loaded.config());
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Tensors.toArray(loaded.forward(graph))),
                seedTag());
        for (float v : before) {
            assertTrue(Float.isFinite(v), seedTag() + java.util.Arrays.toString(before));
        }
        PinSageModel perNode = new PinSageModel(backend, new PinSageConfig(3, true, 5, 4, 6, 2, 6, 10, 16, 4, Pooling.MEAN,
                true, seed));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> perNode.forward(graph));
        assertTrue(e.getMessage().contains("outside the id embedding table of 5 rows"), e.getMessage());
    }

    @Test
    void shouldNameTheFirstNonFiniteActivationAndGradient() {
        PinSageModel model = new PinSageModel(backend, tinyConfig(Pooling.MEAN, true));
        ComputationGraph graph = tinyGraph(3);
        Tensor z = model.forward(graph);
        assertEquals(null, model.firstNonFiniteActivation(), seedTag());
        model.backward(Tensors.of(backend, "dz", z.rows(), z.cols(), new float[(int) z.size()]));
        assertEquals(null, model.firstNonFiniteGradient(), seedTag());
        model.zeroGradients();
        Tensor table = model.parameter("input.E").value();
        float[] poisoned = Tensors.toArray(table);
        java.util.Arrays.fill(poisoned, Float.NaN);
        backend.upload(poisoned, 0, table);
        z = model.forward(graph);
        assertTrue(model.firstNonFiniteActivation().startsWith("h0"), seedTag() + model.firstNonFiniteActivation());
        model.backward(Tensors.of(backend, "dz", z.rows(), z.cols(), new float[(int) z.size()]));
        // NaN activations reach some weight gradient (which one first depends on where ReLUs cut it off).
        String gradient = model.firstNonFiniteGradient();
        assertTrue(gradient != null && gradient.endsWith(".grad"), seedTag() + gradient);
    }

    /** The LightGCN-data shape without CONVOLVE layers: id embeddings and log-degree, then G1 and G2. */
    private PinSageConfig withoutConvolve() {
        return new PinSageConfig(0, true, NODES, 6, 0, 6, 10, 16, 4, Pooling.MEAN, true, seed);
    }

    /** Rows no K = 0 graph may read: a read would be a neighbourhood the model does not pool over. */
    private static final ComputationGraphBuilder.Neighborhoods UNREAD = new ComputationGraphBuilder.Neighborhoods() {
        @Override
        public int width() {
            throw new AssertionError("a K = 0 graph asked for the neighbourhoods' width");
        }

        @Override
        public int read(int node, int[] ids, float[] weights, int offset) {
            throw new AssertionError("a K = 0 graph read the neighbourhood of node " + node);
        }
    };

    @Test
    void shouldMatchFiniteDifferencesWithoutConvolveLayers() {
        checkGradients(withoutConvolve());
        checkGradients(new PinSageConfig(3, true, NODES, 4, 6, 0, 6, 10, 16, 4, Pooling.MEAN, false, seed));
    }

    /** K = 0: each output is normalise(G2(ReLU(G1(h0)))) of its own h0 = [x ; log(1 + deg)]·P + E[id] + b. */
    @Test
    void shouldEmbedEachNodeFromItsOwnInputsAloneWithoutConvolveLayers() {
        PinSageConfig config = new PinSageConfig(3, true, NODES, 6, 0, 6, 10, 16, 4, Pooling.MEAN, true, seed);
        PinSageModel model = new PinSageModel(backend, config);
        assertEquals(List.of("input.P", "input.b", "input.E", "G1.W", "G1.b", "G2.W", "G2.b"),
                model.parameters().stream().map(Parameter::name).toList());
        ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, 3);
        int[] outputs = {5, 1, 9};
        ComputationGraph graph = new ComputationGraphBuilder(0, UNREAD, inputs).build(outputs, outputs.length);
        assertEquals(0, graph.layers());
        assertArrayEquals(outputs, graph.nodeIds(), "the outputs are the only nodes");
        float[] z = Tensors.toArray(model.forward(graph));
        for (int i = 0; i < outputs.length; i++) {
            float[] x = new float[4];
            inputs.copyFeatures(outputs[i], x, 0);
            x[3] = inputs.logDegree(outputs[i]);
            double[] h0 = add(times(x, model.parameter("input.P")), row(model.parameter("input.E"), outputs[i]),
                    row(model.parameter("input.b"), 0));
            double[] g1 = add(times(h0, model.parameter("G1.W")), row(model.parameter("G1.b"), 0));
            for (int j = 0; j < g1.length; j++) {
                g1[j] = Math.max(0, g1[j]);
            }
            double[] y = add(times(g1, model.parameter("G2.W")), row(model.parameter("G2.b"), 0));
            double norm = Math.sqrt(java.util.Arrays.stream(y).map(v -> v * v).sum());
            for (int j = 0; j < y.length; j++) {
                assertEquals(y[j] / norm, z[i * y.length + j], 1e-5, seedTag() + "node " + outputs[i] + " column " + j);
            }
        }
    }

    @Test
    void shouldSaveAndLoadAModelWithoutConvolveLayers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        PinSageModel model = new PinSageModel(backend, withoutConvolve());
        ComputationGraph graph = new ComputationGraphBuilder(0, UNREAD, TinyGraphs.inputs(random, NODES, 0))
                .build(new int[] {0, 11, 4}, 3);
        float[] before = Tensors.toArray(model.forward(graph));
        java.nio.file.Path file = dir.resolve("model.bin");
        model.save(file);
        PinSageModel loaded = PinSageModel.load(file, backend);
        assertEquals(withoutConvolve(), loaded.config());
        assertEquals(0, loaded.config().layers());
        assertArrayEquals(before, Tensors.toArray(loaded.forward(graph)), seedTag());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loaded.forward(tinyGraph(0, 1)));
        assertTrue(e.getMessage().contains("does not fit the model: layers=0"), e.getMessage());
    }

    /** {@code v · W} in doubles, W read from the backend. */
    private static double[] times(float[] v, Parameter w) {
        float[] m = Tensors.toArray(w.value());
        int cols = w.value().cols();
        double[] out = new double[cols];
        for (int r = 0; r < v.length; r++) {
            for (int c = 0; c < cols; c++) {
                out[c] += (double) v[r] * m[r * cols + c];
            }
        }
        return out;
    }

    private static double[] times(double[] v, Parameter w) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return times(f, w);
    }

    private static float[] row(Parameter p, int r) {
        int cols = p.value().cols();
        return java.util.Arrays.copyOfRange(Tensors.toArray(p.value()), r * cols, (r + 1) * cols);
    }

    private static double[] add(double[] a, float[]... rows) {
        for (float[] b : rows) {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
        return a;
    }

    @Test
    void shouldMatchFiniteDifferencesWithContentFeaturesAndNoIdTable() {
        checkGradients(new PinSageConfig(3, false, 0, 6, 1, 6, 10, 16, 4, Pooling.MEAN, true, seed));
    }

    /** Features and log-degree alone, two layers: the input projection is folded into layer 1 (FoldedInput). */
    @Test
    void shouldMatchFiniteDifferencesWithTheInputFoldedIntoTheFirstOfTwoLayers() {
        checkGradients(new PinSageConfig(3, true, 0, 6, 2, 6, 10, 16, 4, Pooling.MEAN, true, seed), true);
        checkGradients(new PinSageConfig(3, true, 0, 6, 2, 6, 10, 16, 4, Pooling.SUM, false, seed), true);
    }

    /**
     * Checks every parameter's gradient against finite differences on a random graph. A bias feeds every unit of
     * its layer, so now and then several ReLU inputs lie within the smallest step of zero on both sides of the
     * point, and no quotient can follow the gradient there (one seed in a few hundred did that). Such a point
     * belongs to the draw, while a wrong gradient belongs to the code and mismatches on every draw: so a mismatch
     * is checked again on two more graphs, and the test fails only if all three mismatch.
     */
    private void checkGradients(PinSageConfig config) {
        checkGradients(config, false);
    }

    /** As {@link #checkGradients(PinSageConfig)}; with {@code randomBiases}, every bias starts at small random values, not 0. */
    private void checkGradients(PinSageConfig config, boolean randomBiases) {
        java.util.List<String> mismatches = new java.util.ArrayList<>();
        for (int draw = 0; draw < 3; draw++) {
            String mismatch = gradientMismatch(config, randomBiases);
            if (mismatch == null) {
                return;
            }
            mismatches.add(mismatch);
        }
        fail(seedTag() + "three graphs, three mismatches: " + mismatches);
    }

    /** The first parameter element whose gradient matches no finite difference on a new graph, or null. */
    private String gradientMismatch(PinSageConfig config, boolean randomBiases) {
        PinSageModel model = new PinSageModel(backend, config);
        for (Parameter p : randomBiases ? model.parameters() : java.util.List.<Parameter>of()) {
            if (!p.isSparse() && p.value().rows() == 1) {
                float[] b = new float[p.value().cols()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (0.2 * random.nextGaussian());
                }
                backend.upload(b, 0, p.value());
            }
        }
        // An output row whose every G1 unit is cut by its ReLU equals G2's bias, zero at initialisation; its
        // normalisation then divides by the norm's floor, a jump no finite difference can follow. Such draws (a
        // few seeds in a thousand) are replaced by another graph, so the gradients are checked where the loss is
        // differentiable.
        ComputationGraph graph = tinyGraph(config.featureDim(), config.layers());
        Tensor z = model.forward(graph);
        for (int attempt = 1; config.normalizeOutput() && hasZeroRow(z) && attempt < 20; attempt++) {
            graph = tinyGraph(config.featureDim(), config.layers());
            z = model.forward(graph);
        }
        assertTrue(!config.normalizeOutput() || !hasZeroRow(z), seedTag() + "every graph drawn has an all-zero output");
        float[] w = new float[(int) z.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Tensor dz = Tensors.of(backend, "dz", z.rows(), z.cols(), w);
        model.zeroGradients();
        model.backward(dz);
        for (Parameter p : model.parameters()) {
            float[] analytic = analyticGradient(p);
            float[] values = Tensors.toArray(p.value());
            for (int i = 0; i < values.length; i++) {
                // ReLUs (and an all-zero row's normalisation) have kinks, and one may lie within a step of the
                // point: there the central quotient averages both sides while the analytic gradient takes one.
                // So each step size offers three quotients (central, forward, backward); a correct gradient
                // matches one of them at some step, a wrong one matches none. Float noise in the forward pass
                // (about 1e-6 absolute) bounds the useful step from below.
                float saved = values[i];
                double base = evaluate(model, graph, p, values, i, saved, w);
                double numeric = Double.NaN;
                boolean matched = false;
                for (double h = 2e-3; h >= 1e-4 && !matched; h /= 2) {
                    double up = evaluate(model, graph, p, values, i, (float) (saved + h), w);
                    double down = evaluate(model, graph, p, values, i, (float) (saved - h), w);
                    numeric = (up - down) / (2 * h);
                    double tolerance = 0.01 * Math.abs(numeric) + 1e-3 + 4e-6 / h;
                    matched = Math.abs(numeric - analytic[i]) <= tolerance
                            || Math.abs((up - base) / h - analytic[i]) <= tolerance
                            || Math.abs((base - down) / h - analytic[i]) <= tolerance;
                }
                evaluate(model, graph, p, values, i, saved, w);
                if (!matched) {
                    return p.name() + "[" + i + "]: numeric " + numeric + " analytic " + analytic[i];
                }
            }
        }
        return null;
    }

    /** Whether a normalised output has a row that is not of unit length (an all-zero row before normalising). */
    private static boolean hasZeroRow(Tensor z) {
        float[] v = Tensors.toArray(z);
        for (int r = 0; r < z.rows(); r++) {
            double norm = 0;
            for (int c = 0; c < z.cols(); c++) {
                norm += (double) v[r * z.cols() + c] * v[r * z.cols() + c];
            }
            if (norm < 0.25) {
                return true;
            }
        }
        return false;
    }

    /** The test loss with element {@code i} of {@code p} set to {@code value}. */
    private double evaluate(PinSageModel model, ComputationGraph graph, Parameter p, float[] values, int i, float value,
                            float[] w) {
        values[i] = value;
        backend.upload(values, 0, p.value());
        return weighted(model.forward(graph), w);
    }

    /** The dense gradient, or the sparse one scattered into a table-shaped array. */
    private static float[] analyticGradient(Parameter p) {
        if (!p.isSparse()) {
            return Tensors.toArray(p.gradient());
        }
        float[] dense = new float[(int) p.value().size()];
        int[] rows = Tensors.toArray(p.sparseRows());
        float[] g = Tensors.toArray(p.sparseGradient());
        int cols = p.value().cols();
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols; j++) {
                dense[rows[i] * cols + j] += g[i * cols + j];
            }
        }
        return dense;
    }

    private static double weighted(Tensor z, float[] w) {
        float[] v = Tensors.toArray(z);
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += (double) v[i] * w[i];
        }
        return s;
    }

    @Test
    void shouldEmbedEveryNodeOnceWhenEveryLayerListsAllNodes() {
        PinSageModel model = new PinSageModel(backend, tinyConfig(Pooling.MEAN, true));
        ComputationGraphBuilder.Neighborhoods nbhd = TinyGraphs.neighborhoods(random, NODES, 4);
        ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, 3);
        int[] all = new int[NODES];
        for (int i = 0; i < NODES; i++) {
            all[i] = i;
        }
        float[] full = Tensors.toArray(model.forward(new ComputationGraphBuilder(2, nbhd, inputs).build(all, NODES)));
        float[] one = Tensors.toArray(model.forward(new ComputationGraphBuilder(2, nbhd, inputs).build(new int[] {7}, 1)));
        for (int j = 0; j < one.length; j++) {
            assertEquals(full[7 * one.length + j], one[j], 1e-5, "[-Dtests.seed=" + seed + "] column " + j);
        }
    }

    @Test
    void shouldLowerTheMarginLossWhenTrained() {
        // wider than the gradient checks' model: with a handful of ReLUs a tiny net can die and stall
        PinSageModel model = new PinSageModel(backend,
                new PinSageConfig(3, true, NODES, 16, 2, 16, 16, 32, 8, Pooling.MEAN, true, seed));
        AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(0.01f));
        ComputationGraph graph = tinyGraph(3);
        SampledRankingLoss head = new SampledRankingLoss(backend, 8, RankingLossKind.MARGIN, 1.0f, 1f, false);
        Tensor grad = backend.allocate("dz", 3, 8);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 60; step++) {
            Tensor z = model.forward(graph);
            // query 0, positive 1, shared negative 2
            last = head.compute(z, new int[] {0}, new int[] {1}, new int[] {2}, new int[0], 0, grad);
            if (step == 0) {
                first = last;
            }
            model.backward(grad);
            adam.step();
        }
        assertTrue(first > 0.05 && last < 0.2 * first, "[-Dtests.seed=" + seed + "] loss " + first + " -> " + last);
    }

    @Test
    void shouldRejectAGraphBuiltForAnotherFeatureWidth() {
        PinSageModel model = new PinSageModel(backend, tinyConfig(Pooling.MEAN, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(tinyGraph(5)));
        assertTrue(e.getMessage().contains("featureDim=3"), e.getMessage());
    }

    @Test
    void shouldRefuseASecondSparseGradientBeforeTheOptimiserSteps() {
        PinSageModel model = new PinSageModel(backend, tinyConfig(Pooling.MEAN, true));
        ComputationGraph graph = tinyGraph(3);
        Tensor z = model.forward(graph);
        Tensor dz = backend.allocate("dz", z.rows(), z.cols());
        model.backward(dz);
        model.forward(graph);
        assertThrows(IllegalStateException.class, () -> model.backward(dz));
    }
}
