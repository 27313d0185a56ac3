package io.pinsage.nn.backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract of {@link Backend}, checked against double-precision {@link Reference} implementations: every
 * forward against the reference, every backward against central differences of the reference. Each backend's
 * test extends this class and supplies {@link #createBackend()}.
 *
 * <p>Randomized: the seed comes from {@code -Dtests.seed=N} or the clock, and every failure message starts with
 * it, so a failing run reproduces with that property.
 */
public abstract class BackendConformanceTest {

    /** Relative-plus-absolute tolerance for float results compared with double references. */
    protected static final double TOLERANCE = 2e-4;
    /** Tolerance for float gradients compared with central differences in double. */
    protected static final double GRADIENT_TOLERANCE = 1e-3;
    private static final double FD_STEP = 1e-6;

    protected Backend backend;
    protected long seed;
    protected Random random;

    /**
     * A fresh backend for one test; closed after it. A backend that cannot run here (no GPU) should throw
     * an {@code org.opentest4j.TestAbortedException} ({@code Assumptions.assumeTrue(available, cause)}), which
     * skips every test with that reason.
     */
    protected abstract Backend createBackend();

    /**
     * Largest relative error accepted for a GEMM with inner dimension {@code k} against the double reference:
     * float32 accumulation by default; a backend that multiplies in reduced precision (TF32) widens it.
     */
    protected double gemmTolerance(int k) {
        return TOLERANCE * Math.sqrt(k);
    }

    @BeforeEach
    void openBackend() {
        seed = Long.getLong("tests.seed", System.nanoTime());
        random = new Random(seed);
        backend = createBackend();
    }

    @AfterEach
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    /** The prefix of every failure message: how to reproduce. */
    protected String seedTag() {
        return "[-Dtests.seed=" + seed + "] ";
    }

    protected double[] gaussian(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    protected Tensor upload(String name, int rows, int cols, double[] values) {
        return Tensors.of(backend, name, rows, cols, Reference.toFloat(values));
    }

    protected void assertClose(String what, double[] expected, Tensor actual, double tolerance) {
        float[] got = Tensors.toArray(actual);
        assertEquals(expected.length, got.length, seedTag() + what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - got[i]);
            if (!(err <= tolerance * (1 + Math.abs(expected[i])))) {
                fail(seedTag() + what + ": element " + i + " expected " + expected[i] + " got " + got[i]);
            }
        }
    }

    // ---------------------------------------------------------------- data movement

    @Test
    void shouldRoundTripUploadsDownloadsAndRowViews() {
        double[] x = gaussian(7 * 5);
        Tensor t = upload("x", 7, 5, x);
        assertClose("round trip", x, t, 0);
        Tensor view = t.rows(2, 4);
        assertEquals(2, view.rows());
        backend.fill(view, 3f);
        float[] all = Tensors.toArray(t);
        for (int i = 0; i < all.length; i++) {
            float expected = i >= 10 && i < 20 ? 3f : (float) x[i];
            assertEquals(expected, all[i], seedTag() + "element " + i);
        }
        IndexBuffer idx = Tensors.of(backend, "idx", new int[] {4, 1, 9});
        assertArrayEquals(new int[] {1, 9}, Tensors.toArray(idx.slice(1, 3)));
    }

    @Test
    void shouldUploadFromNativeSegment() {
        double[] x = gaussian(12);
        Tensor t = backend.allocate("x", 3, 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(12L * Float.BYTES, 64);
            for (int i = 0; i < 12; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.nativeOrder()), i, (float) x[i]);
            }
            backend.upload(seg, t);
            backend.synchronize();
        }
        assertClose("segment upload", x, t, 0);
    }

    @Test
    void shouldFillCopyAndAccumulate() {
        double[] x = gaussian(5 * 17);
        double[] y = gaussian(5 * 17);
        Tensor xt = upload("x", 5, 17, x);
        Tensor yt = upload("y", 5, 17, y);
        backend.axpy(-0.5f, xt, yt);
        double[] expected = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            expected[i] = y[i] - 0.5 * x[i];
        }
        assertClose("axpy", expected, yt, TOLERANCE);
        backend.copy(xt, yt);
        assertClose("copy", x, yt, 0);
        backend.fill(yt, -2f);
        double[] filled = new double[y.length];
        java.util.Arrays.fill(filled, -2);
        assertClose("fill", filled, yt, 0);
    }

    /**
     * Every operation must honour views: a row range of a larger tensor and a slice of a larger index buffer
     * (the model's workspaces hand out such views), here with non-zero starting offsets.
     */
    @Test
    void shouldComputeOnRowViewsAndIndexSlicesAsOnWholeTensors() {
        int cols = 24;
        double[] srcValues = gaussian(12 * cols);
        double[] weightValues = gaussian(cols * 20);
        Tensor srcWhole = upload("srcWhole", 12, cols, srcValues);
        Tensor src = srcWhole.rows(3, 10);
        Tensor weight = upload("W", cols, 20, weightValues);
        Tensor outWhole = backend.allocate("outWhole", 9, 20);
        Tensor out = outWhole.rows(2, 9);
        backend.gemm(false, false, 1f, src, weight, 0f, out);
        double[] srcPart = java.util.Arrays.copyOfRange(srcValues, 3 * cols, 10 * cols);
        assertClose("gemm on views", Reference.matmul(false, false, srcPart, 7, cols, weightValues, cols, 20), out,
                gemmTolerance(cols));
        float[] whole = Tensors.toArray(outWhole);
        for (int i = 0; i < 2 * 20; i++) {
            assertEquals(0f, whole[i], seedTag() + "gemm wrote outside its view at " + i);
        }

        int[] offsets = {99, 99, 0, 2, 5, 5};
        int[] neighbours = {77, 1, 6, 0, 3, 2, 77};
        IndexBuffer offsetBuffer = Tensors.of(backend, "offsets", offsets).slice(2, 6);
        IndexBuffer neighbourBuffer = Tensors.of(backend, "neighbours", neighbours).slice(1, 6);
        double[] alpha = {0.5, 1.5, 0.25, 1, 2};
        Tensor alphaWhole = upload("alphaWhole", 7, 1, new double[] {9, 0.5, 1.5, 0.25, 1, 2, 9});
        Tensor pooled = backend.allocate("pooledWhole", 6, cols).rows(2, 5);
        backend.aggregate(Pooling.MEAN, src, offsetBuffer, neighbourBuffer, alphaWhole.rows(1, 6), pooled, null);
        assertClose("aggregate on views", Reference.aggregate(Pooling.MEAN, srcPart, cols, new int[] {0, 2, 5, 5},
                new int[] {1, 6, 0, 3, 2}, alpha), pooled, TOLERANCE);

        Tensor normalized = backend.allocate("normalizedWhole", 10, cols).rows(1, 8);
        Tensor norms = backend.allocate("normsWhole", 9, 1).rows(2, 9);
        backend.l2Normalize(src, normalized, norms);
        assertClose("l2Normalize on views", Reference.l2Normalize(srcPart, cols), normalized, TOLERANCE);
    }

    // ---------------------------------------------------------------- GEMM

    @Test
    void shouldMultiplyWithEveryTransposeAlphaAndBeta() {
        // the last shape has the long inner dimension of a weight gradient (the split-K path of a blocked GEMM)
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {13, 33, 17}, {70, 45, 300}, {150, 97, 260}, {37, 45, 2600}};
        for (int[] s : shapes) {
            for (int variant = 0; variant < 4; variant++) {
                boolean ta = (variant & 1) != 0;
                boolean tb = (variant & 2) != 0;
                checkGemm(s[0], s[1], s[2], ta, tb, 0.75f, variant == 3 ? 0f : 0.5f);
            }
        }
    }

    @Test
    void shouldMultiplyLargeRandomShapes() {
        for (int trial = 0; trial < 3; trial++) {
            checkGemm(1 + random.nextInt(400), 1 + random.nextInt(300), 1 + random.nextInt(600), random.nextBoolean(),
                    random.nextBoolean(), 1f, random.nextBoolean() ? 0f : 1f);
        }
    }

    private void checkGemm(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        double[] a = gaussian(aRows * aCols);
        double[] b = gaussian(bRows * bCols);
        double[] c = gaussian(m * n);
        Tensor at = upload("A", aRows, aCols, a);
        Tensor bt = upload("B", bRows, bCols, b);
        Tensor ct = upload("C", m, n, c);
        backend.gemm(ta, tb, alpha, at, bt, beta, ct);
        double[] ab = Reference.matmul(ta, tb, a, aRows, aCols, b, bRows, bCols);
        for (int i = 0; i < ab.length; i++) {
            ab[i] = alpha * ab[i] + beta * c[i];
        }
        assertClose("gemm m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb, ab, ct,
                gemmTolerance(k));
    }

    @Test
    void shouldIgnoreNaNInOutputWhenBetaIsZero() {
        Tensor a = upload("A", 2, 3, gaussian(6));
        Tensor b = upload("B", 3, 2, gaussian(6));
        Tensor c = backend.allocate("C", 2, 2);
        backend.fill(c, Float.NaN);
        backend.gemm(false, false, 1f, a, b, 0f, c);
        assertTrue(backend.allFinite(c), seedTag() + "beta=0 must overwrite NaN");
    }

    @Test
    void shouldRejectGemmShapeMismatchNamingTheShapes() {
        Tensor a = backend.allocate("weights", 4, 3);
        Tensor b = backend.allocate("features", 5, 2);
        Tensor c = backend.allocate("out", 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.gemm(false, false, 1f, a, b, 0f, c));
        assertTrue(e.getMessage().contains("weights[4x3]") && e.getMessage().contains("features[5x2]"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- bias + activation

    @Test
    void shouldApplyBiasActivationAndItsGradient() {
        for (Activation act : Activation.values()) {
            int rows = 9;
            int cols = 37;
            double[] x = gaussian(rows * cols);
            double[] bias = gaussian(cols);
            double[] w = gaussian(rows * cols);
            Tensor xt = upload("x", rows, cols, x);
            Tensor bt = upload("bias", 1, cols, bias);
            Tensor out = backend.allocate("out", rows, cols);
            backend.biasActivation(xt, bt, act, out);
            assertClose(act + " forward", biasAct(act, x, bias, cols), out, TOLERANCE);

            Tensor dOut = upload("dOut", rows, cols, w);
            Tensor dX = backend.allocate("dX", rows, cols);
            Tensor dBias = backend.allocate("dBias", 1, cols);
            backend.fill(dBias, 0.5f);
            backend.biasActivationBackward(act, out, dOut, dX, dBias);
            double[] gx = Reference.numericGradient(v -> Reference.weightedSum(w, biasAct(act, v, bias, cols)), x,
                    FD_STEP);
            double[] gb = Reference.numericGradient(v -> Reference.weightedSum(w, biasAct(act, x, v, cols)), bias,
                    FD_STEP);
            for (int j = 0; j < cols; j++) {
                gb[j] += 0.5;
            }
            assertClose(act + " dX", gx, dX, GRADIENT_TOLERANCE);
            assertClose(act + " dBias accumulates", gb, dBias, GRADIENT_TOLERANCE);
        }
    }

    private static double[] biasAct(Activation act, double[] x, double[] bias, int cols) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i] + bias[i % cols];
            out[i] = act == Activation.RELU ? Math.max(0, v) : v;
        }
        return out;
    }

    // ---------------------------------------------------------------- gather–aggregate

    @Test
    void shouldPoolNeighbourRowsAndScatterTheirGradients() {
        for (Pooling pooling : Pooling.values()) {
            int sources = 23;
            int targets = 11;
            int cols = 40;
            int[] offsets = new int[targets + 1];
            for (int u = 0; u < targets; u++) {
                // one empty neighbourhood, one wide enough for the kernels' eight-row passes
                offsets[u + 1] = offsets[u] + (u == 3 ? 0 : u == 5 ? 19 : 1 + random.nextInt(8));
            }
            int edges = offsets[targets];
            int[] neighbours = new int[edges];
            double[] alpha = new double[edges];
            for (int e = 0; e < edges; e++) {
                // a third of the edges on two sources, so that their backward passes gather eight rows and more
                neighbours[e] = random.nextInt(e % 3 == 0 ? 2 : sources);
                alpha[e] = (float) (0.05 + random.nextDouble());
            }
            double[] src = gaussian(sources * cols);
            double[] w = gaussian(targets * cols);
            Tensor srcT = upload("src", sources, cols, src);
            IndexBuffer offT = Tensors.of(backend, "offsets", offsets);
            IndexBuffer nbT = Tensors.of(backend, "neighbours", neighbours);
            Tensor alphaT = upload("alpha", edges, 1, alpha);
            Tensor out = backend.allocate("pooled", targets, cols);
            IndexBuffer argMax = backend.allocateIndex("argMax", targets * cols);
            backend.aggregate(pooling, srcT, offT, nbT, alphaT, out, argMax);
            assertClose(pooling + " forward", Reference.aggregate(pooling, src, cols, offsets, neighbours, alpha), out,
                    TOLERANCE);

            Tensor dOut = upload("dOut", targets, cols, w);
            Tensor dSrc = backend.allocate("dSrc", sources, cols);
            backend.fill(dSrc, 1f);
            backend.aggregateBackward(pooling, dOut, offT, nbT, alphaT, argMax, dSrc);
            double[] g = Reference.numericGradient(
                    v -> Reference.weightedSum(w, Reference.aggregate(pooling, v, cols, offsets, neighbours, alpha)),
                    src, FD_STEP);
            for (int i = 0; i < g.length; i++) {
                g[i] += 1;
            }
            assertClose(pooling + " backward accumulates into dSrc", g, dSrc, GRADIENT_TOLERANCE);
        }
    }

    @Test
    void shouldPoolNewNeighboursUploadedIntoPreparedBuffers() {
        // A backend may keep what it derived from a prepared neighbourhood; a later upload into the same buffers
        // (the next minibatch in the same workspace) must be what the next backward pass reads.
        int sources = 9;
        int cols = 24;
        int[] offsets = {0, 3, 4, 7};
        int targets = offsets.length - 1;
        int[] first = {0, 1, 2, 3, 4, 5, 6};
        int[] second = {8, 7, 7, 2, 0, 5, 8};
        double[] alpha = {0.5, 1, 2, 1, 0.25, 0.75, 3};
        double[] w = gaussian(targets * cols);
        IndexBuffer offT = Tensors.of(backend, "offsets", offsets);
        IndexBuffer nbT = Tensors.of(backend, "neighbours", first);
        Tensor alphaT = upload("alpha", alpha.length, 1, alpha);
        Tensor dOut = upload("dOut", targets, cols, w);
        Tensor dSrc = backend.allocate("dSrc", sources, cols);
        backend.prepareNeighborhood(offT, nbT);
        for (int[] neighbours : new int[][] {first, second}) {
            backend.upload(neighbours, 0, nbT);
            backend.fill(dSrc, 0f);
            backend.aggregateBackward(Pooling.MEAN, dOut, offT, nbT, alphaT, null, dSrc);
            double[] g = Reference.numericGradient(
                    v -> Reference.weightedSum(w, Reference.aggregate(Pooling.MEAN, v, cols, offsets, neighbours, alpha)),
                    new double[sources * cols], FD_STEP);
            assertClose("backward over " + Arrays.toString(neighbours), g, dSrc, GRADIENT_TOLERANCE);
        }
    }

    // ---------------------------------------------------------------- L2 normalisation

    @Test
    void shouldNormalizeRowsAndBackpropagate() {
        int rows = 6;
        int cols = 29;
        double[] x = gaussian(rows * cols);
        double[] w = gaussian(rows * cols);
        Tensor xt = upload("x", rows, cols, x);
        Tensor out = backend.allocate("y", rows, cols);
        Tensor norms = backend.allocate("norms", rows, 1);
        backend.l2Normalize(xt, out, norms);
        assertClose("forward", Reference.l2Normalize(x, cols), out, TOLERANCE);
        Tensor dOut = upload("dOut", rows, cols, w);
        Tensor dX = backend.allocate("dX", rows, cols);
        backend.l2NormalizeBackward(out, norms, dOut, dX);
        double[] g = Reference.numericGradient(v -> Reference.weightedSum(w, Reference.l2Normalize(v, cols)), x,
                FD_STEP);
        assertClose("backward", g, dX, GRADIENT_TOLERANCE);
    }

    // ---------------------------------------------------------------- ranking loss on score rows

    @Test
    void shouldComputeRankingLossRowsAndTheirGradientForEveryKind() {
        for (RankingLossKind kind : RankingLossKind.values()) {
            for (boolean inBatch : new boolean[] {false, true}) {
                checkRankingRows(kind, inBatch, 6, 5, 2);
                checkRankingRows(kind, inBatch, 4, 3, 0);
            }
        }
    }

    private void checkRankingRows(RankingLossKind kind, boolean inBatch, int b, int s, int h) {
        int c = b + s + b * h;
        double margin = 0.4;
        double temperature = 0.5;
        float scale = 1f / b;
        double[] scores = gaussian(b * c);
        // Query 0's first two shared negatives sit on either side of the margin's hinge, so every run checks the
        // gradient of an active and of an inactive hinge whatever the random scores.
        scores[b] = (float) (scores[0] + 1);
        scores[b + 1] = (float) (scores[0] - margin - 1);
        int[] hard = new int[b * h];
        for (int i = 0; i < hard.length; i++) {
            hard[i] = i % 3 == 1 ? -1 : random.nextInt(100);
        }
        String what = kind + " inBatch=" + inBatch + " B=" + b + " S=" + s + " H=" + h;
        Tensor st = upload("scores", b, c, scores);
        Tensor rowLoss = backend.allocate("rowLoss", b, 1);
        IndexBuffer hardRows = h == 0 ? null : Tensors.of(backend, "hardRows", hard);
        backend.rankingLossRows(kind, (float) margin, (float) temperature, inBatch, s, hardRows, h, scale, st,
                rowLoss);
        assertClose(what + " row losses", Reference.rankingRowLosses(kind, scores, b, s, h, hard, inBatch, margin,
                temperature), rowLoss, TOLERANCE);
        double[] gradient = Reference.numericGradient(v -> scale * sum(Reference.rankingRowLosses(kind, v, b, s, h,
                hard, inBatch, margin, temperature)), scores, FD_STEP);
        assertClose(what + " gradient", gradient, st, GRADIENT_TOLERANCE);
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    @Test
    void shouldPropagateANaNScoreIntoItsQuerysLossOnly() {
        for (RankingLossKind kind : RankingLossKind.values()) {
            int b = 3;
            int s = 4;
            double[] scores = gaussian(b * (b + s));
            scores[(b + s) + b + 2] = Double.NaN; // query 1, shared negative 2
            Tensor st = upload("scores", b, b + s, scores);
            Tensor rowLoss = backend.allocate("rowLoss", b, 1);
            backend.rankingLossRows(kind, 0.5f, 0.5f, false, s, null, 0, 1f, st, rowLoss);
            float[] loss = Tensors.toArray(rowLoss);
            assertTrue(Float.isNaN(loss[1]), seedTag() + kind + ": loss of the query with a NaN score " + loss[1]);
            assertTrue(Float.isFinite(loss[0]) && Float.isFinite(loss[2]), seedTag() + kind + ": other queries "
                    + loss[0] + ", " + loss[2]);
        }
    }

    @Test
    void shouldGiveAQueryWithoutNegativesAZeroRow() {
        // No shared or in-batch negatives; query 0's only hard row is missing.
        int b = 2;
        int c = b + b;
        IndexBuffer hardRows = Tensors.of(backend, "hardRows", new int[] {-1, 7});
        for (RankingLossKind kind : RankingLossKind.values()) {
            Tensor st = upload("scores", b, c, gaussian(b * c));
            Tensor rowLoss = backend.allocate("rowLoss", b, 1);
            backend.fill(rowLoss, Float.NaN);
            backend.rankingLossRows(kind, 0.5f, 0.5f, false, 0, hardRows, 1, 1f, st, rowLoss);
            float[] got = Tensors.toArray(st);
            for (int col = 0; col < c; col++) {
                assertEquals(0f, got[col], seedTag() + kind + ": column " + col + " of the query without negatives");
            }
            assertEquals(0f, Tensors.toArray(rowLoss)[0], seedTag() + kind + ": its loss");
        }
    }

    @Test
    void shouldRejectRankingRowsOfTheWrongShape() {
        Tensor st = backend.allocate("scores", 3, 8);
        Tensor rowLoss = backend.allocate("rowLoss", 3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.rankingLossRows(
                RankingLossKind.MARGIN, 0.1f, 1f, false, 4, null, 0, 1f, st, rowLoss));
        assertTrue(e.getMessage().contains("scores[3x8] with sharedNegatives=4"), e.getMessage());
        IllegalArgumentException hard = assertThrows(IllegalArgumentException.class, () -> backend.rankingLossRows(
                RankingLossKind.MARGIN, 0.1f, 1f, false, 2, null, 1, 1f, st, rowLoss));
        assertTrue(hard.getMessage().contains("hardRows null"), hard.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> backend.rankingLossRows(
                RankingLossKind.SOFTMAX, 0.1f, 0f, false, 5, null, 0, 1f, st, rowLoss));
        assertTrue(t.getMessage().contains("temperature=0.0"), t.getMessage());
    }

    // ---------------------------------------------------------------- rows, Adam, finiteness

    @Test
    void shouldGatherAndScatterAddRowsWithRepeats() {
        int cols = 19;
        double[] table = gaussian(8 * cols);
        int[] rows = {3, 0, 3, 7};
        Tensor t = upload("table", 8, cols, table);
        IndexBuffer idx = Tensors.of(backend, "rows", rows);
        Tensor g = backend.allocate("gathered", rows.length, cols);
        backend.gatherRows(t, idx, g);
        double[] expected = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(table, rows[i] * cols, expected, i * cols, cols);
        }
        assertClose("gather", expected, g, 0);
        backend.scatterAddRows(g, idx, t);
        double[] after = table.clone();
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols; j++) {
                after[rows[i] * cols + j] += table[rows[i] * cols + j];
            }
        }
        assertClose("scatter-add", after, t, TOLERANCE);
    }

    @Test
    void shouldApplyAdamWithBiasCorrectionAndWeightDecay() {
        AdamConfig config = new AdamConfig(0.01f, 0.9f, 0.999f, 1e-8f, 0.1f);
        int n = 53;
        double[] p = gaussian(n);
        Tensor pt = upload("param", 1, n, p);
        Tensor gt = backend.allocate("grad", 1, n);
        Tensor mt = backend.allocate("m", 1, n);
        Tensor vt = backend.allocate("v", 1, n);
        double[] m = new double[n];
        double[] v = new double[n];
        for (int step = 1; step <= 3; step++) {
            double[] g = gaussian(n);
            backend.upload(Reference.toFloat(g), 0, gt);
            backend.adam(config, step, pt, gt, mt, vt);
            referenceAdam(config, step, p, g, m, v);
        }
        assertClose("param", p, pt, TOLERANCE);
        assertClose("m", m, mt, TOLERANCE);
        assertClose("v", v, vt, TOLERANCE);
    }

    @Test
    void shouldUpdateOnlyTouchedRowsWithSparseAdam() {
        AdamConfig config = AdamConfig.of(0.05f);
        int cols = 21;
        double[] table = gaussian(6 * cols);
        Tensor t = upload("table", 6, cols, table);
        Tensor m = backend.allocate("m", 6, cols);
        Tensor v = backend.allocate("v", 6, cols);
        int[] rows = {4, 1};
        double[] g = gaussian(rows.length * cols);
        backend.sparseAdam(config, 2, t, Tensors.of(backend, "rows", rows), upload("g", rows.length, cols, g), m, v);
        double[] expected = table.clone();
        double[] em = new double[table.length];
        double[] ev = new double[table.length];
        for (int i = 0; i < rows.length; i++) {
            double[] pr = java.util.Arrays.copyOfRange(expected, rows[i] * cols, (rows[i] + 1) * cols);
            double[] mr = new double[cols];
            double[] vr = new double[cols];
            referenceAdam(config, 2, pr, java.util.Arrays.copyOfRange(g, i * cols, (i + 1) * cols), mr, vr);
            System.arraycopy(pr, 0, expected, rows[i] * cols, cols);
            System.arraycopy(mr, 0, em, rows[i] * cols, cols);
            System.arraycopy(vr, 0, ev, rows[i] * cols, cols);
        }
        assertClose("table", expected, t, TOLERANCE);
        assertClose("m", em, m, TOLERANCE);
        assertClose("v", ev, v, TOLERANCE);
    }

    private static void referenceAdam(AdamConfig c, long step, double[] p, double[] g, double[] m, double[] v) {
        double bc1 = 1 - Math.pow(c.beta1(), step);
        double bc2 = 1 - Math.pow(c.beta2(), step);
        for (int i = 0; i < p.length; i++) {
            p[i] -= c.learningRate() * c.weightDecay() * p[i];
            m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];
            v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];
            p[i] -= c.learningRate() * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + c.epsilon());
        }
    }

    @Test
    void shouldCheckManyTensorsTogetherWhateverTheirShapes() {
        // Shapes that view differently: narrow and tall, wide, odd rows, a single value, one empty.
        int[][] shapes = {{64, 17}, {3, 5000}, {7, 33}, {1, 1}, {1024, 64}, {0, 8}};
        java.util.List<Tensor> ts = new java.util.ArrayList<>();
        for (int[] s : shapes) {
            ts.add(s[0] == 0 ? backend.allocate("empty", 0, s[1]) : upload("t", s[0], s[1], gaussian(s[0] * s[1])));
        }
        assertTrue(backend.allFinite(ts), seedTag());
        assertTrue(backend.allFinite(java.util.List.of()), seedTag());
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int which = 0; which < shapes.length - 1; which++) {
            Tensor t = ts.get(which);
            float[] values = Tensors.toArray(t);
            int at = random.nextInt(values.length);
            float saved = values[at];
            values[at] = bad[which % bad.length];
            backend.upload(values, 0, t);
            assertFalse(backend.allFinite(ts), seedTag() + "tensor " + which + " element " + at + " = " + values[at]);
            assertFalse(backend.allFinite(t), seedTag());
            values[at] = saved;
            backend.upload(values, 0, t);
            assertTrue(backend.allFinite(ts), seedTag() + "restored tensor " + which);
        }
    }

    @Test
    void shouldNameTheTensorHoldingNaN() {
        Tensor t = upload("conv1.W", 4, 33, gaussian(4 * 33));
        assertTrue(backend.allFinite(t), seedTag());
        float[] values = Tensors.toArray(t);
        values[2 * 33 + 5] = Float.POSITIVE_INFINITY;
        backend.upload(values, 0, t);
        assertFalse(backend.allFinite(t), seedTag());
        NonFiniteValueException e = assertThrows(NonFiniteValueException.class,
                () -> Tensors.requireFinite(t, "step 17"));
        assertTrue(e.getMessage().contains("conv1.W[4x33]") && e.getMessage().contains("step 17")
                && e.getMessage().contains("row 2, column 5"), e.getMessage());
    }

    @Test
    void shouldRejectMismatchedShapesInEveryElementwiseOperation() {
        Tensor a = backend.allocate("a", 3, 4);
        Tensor b = backend.allocate("b", 4, 3);
        assertThrows(IllegalArgumentException.class, () -> backend.copy(a, b));
        assertThrows(IllegalArgumentException.class, () -> backend.axpy(1f, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> backend.biasActivation(a, backend.allocate("bias", 1, 3), Activation.RELU, a));
        assertThrows(IllegalArgumentException.class,
                () -> backend.l2Normalize(a, a, backend.allocate("norms", 4, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> backend.adam(AdamConfig.of(0.1f), 1, a, b, a, a));
        assertThrows(IllegalArgumentException.class,
                () -> backend.adam(AdamConfig.of(0.1f), 0, a, a, a, a));
    }

    @Test
    void shouldCountBusySpansButNotTheTimeBetweenThem() throws InterruptedException {
        Tensor a = upload("a", 64, 64, gaussian(64 * 64));
        Tensor c = backend.allocate("c", 64, 64);
        long before = backend.busyNanos();
        long sleptNanos = 0;
        long wallStart = System.nanoTime();
        // More spans than a device backend keeps events for, so recycling its event slots is exercised too.
        for (int span = 0; span < 24; span++) {
            backend.beginBusySpan();
            backend.gemm(false, false, 1f, a, a, 0f, c);
            backend.endBusySpan();
            if (span % 8 == 7) {
                long t0 = System.nanoTime();
                Thread.sleep(20);
                sleptNanos += System.nanoTime() - t0;
            }
        }
        long busy = backend.busyNanos() - before;
        long wall = System.nanoTime() - wallStart;
        assertTrue(busy > 0, seedTag() + "busy=" + busy);
        assertTrue(busy + sleptNanos <= wall, seedTag() + "busy=" + busy + " slept=" + sleptNanos + " wall=" + wall);
        assertTrue(backend.busyNanos() >= before + busy, seedTag() + "busy time must not decrease");
    }

    @Test
    void shouldRejectNestedAndUnopenedBusySpans() {
        assertThrows(IllegalStateException.class, () -> backend.endBusySpan());
        backend.beginBusySpan();
        assertThrows(IllegalStateException.class, () -> backend.beginBusySpan());
        backend.endBusySpan();
        assertThrows(IllegalStateException.class, () -> backend.endBusySpan());
    }
}
