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

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The Java half of the GPU-host check ({@code gpu-kernels/gpu-check-java.sh}), run with a plain {@code java}
 * (no Maven there):
 * <ul>
 *   <li>{@code probe}: prints the native library and the probe's verdict; when CUDA is available, runs a few
 *       operations on the GPU and on the host twins and compares them. Exit 0 usable and correct, 1 a result
 *       disagreed or a kernel failed (for example no kernel image for this GPU), 77 CUDA unavailable.</li>
 *   <li>{@code timing [seed]}: the operations of one training step of the default model (batch 512, T = 50,
 *       dims 256/256/128, the trainer's sampled softmax over 500 shared and 2 hard negatives per query) on every
 *       usable backend in the same run, and their ratio to the CPU backend.</li>
 * </ul>
 * Lives with the tests: it needs the conformance fixtures' classpath and is not part of the engine.
 */
final class GpuCheckMain {

    private GpuCheckMain() {
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "probe" : args[0];
        int exit = switch (command) {
            case "probe" -> probe();
            case "timing" -> timing(args.length > 1 ? Long.parseLong(args[1]) : 42L);
            default -> {
                System.err.println("usage: GpuCheckMain probe|timing [seed]");
                yield 2;
            }
        };
        System.exit(exit);
    }

    private static int probe() {
        if (!CudaRuntime.isNativeLibraryLoaded()) {
            System.out.println("FAIL native library did not load: " + CudaRuntime.nativeLibraryCause());
            return 1;
        }
        System.out.println("native " + CudaRuntime.nativeVersion() + (CudaRuntime.builtWithCuda() ? ", CUDA build"
                : ", CPU-only build"));
        org.bytedeco.javacpp.Loader.getLoadedLibraries().forEach((name, path) -> {
            if (name.toLowerCase(java.util.Locale.ROOT).contains("pinsage")) {
                System.out.println("loaded " + path);
            }
        });
        if (!CudaRuntime.isAvailable()) {
            System.out.println("SKIP GPU: " + CudaRuntime.unavailabilityCause().getMessage());
            return 77;
        }
        CudaRuntime.devices().forEach(d -> System.out.println("gpu " + d));
        System.out.println("cublas " + (CudaRuntime.isCublasAvailable() ? "available" : "not loadable"));
        try (Backend gpu = CudaBackend.open(); Backend twins = CudaBackend.onHostTwins()) {
            float[] a = smoke(gpu);
            float[] b = smoke(twins);
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
            }
            boolean ok = worst <= 1e-4;
            System.out.printf("%s smoke (gemm, bias+relu, max pooling, l2, loss) gpu vs host twins: max rel err %.2e%n",
                    ok ? "PASS" : "FAIL", worst);
            return ok ? 0 : 1;
        } catch (RuntimeException e) {
            System.out.println("FAIL GPU kernels: " + e);
            return 1;
        }
    }

    /** A few operations on fixed inputs; returns every result concatenated. */
    private static float[] smoke(Backend be) {
        Random r = new Random(7);
        int n = 96;
        Tensor a = Tensors.of(be, "a", n, n, gaussian(r, n * n));
        Tensor b = Tensors.of(be, "b", n, n, gaussian(r, n * n));
        Tensor c = be.allocate("c", n, n);
        be.gemm(false, true, 1f, a, b, 0f, c);
        be.biasActivation(c, Tensors.of(be, "bias", 1, n, gaussian(r, n)), Activation.RELU, c);
        int targets = 32;
        int[] offsets = new int[targets + 1];
        for (int u = 0; u < targets; u++) {
            offsets[u + 1] = offsets[u] + 1 + r.nextInt(9);
        }
        int[] nb = r.ints(offsets[targets], 0, n).toArray();
        Tensor pooled = be.allocate("pooled", targets, n);
        IndexBuffer argMax = be.allocateIndex("argMax", targets * n);
        be.aggregate(Pooling.MAX, c, Tensors.of(be, "offsets", offsets), Tensors.of(be, "nb", nb),
                Tensors.of(be, "alpha", nb.length, 1, uniform(r, nb.length)), pooled, argMax);
        Tensor norms = be.allocate("norms", targets, 1);
        be.l2Normalize(pooled, pooled, norms);
        // the trainer's loss rows: 8 queries against 8 positives and 88 shared negatives, softmax with in-batch
        // negatives, then the margin loss without
        Tensor scores = be.allocate("scores", 8, n);
        be.copy(c.rows(0, 8), scores);
        Tensor rowLoss = be.allocate("rowLoss", 8, 1);
        be.rankingLossRows(RankingLossKind.SOFTMAX, 0.1f, 0.5f, true, n - 8, null, 0, 1f / 8, scores, rowLoss);
        Tensor marginScores = be.allocate("marginScores", 8, n);
        be.copy(c.rows(8, 16), marginScores);
        Tensor marginRowLoss = be.allocate("marginRowLoss", 8, 1);
        be.rankingLossRows(RankingLossKind.MARGIN, 0.1f, 1f, false, n - 8, null, 0, 1f / 8, marginScores,
                marginRowLoss);
        List<float[]> parts = List.of(Tensors.toArray(c), Tensors.toArray(pooled), Tensors.toArray(scores),
                Tensors.toArray(rowLoss), Tensors.toArray(marginScores), Tensors.toArray(marginRowLoss));
        float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian() * 0.2f;
        }
        return x;
    }

    private static float[] uniform(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 0.05f + r.nextFloat();
        }
        return x;
    }

    private static int timing(long seed) {
        List<String> names = new ArrayList<>();
        List<Supplier<Backend>> backends = new ArrayList<>();
        names.add("cpu");
        backends.add(CpuBackend::new);
        if (CudaRuntime.isAvailable()) {
            for (GemmEngine g : GemmEngine.values()) {
                if (!g.name().startsWith("CUBLAS") || CudaRuntime.isCublasAvailable()) {
                    names.add("cuda " + g);
                    backends.add(() -> CudaBackend.open(0, g));
                }
            }
        } else {
            System.out.println("SKIP GPU timing: " + CudaRuntime.unavailabilityCause().getMessage());
        }
        System.out.println("training-step operations: batch 512, T=50, dims 256/256/128, 500 shared + 2 hard "
                + "negatives, seed " + seed);
        double cpuMs = 0;
        for (int i = 0; i < backends.size(); i++) {
            try (Backend be = backends.get(i).get()) {
                double ms = stepMillis(be, seed);
                if (i == 0) {
                    cpuMs = ms;
                }
                System.out.printf("%-22s %9.3f ms/step   %7.1fx the cpu backend%n", names.get(i), ms, cpuMs / ms);
            }
        }
        return 0;
    }

    /** Mean time of one step's operations after warm-up (median of 5 rounds). */
    private static double stepMillis(Backend be, long seed) {
        Step step = new Step(be, new Random(seed));
        for (int i = 0; i < 3; i++) {
            step.run(i + 1);
        }
        be.synchronize();
        double[] rounds = new double[5];
        int iterations = be.name().equals("cpu") ? 2 : 20;
        for (int round = 0; round < rounds.length; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                step.run(10 + i);
            }
            be.synchronize();
            rounds[round] = (System.nanoTime() - t0) / 1e6 / iterations;
        }
        java.util.Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }

    /** Tensors of one PinSage training step and the operations it runs on them (a convolution, loss, Adam). */
    private static final class Step {
        private static final int BATCH = 512;
        private static final int T = 50;
        private static final int DIM = 256;
        private static final int OUT = 128;
        private static final int SHARED = 500;
        private static final int HARD = 2;

        final Backend be;
        final Tensor features;
        final IndexBuffer offsets;
        final IndexBuffer neighbours;
        final Tensor alpha;
        final Tensor q;
        final Tensor wSelf;
        final Tensor wNeighbour;
        final Tensor bias;
        final Tensor neighbourHidden;
        final Tensor pooled;
        final Tensor hidden;
        final Tensor norms;
        final Tensor dense;
        final Tensor z;
        final Tensor shared;
        final Tensor hard;
        final Tensor candidates;
        final Tensor scores;
        final Tensor rowLoss;
        final IndexBuffer hardRows;
        final Tensor dQueries;
        final Tensor dCandidates;
        final Tensor dW;
        final Tensor m;
        final Tensor v;
        final Tensor dSrc;

        Step(Backend be, Random r) {
            this.be = be;
            int sources = BATCH * T;
            features = Tensors.of(be, "features", sources, DIM, gaussian(r, sources * DIM));
            int[] off = new int[BATCH + 1];
            for (int u = 0; u < BATCH; u++) {
                off[u + 1] = off[u] + T;
            }
            offsets = Tensors.of(be, "offsets", off);
            neighbours = Tensors.of(be, "neighbours", r.ints(BATCH * T, 0, sources).toArray());
            alpha = Tensors.of(be, "alpha", BATCH * T, 1, uniform(r, BATCH * T));
            q = Tensors.of(be, "Q", DIM, DIM, gaussian(r, DIM * DIM));
            wSelf = Tensors.of(be, "W.self", DIM, DIM, gaussian(r, DIM * DIM));
            wNeighbour = Tensors.of(be, "W.neighbour", DIM, DIM, gaussian(r, DIM * DIM));
            bias = Tensors.of(be, "bias", 1, DIM, gaussian(r, DIM));
            neighbourHidden = be.allocate("neighbourHidden", sources, DIM);
            pooled = be.allocate("pooled", BATCH, DIM);
            hidden = be.allocate("hidden", BATCH, DIM);
            norms = be.allocate("norms", BATCH, 1);
            dense = Tensors.of(be, "G", DIM, OUT, gaussian(r, DIM * OUT));
            z = be.allocate("z", BATCH, OUT);
            shared = Tensors.of(be, "shared", SHARED, OUT, gaussian(r, SHARED * OUT));
            hard = Tensors.of(be, "hard", BATCH / 2 * HARD, OUT, gaussian(r, BATCH / 2 * HARD * OUT));
            int columns = BATCH / 2 + SHARED + BATCH / 2 * HARD;
            candidates = be.allocate("candidates", columns, OUT);
            scores = be.allocate("scores", BATCH / 2, columns);
            rowLoss = be.allocate("rowLoss", BATCH / 2, 1);
            hardRows = Tensors.of(be, "hardRows", r.ints(BATCH / 2 * HARD, 0, 1000).toArray());
            dQueries = be.allocate("dQueries", BATCH / 2, OUT);
            dCandidates = be.allocate("dCandidates", columns, OUT);
            dW = be.allocate("dW", DIM, DIM);
            m = be.allocate("m", DIM, DIM);
            v = be.allocate("v", DIM, DIM);
            dSrc = be.allocate("dSrc", sources, DIM);
        }

        void run(long adamStep) {
            // forward: neighbour transform, importance pooling, W·[h; n] as two GEMMs, normalise, dense, loss
            be.gemm(false, false, 1f, features, q, 0f, neighbourHidden);
            be.biasActivation(neighbourHidden, bias, Activation.RELU, neighbourHidden);
            be.aggregate(Pooling.MEAN, neighbourHidden, offsets, neighbours, alpha, pooled, null);
            be.gemm(false, false, 1f, features.rows(0, BATCH), wSelf, 0f, hidden);
            be.gemm(false, false, 1f, pooled, wNeighbour, 1f, hidden);
            be.biasActivation(hidden, bias, Activation.RELU, hidden);
            be.l2Normalize(hidden, hidden, norms);
            be.gemm(false, false, 1f, hidden, dense, 0f, z);
            // the trainer's loss: queries against [positives; shared; hard], the rows' softmax, the gradient GEMMs
            int queries = BATCH / 2;
            be.copy(z.rows(queries, BATCH), candidates.rows(0, queries));
            be.copy(shared, candidates.rows(queries, queries + SHARED));
            be.copy(hard, candidates.rows(queries + SHARED, candidates.rows()));
            be.gemm(false, true, 1f, z.rows(0, queries), candidates, 0f, scores);
            be.rankingLossRows(RankingLossKind.SOFTMAX, 0.1f, 0.1f, false, SHARED, hardRows, HARD, 1f / queries, scores,
                    rowLoss);
            be.gemm(false, false, 1f, scores, candidates, 0f, dQueries);
            be.gemm(true, false, 1f, scores, z.rows(0, queries), 0f, dCandidates);
            // backward-shaped work: a weight gradient, the pooling's scatter, one Adam step
            be.gemm(true, false, 1f, pooled, hidden, 0f, dW);
            be.fill(dSrc, 0f);
            be.aggregateBackward(Pooling.MEAN, pooled, offsets, neighbours, alpha, null, dSrc);
            be.adam(AdamConfig.of(1e-3f), adamStep, wNeighbour, dW, m, v);
        }
    }
}
