package io.pinsage.gpu;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@code pn_cpu_*} twin, reached through {@link CudaBackend#onHostTwins()}, against the {@link CpuBackend}
 * on the same random inputs and shapes (PinSage-like: ragged neighbourhoods, hard negatives, repeated rows).
 * Seeded from {@code -Dtests.seed=N} or the clock; every failure message starts with the seed.
 */
class HostTwinsAgreeWithCpuBackendTest {

    private static final double TOLERANCE = 1e-4;

    private long seed;
    private Random random;
    private Backend twins;
    private Backend cpu;

    @BeforeEach
    void open() {
        seed = Long.getLong("tests.seed", System.nanoTime());
        random = new Random(seed);
        twins = CudaBackend.onHostTwins();
        cpu = new CpuBackend(1);
    }

    @AfterEach
    void close() {
        twins.close();
        cpu.close();
    }

    private String tag() {
        return "[-Dtests.seed=" + seed + "] ";
    }

    private float[] gaussian(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian() * scale;
        }
        return x;
    }

    /** The same tensor on both backends. */
    private record Pair(Tensor twin, Tensor cpu) {
    }

    private Pair pair(String name, int rows, int cols, float[] values) {
        return new Pair(Tensors.of(twins, name, rows, cols, values), Tensors.of(cpu, name, rows, cols, values));
    }

    private Pair zeros(String name, int rows, int cols) {
        return new Pair(twins.allocate(name, rows, cols), cpu.allocate(name, rows, cols));
    }

    private record Index(IndexBuffer twin, IndexBuffer cpu) {
    }

    private Index index(String name, int[] values) {
        return new Index(Tensors.of(twins, name, values), Tensors.of(cpu, name, values));
    }

    private void assertAgree(String what, Pair p) {
        float[] expected = Tensors.toArray(p.cpu());
        float[] got = Tensors.toArray(p.twin());
        assertEquals(expected.length, got.length, tag() + what);
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - got[i]);
            if (!(err <= TOLERANCE * (1 + Math.abs(expected[i])))) {
                fail(tag() + what + ": element " + i + " cpu " + expected[i] + " twin " + got[i]);
            }
        }
    }

    private void both(BiFunction<Backend, Boolean, Void> op) {
        op.apply(twins, true);
        op.apply(cpu, false);
    }

    @Test
    void shouldAgreeOnGemmInEveryTransposition() {
        for (int trial = 0; trial < 8; trial++) {
            int m = 1 + random.nextInt(70);
            int n = 1 + random.nextInt(70);
            int k = 1 + random.nextInt(90);
            boolean ta = random.nextBoolean();
            boolean tb = random.nextBoolean();
            float beta = trial % 2 == 0 ? 0f : 0.5f;
            Pair a = pair("A", ta ? k : m, ta ? m : k, gaussian(m * k, 1));
            Pair b = pair("B", tb ? n : k, tb ? k : n, gaussian(n * k, 1));
            Pair c = pair("C", m, n, gaussian(m * n, 1));
            both((be, tw) -> {
                be.gemm(ta, tb, 0.7f, tw ? a.twin() : a.cpu(), tw ? b.twin() : b.cpu(), beta, tw ? c.twin() : c.cpu());
                return null;
            });
            assertAgree("gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb, c);
        }
    }

    @Test
    void shouldSplitProductsTallerThanOneLaunchIntoSlabsOfRows() {
        int m = 2_200_000;
        for (boolean transA : new boolean[] {false, true}) {
            Pair a = pair("A", transA ? 2 : m, transA ? m : 2, gaussian(2 * m, 1));
            Pair b = pair("B", 2, 3, gaussian(6, 1));
            Pair c = pair("C", m, 3, gaussian(3 * m, 1));
            both((be, tw) -> {
                be.gemm(transA, false, 1f, pick(a, tw), pick(b, tw), 0.5f, pick(c, tw));
                return null;
            });
            assertAgree("tall gemm transA=" + transA, c);
        }
        Pair x = pair("x", m, 2, gaussian(2 * m, 1));
        Pair y = pair("y", m, 2, gaussian(2 * m, 1));
        both((be, tw) -> {
            be.axpy(0.25f, pick(x, tw), pick(y, tw));
            return null;
        });
        assertAgree("long axpy", y);
    }

    @Test
    void shouldAgreeOnBiasActivationForwardAndBackward() {
        for (Activation act : Activation.values()) {
            int rows = 1 + random.nextInt(40);
            int cols = 1 + random.nextInt(70);
            Pair x = pair("x", rows, cols, gaussian(rows * cols, 1));
            Pair bias = pair("bias", 1, cols, gaussian(cols, 1));
            Pair out = zeros("out", rows, cols);
            Pair dOut = pair("dOut", rows, cols, gaussian(rows * cols, 1));
            Pair dX = zeros("dX", rows, cols);
            Pair dBias = pair("dBias", 1, cols, gaussian(cols, 1));
            both((be, tw) -> {
                be.biasActivation(pick(x, tw), pick(bias, tw), act, pick(out, tw));
                be.biasActivationBackward(act, pick(out, tw), pick(dOut, tw), pick(dX, tw), pick(dBias, tw));
                return null;
            });
            assertAgree(act + " out", out);
            assertAgree(act + " dX", dX);
            assertAgree(act + " dBias", dBias);
        }
    }

    private static Tensor pick(Pair p, boolean twin) {
        return twin ? p.twin() : p.cpu();
    }

    private static IndexBuffer pick(Index p, boolean twin) {
        return twin ? p.twin() : p.cpu();
    }

    @Test
    void shouldAgreeOnImportancePoolingWithRaggedNeighbourhoods() {
        int sources = 50 + random.nextInt(50);
        int targets = 20 + random.nextInt(20);
        int cols = 1 + random.nextInt(64);
        int[] offsets = new int[targets + 1];
        for (int u = 0; u < targets; u++) {
            offsets[u + 1] = offsets[u] + (random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(12));
        }
        int edges = offsets[targets];
        int[] neighbours = new int[edges];
        float[] alpha = new float[edges];
        for (int e = 0; e < edges; e++) {
            neighbours[e] = random.nextInt(sources);
            alpha[e] = 0.05f + random.nextFloat();
        }
        Pair src = pair("src", sources, cols, gaussian(sources * cols, 1));
        Index off = index("offsets", offsets);
        Index nb = index("neighbours", neighbours);
        Pair weights = pair("alpha", edges, 1, alpha);
        for (Pooling pooling : Pooling.values()) {
            Pair out = zeros("out", targets, cols);
            Index argMax = new Index(twins.allocateIndex("argMax", targets * cols),
                    cpu.allocateIndex("argMax", targets * cols));
            Pair dOut = pair("dOut", targets, cols, gaussian(targets * cols, 1));
            Pair dSrc = pair("dSrc", sources, cols, gaussian(sources * cols, 1));
            both((be, tw) -> {
                be.aggregate(pooling, pick(src, tw), pick(off, tw), pick(nb, tw), pick(weights, tw), pick(out, tw),
                        pick(argMax, tw));
                be.aggregateBackward(pooling, pick(dOut, tw), pick(off, tw), pick(nb, tw), pick(weights, tw),
                        pick(argMax, tw), pick(dSrc, tw));
                return null;
            });
            assertAgree(pooling + " pooled", out);
            assertAgree(pooling + " dSrc", dSrc);
            if (pooling == Pooling.MAX) {
                assertArrayEquals(Tensors.toArray(argMax.cpu()), Tensors.toArray(argMax.twin()),
                        tag() + "argMax must hold edge numbers");
            }
        }
    }

    @Test
    void shouldAgreeOnL2Normalisation() {
        int batch = 1 + random.nextInt(16);
        int dim = 1 + random.nextInt(48);
        Pair x = pair("x", batch, dim, gaussian(batch * dim, 2));
        Pair y = zeros("y", batch, dim);
        Pair norms = zeros("norms", batch, 1);
        Pair dY = pair("dY", batch, dim, gaussian(batch * dim, 1));
        Pair dX = zeros("dX", batch, dim);
        both((be, tw) -> {
            be.l2Normalize(pick(x, tw), pick(y, tw), pick(norms, tw));
            be.l2NormalizeBackward(pick(y, tw), pick(norms, tw), pick(dY, tw), pick(dX, tw));
            return null;
        });
        assertAgree("l2 y", y);
        assertAgree("l2 norms", norms);
        assertAgree("l2 dX", dX);
    }

    @Test
    void shouldAgreeOnRankingLossRowsAtATrainingShape() {
        // 64 queries, 50 shared and 2 hard negatives each, about a quarter of the hard rows missing.
        int b = 64;
        int s = 50;
        int h = 2;
        int c = b + s + b * h;
        int[] hard = new int[b * h];
        for (int i = 0; i < hard.length; i++) {
            hard[i] = random.nextInt(4) == 0 ? -1 : random.nextInt(1000);
        }
        Index hardRows = index("hardRows", hard);
        for (RankingLossKind kind : RankingLossKind.values()) {
            for (boolean inBatch : new boolean[] {false, true}) {
                Pair scores = pair("scores", b, c, gaussian(b * c, 3));
                Pair rowLoss = zeros("rowLoss", b, 1);
                both((be, tw) -> {
                    be.rankingLossRows(kind, 0.3f, 0.1f, inBatch, s, tw ? hardRows.twin() : hardRows.cpu(), h,
                            1f / b, pick(scores, tw), pick(rowLoss, tw));
                    return null;
                });
                assertAgree(kind + " inBatch=" + inBatch + " row losses", rowLoss);
                assertAgree(kind + " inBatch=" + inBatch + " gradient", scores);
            }
        }
    }

    @Test
    void shouldAgreeOnRowsAdamAndSparseAdam() {
        int tableRows = 10 + random.nextInt(30);
        int cols = 1 + random.nextInt(40);
        int picks = 1 + random.nextInt(tableRows);
        int[] repeated = new int[picks];
        for (int i = 0; i < picks; i++) {
            repeated[i] = random.nextInt(tableRows);
        }
        int[] distinct = random.ints(0, tableRows).distinct().limit(picks).toArray();
        Pair table = pair("table", tableRows, cols, gaussian(tableRows * cols, 1));
        Pair gathered = zeros("gathered", picks, cols);
        Pair m = pair("m", tableRows, cols, gaussian(tableRows * cols, 0.1f));
        Pair v = pair("v", tableRows, cols, abs(gaussian(tableRows * cols, 0.1f)));
        Pair grad = pair("grad", picks, cols, gaussian(picks * cols, 1));
        Pair dense = pair("dense", tableRows, cols, gaussian(tableRows * cols, 1));
        Pair denseGrad = pair("denseGrad", tableRows, cols, gaussian(tableRows * cols, 1));
        Pair dm = zeros("dm", tableRows, cols);
        Pair dv = zeros("dv", tableRows, cols);
        Index rep = index("repeated", repeated);
        Index dis = index("distinct", distinct);
        AdamConfig config = new AdamConfig(0.01f, 0.9f, 0.99f, 1e-7f, 0.05f);
        both((be, tw) -> {
            be.gatherRows(pick(table, tw), pick(rep, tw), pick(gathered, tw));
            be.scatterAddRows(pick(gathered, tw), pick(rep, tw), pick(table, tw));
            be.sparseAdam(config, 3, pick(table, tw), pick(dis, tw), pick(grad, tw), pick(m, tw), pick(v, tw));
            for (int step = 1; step <= 2; step++) {
                be.adam(config, step, pick(dense, tw), pick(denseGrad, tw), pick(dm, tw), pick(dv, tw));
            }
            be.axpy(-0.5f, pick(denseGrad, tw), pick(dense, tw));
            return null;
        });
        assertAgree("gathered", gathered);
        assertAgree("table", table);
        assertAgree("sparse m", m);
        assertAgree("sparse v", v);
        assertAgree("dense param", dense);
        assertAgree("dense m", dm);
        assertAgree("dense v", dv);
    }

    private static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        return x;
    }

    @Test
    void shouldRejectAnIndexBeyondTheTableBeforeAnyKernelRuns() {
        Tensor table = twins.allocate("embeddings", 5, 3);
        IndexBuffer rows = Tensors.of(twins, "batchRows", new int[] {0, 4, 5});
        Tensor out = twins.allocate("gathered", 3, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> twins.gatherRows(table, rows, out));
        assertTrue(e.getMessage().contains("batchRows[3] holds 5 at 2") && e.getMessage().contains("embeddings[5x3]"),
                e.getMessage());
        IndexBuffer offsets = Tensors.of(twins, "offsets", new int[] {0, 2, 1});
        IndexBuffer neighbours = Tensors.of(twins, "neighbours", new int[] {0, 1});
        Tensor weights = Tensors.of(twins, "alpha", 2, 1, new float[] {1, 1});
        Tensor pooled = twins.allocate("pooled", 2, 3);
        assertThrows(IndexOutOfBoundsException.class,
                () -> twins.aggregate(Pooling.SUM, table, offsets, neighbours, weights, pooled, null));
        IndexBuffer farNeighbour = Tensors.of(twins, "far", new int[] {0, 9});
        IndexBuffer okOffsets = Tensors.of(twins, "okOffsets", new int[] {0, 1, 2});
        IndexOutOfBoundsException far = assertThrows(IndexOutOfBoundsException.class,
                () -> twins.aggregate(Pooling.SUM, table, okOffsets, farNeighbour, weights, pooled, null));
        assertTrue(far.getMessage().contains("far[2] holds 9 at 1"), far.getMessage());
    }

    @Test
    void shouldKeepArgMaxAsEdgeNumbersAroundAPartialUpload() {
        Tensor src = Tensors.of(twins, "src", 4, 2, new float[] {1, 8, 5, 2, 3, 3, 9, 0});
        IndexBuffer offsets = Tensors.of(twins, "offsets", new int[] {0, 1, 4});
        IndexBuffer neighbours = Tensors.of(twins, "neighbours", new int[] {0, 1, 2, 3});
        Tensor alpha = Tensors.of(twins, "alpha", 4, 1, new float[] {1, 1, 1, 1});
        Tensor pooled = twins.allocate("pooled", 2, 2);
        IndexBuffer argMax = twins.allocateIndex("argMax", 4);
        twins.aggregate(Pooling.MAX, src, offsets, neighbours, alpha, pooled, argMax);
        // target 0 has edge 0 only; target 1 has edges 1..3: column maxima 9 (edge 3) and 3 (edge 2)
        assertArrayEquals(new int[] {0, 0, 3, 2}, Tensors.toArray(argMax), tag());
        twins.upload(new int[] {1}, 0, argMax.slice(3, 4));
        assertArrayEquals(new int[] {0, 0, 3, 1}, Tensors.toArray(argMax), tag());
    }

    @Test
    void shouldFindANonFiniteValueAnywhereInATallTensor() {
        int rows = 4096;
        int cols = 3;
        float[] values = gaussian(rows * cols, 1);
        Tensor t = Tensors.of(twins, "tall", rows, cols, values);
        assertTrue(twins.allFinite(t), tag());
        int at = random.nextInt(values.length);
        values[at] = random.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
        twins.upload(values, 0, t);
        assertFalse(twins.allFinite(t), tag() + "non-finite value at " + at + " missed");
    }

    @Test
    void shouldReuseDeviceBlocksOfClosedTensors() {
        CudaBackend backend = (CudaBackend) twins;
        long reserved = 0;
        for (int step = 0; step < 20; step++) {
            if (step == 2) {
                reserved = backend.deviceBytesReserved();
            }
            try (Tensor a = backend.allocate("a", 100, 10); Tensor b = backend.allocate("b", 60, 10)) {
                backend.fill(a, step);
                backend.copy(a.rows(0, 60), b);
            }
        }
        assertEquals(reserved, backend.deviceBytesReserved(),
                tag() + "steady-state steps must not reserve more: " + reserved + " -> " + backend.deviceBytesReserved());
    }
}
